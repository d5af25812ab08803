"""Every change the staff side makes itself: access given or taken away, each logged
(StaffAccessChange) in the same transaction; and the one way any patient app deletes its
records (`delete_records`), each deletion logged (DeletionLog, AuditEvent) in the
transaction that deletes."""

from django.db import transaction

from . import outbox
from .models import AuditEvent, DeletionLog, StaffAccessChange, StaffLocationAccess


def grant_access(access, by):
    """Save a new access row (a StaffLocationAccess or StaffAllLocationsAccess, unsaved),
    and log the staff member's access before and after."""
    with transaction.atomic():
        before = StaffLocationAccess.describe(access.user)
        access.save()
        StaffAccessChange.record(by, access.user, before)
    return access


def revoke_access(rows, by):
    """Delete access rows (objects or a QuerySet), one access-log row per person touched."""
    with transaction.atomic():
        rows = list(rows)
        users = {row.user_id: row.user for row in rows}
        before = {pk: StaffLocationAccess.describe(user) for pk, user in users.items()}
        for row in rows:
            row.delete()
        for pk, user in users.items():
            StaffAccessChange.record(by, user, before[pk])
    return len(rows)


def delete_records(model, records, reason, user=None, job=""):
    """Delete `records` (objects of the clinic-scoped `model`, or a QuerySet of them, their
    locations loaded: the log keeps the clinic's name), by staff (`user`) or by a job (its
    name in `job`). Each gets a deletion-log row, together they get one audit event, the
    outbox rows about them are dropped (nothing is sent about a record that is gone), and
    all of it commits together or not at all. Returns how many were deleted."""
    deleted_by = user.get_username() if user is not None else job
    with transaction.atomic():
        records = list(records)
        DeletionLog.record(records, deleted_by=deleted_by, reason=reason)
        AuditEvent.record(
            AuditEvent.Action.DELETE, records, model=model, user=user, username=job, detail=reason
        )
        outbox.forget(records)
        model.objects.filter(pk__in=[r.pk for r in records]).delete()
    return len(records)
