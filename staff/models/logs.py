"""The audit log (who opened, listed, searched or changed which records) and the
deletion log, about any kind of record."""

from django.db import models, transaction

from pages.models import Location

from .access import StaffLocationAccess, VisibleToQuerySet, limit_to_visible


def record_type_of(model):
    """How the logs name a kind of record: "consultations.consultationrequest"."""
    return model._meta.label_lower


class DeletionLogQuerySet(VisibleToQuerySet):
    # A plain id, so the log outlives the clinic.
    location_field = "location_id"


class DeletionLog(models.Model):
    """One row per deleted record (a request or a booking), kept after it is gone. No
    patient details."""

    record_type = models.CharField(max_length=100)
    object_id = models.BigIntegerField(db_index=True)
    # A plain id, like object_id, so the log outlives the location; it scopes the log
    # to the locations a staff member may see.
    location_id = models.IntegerField(null=True, blank=True, db_index=True)
    location_name = models.CharField(max_length=80)
    record_created_at = models.DateTimeField()
    record_updated_at = models.DateTimeField()
    # Wide enough for every kind's status ("cancelled_by_patient" is a booking's).
    status = models.CharField(max_length=24, blank=True)
    deleted_at = models.DateTimeField(auto_now_add=True)
    deleted_by = models.CharField(
        max_length=150, help_text="Staff username, or the command that removed it."
    )
    reason = models.CharField(max_length=200)

    objects = DeletionLogQuerySet.as_manager()

    class Meta:
        db_table = "consultations_deletionlog"
        ordering = ["-deleted_at", "-pk"]

    def __str__(self):
        return f"{self.record_type} #{self.object_id} deleted by {self.deleted_by}"

    @classmethod
    def record(cls, records, deleted_by, reason):
        """A row for each of `records` (objects with a location, loaded)."""
        cls.objects.bulk_create(
            cls(
                record_type=record_type_of(type(r)),
                object_id=r.pk,
                location_id=r.location_id,
                location_name=r.location.name,
                record_created_at=r.created_at,
                record_updated_at=r.updated_at,
                status=getattr(r, "status", ""),
                deleted_by=deleted_by,
                reason=reason,
            )
            for r in records
        )


class AuditEventQuerySet(VisibleToQuerySet):
    location_field = "locations"

    def visible_to(self, user):
        """Stricter than the other logs, as an event may touch several clinics: staff
        limited to some see only the events wholly inside them (one that also touched
        another clinic, or whose clinic is unknown, is hidden)."""
        if StaffLocationAccess.locations_for(user) is None:
            return self
        through = AuditEvent.locations.through.objects.all()
        inside = limit_to_visible(through, user, "location")
        outside = through.exclude(pk__in=inside.values("pk"))
        return self.filter(pk__in=inside.values("auditevent_id")).exclude(
            pk__in=outside.values("auditevent_id")
        )


class AuditEvent(models.Model):
    """Who opened, listed, searched, exported, changed or deleted records (requests and
    bookings), and when. Kept after the records go. The one place that records it is `record`."""

    class Action(models.TextChoices):
        VIEW = "view", "Opened"
        LIST = "list", "Listed"
        SEARCH = "search", "Searched"
        CHANGE = "change", "Changed"
        EXPORT = "export", "Exported"
        DELETE = "delete", "Deleted"

    action = models.CharField(max_length=10, choices=Action.choices)
    # Plain ids, not foreign keys: the log must outlive the users and the records.
    user_id = models.IntegerField(null=True, blank=True)
    username = models.CharField(
        max_length=150, blank=True, help_text="Staff username, or the command that acted."
    )
    # Which kind of record ("consultations.consultationrequest"), and which ones.
    record_type = models.CharField(max_length=100, blank=True)
    object_ids = models.JSONField(default=list, blank=True)
    # The records' locations, to show each staff member the events of their locations.
    locations = models.ManyToManyField(Location, blank=True, related_name="+")
    count = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=200, blank=True)
    # What a list, search or export was asked for. The search text may be a patient's
    # name: it is kept here, for the auditors, and never written to a log.
    search = models.TextField("search text", blank=True)
    filters = models.JSONField(
        default=dict, blank=True, help_text="The list's filters, order and page."
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = "consultations_auditevent"
        ordering = ["-at", "-pk"]

    def __str__(self):
        who = self.username or "system"
        return f"{who} {self.get_action_display().lower()} {self.count} record(s)"

    @classmethod
    @transaction.atomic
    def record(
        cls,
        action,
        records,
        model=None,
        user=None,
        detail="",
        search="",
        filters=None,
        username="",
    ):
        """`records`: objects of one clinic-scoped model or a QuerySet of them, read now
        (before an update that could take them out of the QuerySet's filter); `model`
        names the kind when the list may be empty. `user` is the staff member; a job
        passes `username` (its name) instead. A constant number of queries, however many
        records."""
        if isinstance(records, models.QuerySet):
            model = records.model
            ids = list(records.order_by("pk").values_list("pk", flat=True))
            location_ids = set(records.order_by().values_list("location_id", flat=True).distinct())
        else:
            model = model or (type(records[0]) if records else None)
            ids = [r.pk for r in records]
            location_ids = {r.location_id for r in records}
        event = cls.objects.create(
            action=action,
            user_id=getattr(user, "pk", None),
            username=user.get_username() if user is not None else username,
            record_type=record_type_of(model) if model is not None else "",
            object_ids=ids,
            count=len(ids),
            detail=detail[:200],
            search=search,
            filters=filters or {},
        )
        # A new event has no locations yet: one insert, not set()'s read-then-write.
        through = cls.locations.through
        through.objects.bulk_create(
            through(auditevent_id=event.pk, location_id=pk) for pk in sorted(location_ids)
        )
        return event
