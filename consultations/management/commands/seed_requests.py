import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from consultations.models import ConsultationRequest, NotificationOutbox
from pages.models import Location

BATCH = 1000
BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Make fake consultation requests for benchmarks and demos. "
        "Names are 'Test Patient N' and e-mails use the reserved example.invalid domain."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, count, seed, **options):
        if count < 1:
            raise CommandError("Give a count of 1 or more.")
        locations = list(Location.objects.active())
        if not locations:
            raise CommandError("Add an active location first.")
        rng = random.Random(seed)
        now = timezone.now()
        first = ConsultationRequest.objects.count() + 1
        made = 0
        while made < count:
            size = min(BATCH, count - made)
            numbers = range(first + made, first + made + size)
            with transaction.atomic():
                self._make_batch(numbers, locations, rng, now)
            made += size
            self._progress(made, count)
        self.stdout.write(f"Made {made} fake request(s).")

    def _make_batch(self, numbers, locations, rng, now):
        created = ConsultationRequest.objects.bulk_create(
            ConsultationRequest(
                location=rng.choice(locations),
                first_name="Test",
                last_name=f"Patient {n}",
                email=f"patient{n}@example.invalid",
                contact_method=ConsultationRequest.ContactMethod.EMAIL,
                best_time=rng.choice(ConsultationRequest.BestTime.values),
                topic=rng.choice(ConsultationRequest.Topic.values),
                patient_type=rng.choice(ConsultationRequest.PatientType.values),
                status=rng.choice(ConsultationRequest.Status.values),
                consent_at=now,
            )
            for n in numbers
        )
        # Spread over the last year so date filters and purges have something to do
        # (created_at is auto_now_add, so it is set after the insert).
        for item in created:
            item.created_at = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
        ConsultationRequest.objects.bulk_update(created, ["created_at"])
        NotificationOutbox.objects.bulk_create(
            NotificationOutbox(request=item, state=NotificationOutbox.State.SENT, sent_at=now)
            for item in created
        )

    def _progress(self, done, total):
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        ending = "\n" if done == total else "\r"
        self.stdout.write(f"[{bar}] {done}/{total}", ending=ending)
        self.stdout.flush()
