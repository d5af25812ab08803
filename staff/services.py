"""Every change to staff access: given or taken away, each logged (StaffAccessChange) in
the same transaction."""

from django.db import transaction

from .models import StaffAccessChange, StaffLocationAccess


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
