import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from pages import contact
from pages.models import Location
from staff.models import VisibleToQuerySet


class ConsultationRequestQuerySet(VisibleToQuerySet):
    location_field = "location"

    def open(self):
        return self.exclude(status=ConsultationRequest.Status.CLOSED)

    def waiting_longer_than(self, days):
        return self.open().filter(created_at__lt=timezone.now() - timedelta(days=days))

    def due_for_purge(self, cutoff):
        """Closed requests untouched since `cutoff`; open ones are never purged."""
        return self.filter(status=ConsultationRequest.Status.CLOSED, updated_at__lt=cutoff)

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

    Topic = contact.Topic

    ContactMethod = contact.ContactMethod

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
    # "E-mail me that you got my request" (issue 20), and the page's language for that
    # e-mail (not the language for care, which staff read).
    email_ack = models.BooleanField("acknowledgement e-mail wanted", default=False)
    page_language = models.CharField(max_length=5, default="en")
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
