"""The staff side shared by the patient apps: who may see which clinic, the audit log and
the deletion log (about any kind of record), and the mail outbox. Imports no patient app.
Every name is importable from `staff.models` as before the split.

- access: the one visibility rule (`visible_to`), access rows and their change log;
- logs: the audit log and the deletion log;
- notifications: the mail outbox (sent by staff.outbox).

The tables were made by the consultations app and keep their names (migration 0001)."""

from .access import (
    NoOneClinicsQuerySet,
    StaffAccessChange,
    StaffAllLocationsAccess,
    StaffLocationAccess,
    StaffLocationAccessQuerySet,
    VisibleToQuerySet,
    limit_to_visible,
    visible_locations,
)
from .logs import AuditEvent, AuditEventQuerySet, DeletionLog, DeletionLogQuerySet, record_type_of
from .notifications import NotificationOutbox, NotificationOutboxQuerySet

__all__ = [
    "AuditEvent",
    "AuditEventQuerySet",
    "DeletionLog",
    "DeletionLogQuerySet",
    "NoOneClinicsQuerySet",
    "NotificationOutbox",
    "NotificationOutboxQuerySet",
    "StaffAccessChange",
    "StaffAllLocationsAccess",
    "StaffLocationAccess",
    "StaffLocationAccessQuerySet",
    "VisibleToQuerySet",
    "limit_to_visible",
    "record_type_of",
    "visible_locations",
]
