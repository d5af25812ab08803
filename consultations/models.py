import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from pages.models import Location


class ConsultationRequestQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=ConsultationRequest.Status.CLOSED)

    def waiting_longer_than(self, days):
        return self.open().filter(created_at__lt=timezone.now() - timedelta(days=days))

    def due_for_purge(self, cutoff):
        """Closed requests untouched since `cutoff`; open ones are never purged."""
        return self.filter(status=ConsultationRequest.Status.CLOSED, updated_at__lt=cutoff)

    def visible_to(self, user):
        """Only the requests of the locations this staff member may see (see
        StaffLocationAccess.locations_for): none at all for someone given no access."""
        locations = StaffLocationAccess.locations_for(user)
        return self if locations is None else self.filter(location__in=locations)

    def awaiting_contact(self):
        """Open requests nobody has contacted yet: the ones the response clock runs for."""
        return self.open().filter(first_contacted_at__isnull=True)

    def overdue(self, now=None):
        return self.awaiting_contact().filter(due_at__lt=now or timezone.now())


class ConsultationRequest(models.Model):
    """What a patient sends from the website: only what staff need to call them back."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        SCHEDULED = "scheduled", "Scheduled"
        CLOSED = "closed", "Closed"

    class Topic(models.TextChoices):
        ISOTRETINOIN = "isotretinoin", _("Isotretinoin")
        OTHER_ACNE = "other_acne", _("Other acne treatment")
        GENERAL = "general", _("General skin concern")

    class ContactMethod(models.TextChoices):
        PHONE = "phone", _("Phone call")
        EMAIL = "email", _("E-mail")

    class BestTime(models.TextChoices):
        ANY = "any", _("Any time")
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")

    class PatientType(models.TextChoices):
        NEW = "new", _("New patient")
        RETURNING = "returning", _("Returning patient")

    class Language(models.TextChoices):
        # Patients read these in the page's language; staff in the admin see English.
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")
        OTHER = "other", _("Another language")

    # PROTECT: a location with requests is made inactive, never deleted with them.
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="consultation_requests"
    )
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    phone = models.CharField(max_length=20, blank=True, help_text="Stored as +1XXXXXXXXXX.")
    # Kept apart so the number stays in one format that staff can search for.
    phone_extension = models.CharField(
        max_length=10, blank=True, help_text="Digits to dial after the phone number answers."
    )
    email = models.EmailField(max_length=254, blank=True)
    contact_method = models.CharField(
        "preferred contact", max_length=10, choices=ContactMethod.choices
    )
    best_time = models.CharField(
        "best time to reach", max_length=10, choices=BestTime.choices, default=BestTime.ANY
    )
    topic = models.CharField(max_length=20, choices=Topic.choices)
    patient_type = models.CharField("new or returning", max_length=10, choices=PatientType.choices)
    message = models.TextField(blank=True, max_length=1000)
    preferred_language = models.CharField(
        "preferred language for care",
        max_length=10,
        choices=Language.choices,
        default=Language.ENGLISH,
        db_index=True,
    )
    preferred_language_other = models.CharField(
        "other language", max_length=60, blank=True, help_text="When “another language”."
    )
    interpreter_needed = models.BooleanField("interpreter needed", default=False, db_index=True)
    consent_at = models.DateTimeField(help_text="When the patient agreed to be contacted.")
    source_page = models.CharField(
        max_length=200, blank=True, help_text="The page of this site the patient came from."
    )
    # Made when the form is shown; a second POST of the same form stores nothing.
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_consultation_requests",
    )
    staff_notes = models.TextField(
        blank=True, help_text="For staff only. Keep it short; no medical history."
    )
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    # Response times, set once (consultations.metrics) so the dashboard and reports add
    # them up in the database: when first contact is due (the response target in the
    # clinic's business hours), and how long it took, in business and in clock minutes.
    due_at = models.DateTimeField("first contact due", null=True, blank=True, db_index=True)
    first_contact_business_minutes = models.PositiveIntegerField(
        "business minutes to first contact", null=True, blank=True
    )
    first_contact_minutes = models.PositiveIntegerField(
        "minutes to first contact", null=True, blank=True
    )
    created_at = models.DateTimeField("received", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The dashboard's figures read only these columns, so the database answers them
        # from the indexes without visiting each row: open requests per clinic now (by
        # status), and the requests received in a period (by time received).
        indexes = [
            models.Index(
                fields=["status", "location", "first_contacted_at", "due_at", "created_at"],
                name="consult_open_figures",
            ),
            models.Index(
                fields=[
                    "created_at",
                    "location",
                    "first_contact_business_minutes",
                    "first_contacted_at",
                    "due_at",
                    "status",
                ],
                name="consult_period_figures",
            ),
        ]
        permissions = [
            ("export_consultationrequest", "Can export consultation requests"),
            ("purge_consultationrequest", "Can purge old consultation requests"),
        ]

    def __str__(self):
        # Shown in admin headings, messages and logs: the number only, never the name.
        return f"Request #{self.pk}"

    def get_absolute_url(self):
        return reverse("admin:consultations_consultationrequest_change", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def language_for_care(self):
        """What staff read, in English: "Spanish", or the language the patient typed."""
        if self.preferred_language == self.Language.OTHER and self.preferred_language_other:
            return self.preferred_language_other
        with translation.override("en"):
            return str(self.get_preferred_language_display())


class StaffLocationAccess(models.Model):
    """One location a staff member may see. Staff see the requests of their rows here,
    unless they see every location (StaffAllLocationsAccess); with neither, nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="location_access"
    )
    # PROTECT: a location people are given cannot vanish from under them unrecorded; access
    # changes only through the admin, where each one is audited (StaffAccessChange).
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="staff_access")

    class Meta:
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

    class Meta:
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

    class Meta:
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


class NotificationOutboxQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(
            state=NotificationOutbox.State.PENDING, next_attempt_at__lte=now or timezone.now()
        )


class NotificationOutbox(models.Model):
    """Outbox row: "tell staff about request N", or a clinic's daily digest. A request's
    row is written in the same transaction as the request, so a mail outage never loses
    the message; a digest's row is unique per clinic and day, so it is never sent twice.
    No e-mail holds patient data."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    class Kind(models.TextChoices):
        NEW_REQUEST = "request", "New request"
        DIGEST = "digest", "Daily digest"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEW_REQUEST)
    request = models.ForeignKey(
        ConsultationRequest,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # Digests: the clinic, its local day, and the counts the e-mail reports (numbers only).
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="digests", null=True, blank=True
    )
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
        ordering = ["-created_at", "-pk"]
        verbose_name = "notification"
        constraints = [
            models.UniqueConstraint(
                fields=["location", "digest_date"],
                condition=models.Q(kind="digest"),
                name="one_digest_per_location_and_day",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="request", request__isnull=False)
                | models.Q(kind="digest", location__isnull=False, digest_date__isnull=False),
                name="notification_has_its_subject",
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.DIGEST:
            return f"Daily digest for {self.location} on {self.digest_date}"
        return f"Notification for request #{self.request_id} ({self.get_state_display()})"


class DeletionLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rows of the locations this staff member may see, like the request list."""
        locations = StaffLocationAccess.locations_for(user)
        return self if locations is None else self.filter(location_id__in=locations)


class DeletionLog(models.Model):
    """One row per deleted request, kept after it is gone. No patient details."""

    request_id = models.BigIntegerField(db_index=True)
    # A plain id, like request_id, so the log outlives the location; it scopes the log
    # to the locations a staff member may see.
    location_id = models.IntegerField(null=True, blank=True, db_index=True)
    location_name = models.CharField(max_length=80)
    request_created_at = models.DateTimeField()
    request_updated_at = models.DateTimeField()
    status = models.CharField(max_length=10)
    deleted_at = models.DateTimeField(auto_now_add=True)
    deleted_by = models.CharField(
        max_length=150, help_text="Staff username, or the command that removed it."
    )
    reason = models.CharField(max_length=200)

    objects = DeletionLogQuerySet.as_manager()

    class Meta:
        ordering = ["-deleted_at", "-pk"]

    def __str__(self):
        return f"Request #{self.request_id} deleted by {self.deleted_by}"

    @classmethod
    def record(cls, requests, deleted_by, reason):
        cls.objects.bulk_create(
            cls(
                request_id=r.pk,
                location_id=r.location_id,
                location_name=r.location.name,
                request_created_at=r.created_at,
                request_updated_at=r.updated_at,
                status=r.status,
                deleted_by=deleted_by,
                reason=reason,
            )
            for r in requests
        )


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff limited to some locations see the events about those locations only: an
        event that also touched another location, or whose location is unknown, is hidden."""
        allowed = StaffLocationAccess.locations_for(user)
        if allowed is None:
            return self
        through = AuditEvent.locations.through.objects
        inside = through.filter(location__in=allowed).values("auditevent_id")
        outside = through.exclude(location__in=allowed).values("auditevent_id")
        return self.filter(pk__in=inside).exclude(pk__in=outside)


class AuditEvent(models.Model):
    """Who opened, listed, searched, exported, changed or deleted requests, and when. Kept
    after the requests go. The one place that records it is `record`."""

    class Action(models.TextChoices):
        VIEW = "view", "Opened"
        LIST = "list", "Listed"
        SEARCH = "search", "Searched"
        CHANGE = "change", "Changed"
        EXPORT = "export", "Exported"
        DELETE = "delete", "Deleted"

    action = models.CharField(max_length=10, choices=Action.choices)
    # Plain ids, not foreign keys: the log must outlive the users and the requests.
    user_id = models.IntegerField(null=True, blank=True)
    username = models.CharField(
        max_length=150, blank=True, help_text="Staff username, or the command that acted."
    )
    request_ids = models.JSONField(default=list, blank=True)
    # The requests' locations, to show each staff member the events of their locations.
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
        ordering = ["-at", "-pk"]

    def __str__(self):
        who = self.username or "system"
        return f"{who} {self.get_action_display().lower()} {self.count} request(s)"

    @classmethod
    @transaction.atomic
    def record(cls, action, requests, user=None, detail="", search="", filters=None, username=""):
        """`requests`: ConsultationRequest objects or a QuerySet of them, read now (before
        an update that could take them out of the QuerySet's filter). `user` is the staff
        member; a job passes `username` (its name) instead. A constant number of queries,
        however many requests."""
        if isinstance(requests, models.QuerySet):
            ids = list(requests.order_by("pk").values_list("pk", flat=True))
            location_ids = set(requests.order_by().values_list("location_id", flat=True).distinct())
        else:
            ids = [r.pk for r in requests]
            location_ids = {r.location_id for r in requests}
        event = cls.objects.create(
            action=action,
            user_id=getattr(user, "pk", None),
            username=user.get_username() if user is not None else username,
            request_ids=ids,
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
