import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
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
        """Everything, unless the user is limited to some locations (StaffLocationAccess)."""
        locations = StaffLocationAccess.locations_for(user)
        return self if locations is None else self.filter(location__in=locations)

    def set_status(self, status):
        """Change status; moving to "contacted" stamps first_contacted_at once."""
        now = timezone.now()
        if status == ConsultationRequest.Status.CONTACTED:
            self.filter(first_contacted_at__isnull=True).update(first_contacted_at=now)
        # update() skips auto_now, so the change time is set here.
        return self.update(status=status, updated_at=now)


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
    created_at = models.DateTimeField("received", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
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
    """Limits a staff member to some locations. Staff with no rows here see every location."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="location_access"
    )
    # PROTECT: deleting the location would otherwise leave its staff with no rows, and no
    # rows means every location.
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
    def locations_for(cls, user):
        """Location ids the user is limited to, or None for no limit."""
        if user.is_superuser:
            return None
        ids = list(cls.objects.filter(user=user).values_list("location_id", flat=True))
        return ids or None


class NotificationOutboxQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(
            state=NotificationOutbox.State.PENDING, next_attempt_at__lte=now or timezone.now()
        )


class NotificationOutbox(models.Model):
    """Outbox row: "tell staff about request N". Written in the same transaction as the
    request, so a mail outage never loses the message; the e-mail holds no patient data."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.CASCADE, related_name="notifications"
    )
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

    def __str__(self):
        return f"Notification for request #{self.request_id} ({self.get_state_display()})"


class DeletionLog(models.Model):
    """One row per deleted request, kept after it is gone. No patient details."""

    request_id = models.BigIntegerField(db_index=True)
    location_name = models.CharField(max_length=80)
    request_created_at = models.DateTimeField()
    request_updated_at = models.DateTimeField()
    status = models.CharField(max_length=10)
    deleted_at = models.DateTimeField(auto_now_add=True)
    deleted_by = models.CharField(
        max_length=150, help_text="Staff username, or the command that removed it."
    )
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["-deleted_at", "-pk"]

    def __str__(self):
        return f"Request #{self.request_id} deleted by {self.deleted_by}"

    @classmethod
    def record(cls, requests, deleted_by, reason):
        cls.objects.bulk_create(
            cls(
                request_id=r.pk,
                location_name=r.location.name,
                request_created_at=r.created_at,
                request_updated_at=r.updated_at,
                status=r.status,
                deleted_by=deleted_by,
                reason=reason,
            )
            for r in requests
        )


class AuditEvent(models.Model):
    """Who opened, exported, changed or deleted requests. Kept after the requests go."""

    class Action(models.TextChoices):
        VIEW = "view", "Opened"
        CHANGE = "change", "Changed"
        EXPORT = "export", "Exported"
        DELETE = "delete", "Deleted"

    action = models.CharField(max_length=10, choices=Action.choices)
    # Plain ids, not foreign keys: the log must outlive the users and the requests.
    user_id = models.IntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    request_ids = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        who = self.username or "system"
        return f"{who} {self.get_action_display().lower()} {self.count} request(s)"

    @classmethod
    def record(cls, action, requests_or_ids, user=None, detail=""):
        ids = [getattr(item, "pk", item) for item in requests_or_ids]
        return cls.objects.create(
            action=action,
            user_id=getattr(user, "pk", None),
            username=getattr(user, "username", ""),
            request_ids=ids,
            count=len(ids),
            detail=detail,
        )
