import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from consultations.models import ConsultationRequest, NotificationOutbox
from pages.models import Location


class Command(BaseCommand):
    help = (
        "Make fake consultation requests for benchmarks and demos. "
        "Names are 'Test Patient N' and e-mails use the reserved example.invalid domain."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, count, seed, **options):
        locations = list(Location.objects.active())
        if not locations:
            raise CommandError("Add an active location first.")
        rng = random.Random(seed)
        now = timezone.now()
        start = ConsultationRequest.objects.count()
        batch = []
        for n in range(start + 1, start + count + 1):
            batch.append(
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
            )
        created = ConsultationRequest.objects.bulk_create(batch, batch_size=1000)
        # Spread over the last year so date filters and purges have something to do.
        for item in created:
            item.created_at = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
        ConsultationRequest.objects.bulk_update(created, ["created_at"], batch_size=1000)
        NotificationOutbox.objects.bulk_create(
            [
                NotificationOutbox(request=item, state=NotificationOutbox.State.SENT, sent_at=now)
                for item in created
            ],
            batch_size=1000,
        )
        self.stdout.write(f"Made {len(created)} fake request(s).")
