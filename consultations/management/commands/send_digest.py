from django.core.management.base import BaseCommand
from django.utils import timezone

from consultations import metrics, notify
from pages.models import Location
from staff import figures, outbox


class Command(BaseCommand):
    help = (
        "Queue and send each active clinic's daily summary e-mail (counts only, never "
        "patient details) through the notification outbox. Run once a day from cron; a "
        "second run the same day sends nothing new, and a mail outage only delays it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the counts; queue and send nothing."
        )

    def handle(self, *args, dry_run, **options):
        now = timezone.now()
        day = metrics.Period(1, now).end_day
        locations = list(Location.objects.active())
        counts = metrics.digest_counts(locations, now)
        # The other apps' counts (tomorrow's bookings not yet entered), numbers only.
        for location_id, more in figures.digest_counts(locations, now).items():
            counts[location_id].update(more)
        queued = 0
        for location in locations:
            if not outbox.recipient_for(location):
                self.stderr.write(
                    f"{location.name}: no address to send the digest to. Set one on the "
                    "location or CONSULTATION_NOTIFY_EMAIL."
                )
                continue
            if dry_run:
                self.stdout.write(f"{location.slug}: {counts[location.pk]}")
                continue
            _, created = notify.queue_digest(location, day, counts[location.pk])
            queued += created
        if dry_run:
            return
        # Sends these and anything else due; rows that fail wait for send_notifications.
        sent, failed = outbox.send_due()
        if queued or sent or failed or options["verbosity"] > 1:
            self.stdout.write(f"Queued {queued} digest(s) for {day}; sent {sent}, failed {failed}.")
