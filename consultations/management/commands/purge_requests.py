from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from consultations import services
from consultations.models import ConsultationRequest

BATCH = 1000


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
        if days < 1:
            raise CommandError("Keep requests at least 1 day (--days must be 1 or more).")
        cutoff = timezone.now() - timedelta(days=days)
        due = ConsultationRequest.objects.due_for_purge(cutoff)
        total = due.count()
        if dry_run:
            self.stdout.write(f"Would delete {total} closed request(s) older than {days} days.")
            return
        reason = f"Retention: closed, unchanged for {days} days"
        deleted = 0
        # Batches keep each transaction (and memory) small; each batch's log rows, audit
        # event and deletions commit together (services.delete_requests).
        while True:
            with transaction.atomic():
                # Locked until the batch is gone: a request staff reopen meanwhile waits
                # for this transaction, then is no longer due (PostgreSQL; SQLite's write
                # lock is already held by the IMMEDIATE transaction).
                batch = list(
                    due.select_related("location")
                    .select_for_update(of=("self",))
                    .order_by("pk")[:BATCH]
                )
                if not batch:
                    break
                services.delete_requests(batch, reason, job="purge_requests")
            deleted += len(batch)
            if total > BATCH:
                self.stdout.write(f"  {deleted} of {total} deleted")
        self.stdout.write(f"Deleted {deleted} closed request(s) older than {days} days.")
