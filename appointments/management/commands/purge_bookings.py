from django.conf import settings
from django.core.management.base import BaseCommand

from appointments import services
from appointments.models import Booking
from staff import purge

BATCH = purge.BATCH


class Command(BaseCommand):
    help = (
        "Delete bookings whose visit ended more than BOOKING_RETENTION_DAYS days ago "
        "(whatever their status), and cancelled ones unchanged that long. Their seats, "
        "history, reminders and unsent e-mails go with them. Each deletion is kept in the "
        "deletion log and the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Override BOOKING_RETENTION_DAYS."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args, days, dry_run, **options):
        days = settings.BOOKING_RETENTION_DAYS if days is None else days
        due = Booking.objects.due_for_purge(purge.cutoff(days, "bookings"))
        if dry_run:
            self.stdout.write(f"Would delete {due.count()} booking(s) older than {days} days.")
            return
        reason = f"Retention: visit over or cancelled more than {days} days ago"
        deleted = purge.in_batches(
            due,
            lambda batch: services.delete_bookings(batch, reason, job="purge_bookings"),
            batch_size=BATCH,
            progress=self.stdout.write,
        )
        self.stdout.write(f"Deleted {deleted} booking(s) older than {days} days.")
