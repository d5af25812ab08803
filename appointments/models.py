"""Online booking: what can be booked where (types, weekly windows, blocks), and the
bookings themselves with their history.

No time is ever booked twice, and the database is what guarantees it: a booking holds one
seat row in every five-minute unit it covers (its buffer included), and a seat is unique
per clinic, unit and seat number, with seat numbers below the type's capacity. Two
bookings that overlap in any unit therefore need two different seats there, whatever
their lengths, and a full unit has no seat left to take: the second insert fails."""

import datetime
import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pages import contact, phones
from pages.models import Location
from staff.models import VisibleToQuerySet

# The grid every length, buffer, step and window edge sits on; one seat row per unit.
UNIT_MINUTES = 5
UNIT = datetime.timedelta(minutes=UNIT_MINUTES)


def validate_on_unit(value):
    if value % UNIT_MINUTES:
        raise ValidationError(f"Use a multiple of {UNIT_MINUTES} minutes.")


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class PatientType(models.TextChoices):
    NEW = "new", _("New patient")
    RETURNING = "returning", _("Returning patient")


class AppointmentTypeQuerySet(VisibleToQuerySet):
    location_field = "location"

    def bookable(self):
        return self.filter(
            is_active=True, location__is_active=True, windows__isnull=False
        ).distinct()


class AppointmentType(models.Model):
    class Who(models.TextChoices):
        BOTH = "both", "New and returning patients"
        NEW = "new", "New patients only"
        RETURNING = "returning", "Returning patients only"

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="appointment_types"
    )
    name_en = models.CharField(
        "name shown to patients (English)",
        max_length=80,
        help_text="For example “New patient consultation”.",
    )
    name_es = models.CharField(
        "name shown to patients (Spanish)",
        max_length=80,
        help_text="For example “Primera consulta”.",
    )
    minutes = models.PositiveSmallIntegerField(
        "length (minutes)",
        default=30,
        validators=[MinValueValidator(UNIT_MINUTES), MaxValueValidator(480), validate_on_unit],
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        "buffer after (minutes)",
        default=0,
        validators=[MaxValueValidator(240), validate_on_unit],
        help_text="Kept free after each visit.",
    )
    step_minutes = models.PositiveSmallIntegerField(
        "slot step (minutes)",
        default=30,
        validators=[MinValueValidator(UNIT_MINUTES), MaxValueValidator(240), validate_on_unit],
        help_text="Times offered start this many minutes apart, from each window's start.",
    )
    notice_hours = models.PositiveSmallIntegerField(
        "minimum notice (hours)", default=24, validators=[MaxValueValidator(24 * 60)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        "booking horizon (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Patients can book up to and including the clinic's date this many days ahead.",
    )
    who_may_book = models.CharField(max_length=10, choices=Who.choices, default=Who.BOTH)
    capacity = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many patients can be booked at the same time.",
    )
    is_active = models.BooleanField("active", default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = AppointmentTypeQuerySet.as_manager()

    class Meta:
        ordering = ["location", "sort_order", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name_en"], name="one_type_name_per_clinic")
        ]

    def __str__(self):
        return f"{self.name_en} ({self.location})"

    @property
    def name(self):
        """The patient-facing name in the page's language."""
        return (
            self.name_es
            if (get_language() or "").startswith("es") and self.name_es
            else self.name_en
        )

    @property
    def occupies(self):
        """How long a booking of this type holds its seats: the visit and its buffer."""
        return datetime.timedelta(minutes=self.minutes + self.buffer_minutes)

    def accepts(self, patient_type):
        return self.who_may_book in (self.Who.BOTH, patient_type)


class BookableWindowQuerySet(VisibleToQuerySet):
    location_field = "appointment_type__location"


class BookableWindow(models.Model):
    """A weekly stretch of the clinic's wall-clock time in which a type can be booked
    (several a day are fine)."""

    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.CASCADE, related_name="windows"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    objects = BookableWindowQuerySet.as_manager()

    class Meta:
        ordering = ["appointment_type", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="window_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self):
        for value in (self.starts, self.ends):
            if value is not None and (value.minute % UNIT_MINUTES or value.second):
                raise ValidationError(f"Use times on a {UNIT_MINUTES}-minute mark, like 09:05.")
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValidationError("The window must end after it starts (on the same day).")


class BookingBlockQuerySet(VisibleToQuerySet):
    location_field = "location"


class BookingBlock(models.Model):
    """A one-off stretch of the clinic's local time when nothing can be booked (a
    dermatologist's day off). Whole day when the times are empty."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="booking_blocks")
    date = models.DateField()
    starts = models.TimeField(null=True, blank=True, help_text="Empty: the whole day.")
    ends = models.TimeField(null=True, blank=True, help_text="Empty: to the end of the day.")
    reason = models.CharField(max_length=80, blank=True, help_text="For staff only.")

    objects = BookingBlockQuerySet.as_manager()

    class Meta:
        ordering = ["location", "date", "starts"]

    def __str__(self):
        if self.starts is None and self.ends is None:
            return f"{self.date:%Y-%m-%d} (whole day)"
        return f"{self.date:%Y-%m-%d} {self.starts or '00:00'}-{self.ends or '24:00'}"

    def clean(self):
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValidationError("The block must end after it starts.")


class BookingQuerySet(VisibleToQuerySet):
    location_field = "location"

    def live(self):
        return self.exclude(status__in=Booking.CANCELLED)

    def due_for_purge(self, cutoff):
        """Bookings kept long enough: the visit ended before `cutoff`, whatever its status,
        or it was cancelled and left unchanged since `cutoff` (a cancelled visit may lie
        far ahead, or never have a date worth keeping)."""
        ended = models.Q(ends_at__lt=cutoff)
        cancelled = models.Q(status__in=Booking.CANCELLED, updated_at__lt=cutoff)
        return self.filter(ended | cancelled)


def hash_token(token):
    return hashlib.sha256(str(token).encode()).hexdigest()


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED_BY_PATIENT = "cancelled_by_patient", "Cancelled by the patient"
        CANCELLED_BY_CLINIC = "cancelled_by_clinic", "Cancelled by the clinic"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not come"

    CANCELLED = (Status.CANCELLED_BY_PATIENT, Status.CANCELLED_BY_CLINIC)
    # What the patient tells us when booking (the form, the service and the admin's
    # read-only list name the same fields).
    PATIENT_DETAILS = (
        "first_name",
        "last_name",
        "contact_method",
        "phone",
        "phone_extension",
        "email",
        "patient_type",
        "topic",
        "message",
    )
    # The patient's yes/no answers (boxes on the form), stored as booleans.
    PATIENT_ANSWERS = ("email_updates", "interpreter_needed")

    ContactMethod = contact.ContactMethod

    Topic = contact.Topic

    # The id the calendar file's UID and the outbox name; never the database id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="bookings"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="bookings")
    # Stored in UTC (USE_TZ); shown in the clinic's zone.
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    phone = models.CharField(max_length=20, blank=True)
    phone_extension = models.CharField(
        max_length=10, blank=True, help_text="Digits to dial after the phone number answers."
    )
    email = models.EmailField(blank=True)
    patient_type = models.CharField(max_length=10, choices=PatientType.choices)
    topic = models.CharField(max_length=20, choices=Topic.choices, blank=True)
    message = models.TextField(max_length=1000, blank=True)
    language = models.CharField(max_length=5, default="en")
    # Ticked "e-mail me about my appointment": only then do we write to the patient.
    email_updates = models.BooleanField("e-mail updates wanted", default=False)
    # Health-adjacent: shown to staff (admin, day sheet) and in the FHIR export only, never
    # in an e-mail, a calendar file, the staff feed, a log or a URL.
    interpreter_needed = models.BooleanField("interpreter needed", default=False)
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.BOOKED, db_index=True
    )
    submission_key = models.UUIDField(unique=True, editable=False)
    manage_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The calendar file's SEQUENCE: rises with every change the patient's calendar must take.
    sequence = models.PositiveIntegerField(default=0)
    # The first-contact target (staff.targets) in the clinic's opening hours from when it
    # was booked: worked out once, when booked (backfill_enter_by fills older rows), so the
    # dashboard counts "entered within target" in the database. Moving the visit keeps it.
    enter_by = models.DateTimeField(
        "enter in the practice system by", null=True, blank=True, db_index=True
    )
    entered_in_practice_system_at = models.DateTimeField(null=True, blank=True)
    entered_in_practice_system_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            # A clinic's bookings by visit time; with the status, also the dashboard's
            # visits due (appointments.figures reads these two indexes only).
            models.Index(fields=["location", "starts_at", "status"], name="booking_clinic_visits"),
            # The dashboard's bookings made in the period, clinic by clinic (SQLite reads
            # this one, PostgreSQL the next).
            models.Index(
                fields=[
                    "location",
                    "created_at",
                    "starts_at",
                    "status",
                    "entered_in_practice_system_at",
                    "enter_by",
                ],
                name="booking_made_figures",
            ),
            # The same led by the time made: on PostgreSQL a period across all clinics is
            # one range of it, read without the table (the id is in it for COUNT(id);
            # SQLite has the row id in every index and leaves `include` out).
            models.Index(
                fields=[
                    "created_at",
                    "location",
                    "starts_at",
                    "status",
                    "entered_in_practice_system_at",
                    "enter_by",
                ],
                include=["id"],
                name="booking_made_in_period",
            ),
        ]

    def __str__(self):
        return f"Booking {str(self.public_id)[:8]}"

    @property
    def is_cancelled(self):
        return self.status in self.CANCELLED

    @property
    def wants_email(self):
        return self.email_updates and bool(self.email)

    @property
    def phone_display(self):
        """The number as staff read it, with its extension: “(402) 555-0187 ext. 123”."""
        return phones.format_phone(self.phone, self.phone_extension)

    @property
    def phone_dial(self):
        """What a tel: link dials: “+14025550187,123”."""
        return phones.dial_string(self.phone, self.phone_extension)

    def local_start(self):
        return self.starts_at.astimezone(self.location.zone)

    def local_end(self):
        return self.ends_at.astimezone(self.location.zone)


class BookingSeat(models.Model):
    """One five-minute unit of the clinic's time held by a booking, at one seat. Unique
    per clinic, unit and seat: the database refuses a second holder."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="seats")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    unit = models.DateTimeField()
    seat = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["location", "unit", "seat"], name="one_holder_per_seat"
            ),
            models.CheckConstraint(condition=models.Q(seat__lt=20), name="seat_below_max_capacity"),
        ]

    def __str__(self):
        return f"{self.unit:%Y-%m-%d %H:%M} UTC, seat {self.seat}"


class BookingChangeQuerySet(VisibleToQuerySet):
    location_field = "booking__location"


class BookingChange(models.Model):
    """History: every status change, reschedule and practice-system entry of a booking."""

    class Action(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        MOVED = "moved", "Moved"
        STATUS = "status", "Status changed"
        ENTERED = "entered", "Entered in the practice system"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.CharField(max_length=150, help_text="Staff username, or “patient”.")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    from_starts_at = models.DateTimeField(null=True, blank=True)
    to_starts_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = BookingChangeQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.by}"


class BookingReminderQuerySet(VisibleToQuerySet):
    location_field = "location"


class BookingReminder(models.Model):
    """The day-before reminder for one start time of a booking, queued once: unique per
    booking and start, so two overlapping queue_reminders runs cannot both queue it. A
    moved booking has a new start and so may get its own reminder. The outbox row is
    about this record (it names the start it was queued for)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    # When it is due: the clinic's local morning the day before the visit.
    send_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BookingReminderQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "starts_at"], name="one_reminder_per_booking_and_start"
            )
        ]

    def __str__(self):
        return f"Reminder for {self.booking} at {self.starts_at:%Y-%m-%d %H:%M} UTC"


class CalendarFeedQuerySet(VisibleToQuerySet):
    location_field = "location"


class CalendarFeed(models.Model):
    """A clinic's private calendar feed for staff: its URL holds a long random token that
    is shown once and stored only as a hash. One per clinic; making a new one replaces
    the hash, so the old URL stops working."""

    location = models.OneToOneField(Location, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now=True)
    created_by = models.CharField(max_length=150, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = "staff calendar feed"

    def __str__(self):
        return f"Calendar feed for {self.location}"
