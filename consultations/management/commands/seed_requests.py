import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from consultations import metrics
from consultations.models import ConsultationRequest
from modsite import seeding
from pages.models import Location
from staff.models import NotificationOutbox

BATCH = 1000
# Requests older than this are closed, but for this share of them.
STILL_OPEN_DAYS = timedelta(days=14)
STILL_OPEN_SHARE = 0.03


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
        self._schedules = {}
        now = timezone.now()
        made = seeding.in_batches(
            self,
            count,
            BATCH,
            lambda numbers: self._make_batch(numbers, locations, rng, now),
            first=ConsultationRequest.objects.count() + 1,
        )
        seeding.refresh_planner_statistics(ConsultationRequest, NotificationOutbox, Location)
        self.stdout.write(f"Made {made} fake request(s).")

    def _make_batch(self, numbers, locations, rng, now):
        items, received = [], []
        for n in numbers:
            item = ConsultationRequest(
                location=rng.choice(locations),
                first_name="Test",
                last_name=f"Patient {n}",
                email=f"patient{n}@example.invalid",
                contact_method=ConsultationRequest.ContactMethod.EMAIL,
                best_time=rng.choice(ConsultationRequest.BestTime.values),
                topic=rng.choice(ConsultationRequest.Topic.values),
                patient_type=rng.choice(ConsultationRequest.PatientType.values),
                consent_at=now,
            )
            # Spread over the last year so date filters and purges have something to do,
            # with due times and, past "new", a first contact 5 minutes to 2 days later.
            # As in a clinic, most requests older than two weeks have been closed.
            item.created_at = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
            if now - item.created_at > STILL_OPEN_DAYS and rng.random() > STILL_OPEN_SHARE:
                item.status = ConsultationRequest.Status.CLOSED
            else:
                item.status = rng.choice(ConsultationRequest.Status.values)
            schedule = self._schedules.setdefault(
                item.location_id, metrics.schedule_for(item.location)
            )
            item.due_at = metrics.due_at(item.location, item.created_at, schedule)
            if item.status != ConsultationRequest.Status.NEW:
                contacted = item.created_at + timedelta(minutes=rng.randrange(5, 2 * 24 * 60))
                metrics.apply_first_contact(item, min(contacted, now), schedule)
            items.append(item)
            received.append(item.created_at)
        created = ConsultationRequest.objects.bulk_create(items)
        # created_at is auto_now_add, so the insert set it to now: put the spread back.
        for item, when in zip(created, received, strict=True):
            item.created_at = when
        ConsultationRequest.objects.bulk_update(created, ["created_at"])
        NotificationOutbox.objects.bulk_create(
            NotificationOutbox.for_record(item, state=NotificationOutbox.State.SENT, sent_at=now)
            for item in created
        )
