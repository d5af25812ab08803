"""Deleting patient records kept past their time, in batches: the loop purge_requests and
purge_bookings share. Each app says which of its records are due and how they are
deleted (its audited service); this module never reads a patient's record."""

from datetime import timedelta

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

BATCH = 1000


def cutoff(days, what):
    """The instant `days` days ago; a job never deletes what is less than a day old (a
    mistyped --days 0 would take everything closed today)."""
    if days < 1:
        raise CommandError(f"Keep {what} at least 1 day (--days must be 1 or more).")
    return timezone.now() - timedelta(days=days)


def in_batches(due, delete, batch_size=BATCH, progress=None):
    """Delete what the QuerySet `due` holds, `batch_size` records per transaction, with
    `delete(records)` (the app's audited delete). Returns how many went; `progress(line)`
    hears of each batch when there is more than one."""
    total = due.count()
    deleted = 0
    # Batches keep each transaction (and memory) small; each batch's log rows, audit
    # event and deletions commit together (the app's delete).
    while True:
        with transaction.atomic():
            # Locked until the batch is gone: a record staff change meanwhile waits for
            # this transaction, then is no longer there (PostgreSQL; SQLite's write lock
            # is already held by the IMMEDIATE transaction). Only the record's own rows:
            # locking the joined clinic too would block the clinic's new records.
            batch = list(
                due.select_related("location")
                .select_for_update(of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            delete(batch)
        deleted += len(batch)
        if progress is not None and total > batch_size:
            progress(f"  {deleted} of {total} deleted")
    return deleted
