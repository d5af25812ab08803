"""The staff side shared by the patient apps: who may see which clinic, the audit log and
the deletion log (about any kind of record), and the mail outbox. Imports no patient app.

The tables were made by the consultations app and keep their names (migration 0001)."""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from pages.models import Location

from . import kinds


def record_type_of(model):
    """How the logs name a kind of record: "consultations.consultationrequest"."""
    return model._meta.label_lower


def limit_to_visible(queryset, user, location_field):
    """The one rule for "which clinics may this user see", applied to `queryset` through
    `location_field` (the path to the clinic, or its id; "pk" for clinics themselves).
    With `location_field` None, the rows are no one clinic's: only those who see every
    clinic see them."""
    allowed = StaffLocationAccess.locations_for(user)
    if allowed is None:
        return queryset
    if location_field is None:
        return queryset.none()
    return queryset.filter(**{f"{location_field}__in": allowed})


def visible_locations(user, locations=None):
    """The clinics (pages.Location) `user` may see, by the same rule."""
    locations = Location.objects.all() if locations is None else locations
    return limit_to_visible(locations, user, "pk")


class VisibleToQuerySet(models.QuerySet):
    """Mixed into every clinic-scoped model's QuerySet: `Model.objects.visible_to(user)`.
    Subclasses name the path to the clinic in `location_field`."""

    location_field = "location"

    def visible_to(self, user):
        return limit_to_visible(self, user, self.location_field)


class StaffLocationAccessQuerySet(VisibleToQuerySet):
    location_field = "location"


class NoOneClinicsQuerySet(VisibleToQuerySet):
    """Rows that are about no one clinic (whole-site access, access changes)."""

    location_field = None


class StaffLocationAccess(models.Model):
    """One location a staff member may see. Staff see the requests of their rows here,
    unless they see every location (StaffAllLocationsAccess); with neither, nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="location_access"
    )
    # PROTECT: a location people are given cannot vanish from under them unrecorded; access
    # changes only through the admin, where each one is audited (StaffAccessChange).
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="staff_access")

    objects = StaffLocationAccessQuerySet.as_manager()

    class Meta:
        db_table = "consultations_stafflocationaccess"
        ordering = ["user__username", "location__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "location"], name="unique_staff_location")
        ]
        verbose_name = "staff location access"
        verbose_name_plural = "staff location access"

    def __str__(self):
        return f"{self.user} → {self.location}"

    @classmethod
    def sees_every_location(cls, user):
        """Superusers, and staff explicitly given every location. Never "no rows": a
        limited person whose last row goes sees nothing, not everything."""
        if not user.is_active:
            return False
        if user.is_superuser:
            return True
        return StaffAllLocationsAccess.objects.filter(user=user).exists()

    @classmethod
    def locations_for(cls, user):
        """Location ids the user is limited to (possibly none), or None for no limit."""
        if cls.sees_every_location(user):
            return None
        return list(cls.objects.filter(user=user).values_list("location_id", flat=True))

    @classmethod
    def staff_of(cls, locations):
        """Active staff who see at least one of `locations` (ids, as locations_for gives
        them; None: every location): the staff given one of them, and those who see every
        location. Offered to a viewer limited to `locations`, it names no other clinic's
        staff."""
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.filter(is_staff=True, is_active=True)
        if locations is None:
            return staff
        return staff.filter(
            models.Q(pk__in=cls.objects.filter(location__in=locations).values("user_id"))
            | models.Q(pk__in=StaffAllLocationsAccess.objects.values("user_id"))
            | models.Q(is_superuser=True)
        )

    @classmethod
    def describe(cls, user):
        """The user's access in words, for the access log: no patient data, no ids."""
        if StaffAllLocationsAccess.objects.filter(user=user).exists():
            return "Every location"
        names = cls.objects.filter(user=user).values_list("location__name", flat=True)
        return ", ".join(names.order_by("location__name")) or "No location"


class StaffAllLocationsAccess(models.Model):
    """The explicit choice that a staff member sees every location's requests."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="all_locations_access"
    )
    created_at = models.DateTimeField("given", auto_now_add=True)

    objects = NoOneClinicsQuerySet.as_manager()

    class Meta:
        db_table = "consultations_staffalllocationsaccess"
        ordering = ["user__username"]
        verbose_name = "staff access to every location"
        verbose_name_plural = "staff access to every location"

    def __str__(self):
        return f"{self.user} → every location"


class StaffAccessChange(models.Model):
    """Who changed whose location access, from what to what. Kept after the users go."""

    # Plain ids and names, not foreign keys: the log must outlive the users.
    changed_by_id = models.IntegerField(null=True, blank=True)
    changed_by = models.CharField(max_length=150)
    staff_id = models.IntegerField()
    staff = models.CharField("staff member", max_length=150)
    before = models.TextField()
    after = models.TextField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = NoOneClinicsQuerySet.as_manager()

    class Meta:
        db_table = "consultations_staffaccesschange"
        ordering = ["-at", "-pk"]
        verbose_name = "staff access change"

    def __str__(self):
        return f"{self.changed_by} changed {self.staff}'s access"

    @classmethod
    def record(cls, by, staff, before):
        """Call with the staff member's access as it was (StaffLocationAccess.describe)."""
        return cls.objects.create(
            changed_by_id=by.pk,
            changed_by=by.get_username(),
            staff_id=staff.pk,
            staff=staff.get_username(),
            before=before,
            after=StaffLocationAccess.describe(staff),
        )


class NotificationOutboxQuerySet(VisibleToQuerySet):
    location_field = "location"

    def due(self, now=None):
        return self.filter(
            state=NotificationOutbox.State.PENDING, next_attempt_at__lte=now or timezone.now()
        )

    def about(self, records):
        """The rows about `records` (objects of one model)."""
        records = list(records)
        if not records:
            return self.none()
        return self.filter(
            record_type=record_type_of(type(records[0])), object_id__in=[r.pk for r in records]
        )

    def create_for(self, record, **fields):
        row = self.model.for_record(record, **fields)
        row.save(force_insert=True, using=self.db)
        return row


class NotificationOutbox(models.Model):
    """Outbox row: "tell staff about record N" (a request), or a clinic's daily summary.
    A record's row is written in the same transaction as the record, so a mail outage
    never loses the message; a day's row is unique per kind, clinic and day, so it is
    never sent twice. What each kind's e-mail says is up to the app that registered it
    (staff.kinds); no e-mail holds patient data."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    kind = models.CharField(max_length=10)
    # The record the row is about (a name, not a foreign key: any app's records).
    record_type = models.CharField(max_length=100, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The clinic: the record's, or the day's; the scope of the row and whom to mail.
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    # A day's summary: its local day and the counts the e-mail reports (numbers only).
    digest_date = models.DateField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    # While SENDING: when a crashed sender's claim may be taken over.
    lease_until = models.DateTimeField(null=True, blank=True)
    recipient = models.EmailField(blank=True, help_text="Filled in when sent.")
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationOutboxQuerySet.as_manager()

    class Meta:
        db_table = "consultations_notificationoutbox"
        ordering = ["-created_at", "-pk"]
        verbose_name = "notification"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "location", "digest_date"],
                condition=models.Q(digest_date__isnull=False),
                name="one_daily_row_per_kind_location_and_day",
            ),
            models.CheckConstraint(
                condition=(models.Q(object_id__isnull=False) & ~models.Q(record_type=""))
                | models.Q(location__isnull=False, digest_date__isnull=False),
                name="notification_has_its_subject",
            ),
        ]

    def __str__(self):
        if self.digest_date is not None:
            return f"Daily summary for {self.location} on {self.digest_date}"
        return f"Notification for {self.kind} #{self.object_id} ({self.get_state_display()})"

    @classmethod
    def for_record(cls, record, kind=None, **fields):
        """An unsaved row about `record` (a clinic-scoped object), of the kind registered
        for its model unless `kind` is given."""
        record_type = record_type_of(type(record))
        return cls(
            kind=kind or kinds.for_record_type(record_type).name,
            record_type=record_type,
            object_id=record.pk,
            location_id=record.location_id,
            **fields,
        )


class DeletionLogQuerySet(VisibleToQuerySet):
    # A plain id, so the log outlives the clinic.
    location_field = "location_id"


class DeletionLog(models.Model):
    """One row per deleted record (a request today), kept after it is gone. No patient
    details."""

    record_type = models.CharField(max_length=100)
    object_id = models.BigIntegerField(db_index=True)
    # A plain id, like object_id, so the log outlives the location; it scopes the log
    # to the locations a staff member may see.
    location_id = models.IntegerField(null=True, blank=True, db_index=True)
    location_name = models.CharField(max_length=80)
    record_created_at = models.DateTimeField()
    record_updated_at = models.DateTimeField()
    status = models.CharField(max_length=10, blank=True)
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
    """Who opened, listed, searched, exported, changed or deleted records (requests today),
    and when. Kept after the records go. The one place that records it is `record`."""

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
