"""The retention jobs (purge_requests, purge_bookings): delete what a patient app has kept
long enough, in batches, each deletion logged by the app's audited delete. A job names its
setting and says which records are due and how they go; this module never reads a
patient's record."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

BATCH = 1000


class PurgeCommand(BaseCommand):
    """`--days N` (default: the `setting`) and `--dry-run` (only count), then `delete` the
    records `due(cutoff)` returns, batch by batch."""

    setting = ""  # "CONSULTATION_RETENTION_DAYS"
    what = ""  # how the output names the records: "closed request(s)"
    kept = ""  # how the refusal names them: "requests"

    def due(self, cutoff):
        """The QuerySet of records kept since before `cutoff`."""
        raise NotImplementedError

    def reason(self, days):
        """What the deletion log and the audit event say."""
        raise NotImplementedError

    def delete(self, records, reason):
        """The app's audited delete."""
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help=f"Override {self.setting}.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args, days, dry_run, **options):
        days = getattr(settings, self.setting) if days is None else days
        if days < 1:
            # A mistyped --days 0 would take everything that ended or closed today.
            raise CommandError(f"Keep {self.kept} at least 1 day (--days must be 1 or more).")
        due = self.due(timezone.now() - timedelta(days=days))
        if dry_run:
            self.stdout.write(f"Would delete {due.count()} {self.what} older than {days} days.")
            return
        reason = self.reason(days)
        deleted = in_batches(due, lambda batch: self.delete(batch, reason), self.stdout.write)
        self.stdout.write(f"Deleted {deleted} {self.what} older than {days} days.")


def in_batches(due, delete, progress=None):
    """Delete what the QuerySet `due` holds, BATCH records per transaction, with
    `delete(records)`. Returns how many went; `progress(line)` hears of each batch when
    there is more than one."""
    total = due.count()
    deleted = 0
    # Batches keep each transaction (and memory) small; each batch's log rows, audit
    # event and deletions commit together (the app's delete).
    while True:
        with transaction.atomic():
            # Locked until the batch is gone: a record staff change meanwhile waits for
            # this transaction, then is no longer there (PostgreSQL; SQLite's write lock
            # is already held by the IMMEDIATE transaction). Only the records' own rows:
            # locking the joined clinic too would hold up its new records.
            batch = list(
                due.select_related("location")
                .select_for_update(of=("self",))
                .order_by("pk")[:BATCH]
            )
            if not batch:
                break
            delete(batch)
        deleted += len(batch)
        if progress is not None and total > BATCH:
            progress(f"  {deleted} of {total} deleted")
    return deleted
