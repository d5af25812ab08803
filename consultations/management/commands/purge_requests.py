from django.conf import settings
from django.core.management.base import BaseCommand

from consultations import services
from consultations.models import ConsultationRequest
from staff import purge

BATCH = purge.BATCH


class Command(BaseCommand):
    help = (
        "Delete closed consultation requests not changed for CONSULTATION_RETENTION_DAYS "
        "days. Open requests are never deleted. Each deletion is kept in the deletion log "
        "and the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Override CONSULTATION_RETENTION_DAYS."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args, days, dry_run, **options):
        days = settings.CONSULTATION_RETENTION_DAYS if days is None else days
        due = ConsultationRequest.objects.due_for_purge(purge.cutoff(days, "requests"))
        if dry_run:
            total = due.count()
            self.stdout.write(f"Would delete {total} closed request(s) older than {days} days.")
            return
        reason = f"Retention: closed, unchanged for {days} days"
        deleted = purge.in_batches(
            due,
            lambda batch: services.delete_requests(batch, reason, job="purge_requests"),
            batch_size=BATCH,
            progress=self.stdout.write,
        )
        self.stdout.write(f"Deleted {deleted} closed request(s) older than {days} days.")
