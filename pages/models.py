import datetime
import json
import re
import zoneinfo
from decimal import Decimal
from urllib.parse import urlencode

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from . import geo, hours, images, phones
from .usstates import US_STATES

# Top-level paths a location slug must not take: /<slug>/ would hide them.
# Spanish pages live under /es/, with Spanish path words (locale/es/LC_MESSAGES/django.po).
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "appointments",
        "consultation",
        "healthz",
        "language-assistance",
        "locations",
        "media",
        "nondiscrimination",
        "robots.txt",
        "sitemap.xml",
        "static",
        # Spanish: the language prefix and the path words under it.
        "es",
        "consulta",
        "citas",
        "clinicas",
        "ayuda-con-idiomas",
        "no-discriminacion",
    }
)


def validate_slug_not_reserved(value):
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            "“%(value)s” is used by another part of the site. Choose another web address.",
            params={"value": value},
        )


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name. Use one like “America/Chicago”."),
            params={"value": value},
        )


def default_time_zone():
    """The site's own time zone (settings.TIME_ZONE), read when a location is created."""
    return settings.TIME_ZONE


def validate_e164_phone(value):
    """Stored numbers are E.164 (+14025550100), as the consultation form stores patients'."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != value
    ):
        raise ValidationError(
            _("Enter a phone number patients can call, with the area code."), code="phone"
        )


def validate_street_address(value):
    if len(value.splitlines()) > 2:
        raise ValidationError(_("Use at most two lines for the street address."))


# Friendly names for the time zones US clinics use; any other shows its IANA name.
ZONE_NAMES = {
    "America/New_York": _("Eastern Time"),
    "America/Detroit": _("Eastern Time"),
    "America/Indiana/Indianapolis": _("Eastern Time"),
    "America/Kentucky/Louisville": _("Eastern Time"),
    "America/Chicago": _("Central Time"),
    "America/Indiana/Knox": _("Central Time"),
    "America/Menominee": _("Central Time"),
    "America/North_Dakota/Center": _("Central Time"),
    "America/Denver": _("Mountain Time"),
    "America/Boise": _("Mountain Time"),
    "America/Phoenix": _("Arizona Time"),
    "America/Los_Angeles": _("Pacific Time"),
    "America/Anchorage": _("Alaska Time"),
    "Pacific/Honolulu": _("Hawaii Time"),
    "America/Puerto_Rico": _("Atlantic Time"),
}

# Closure dates listed on the page: the coming weeks only.
UPCOMING_CLOSURE_DAYS = 60

# ASCII digits only: `\d` takes any script's digits, which the ZIP lookup cannot read.
validate_postal_code = RegexValidator(
    r"^[0-9]{5}(-[0-9]{4})?\Z",
    _("Enter a ZIP code of 5 digits, or ZIP+4 like 68005-1234."),
    code="postal_code",
)


class LocationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_hours(self):
        """Fetch opening hours and closures in two queries, whatever the number of
        locations, for `Location.schedule()`."""
        return self.prefetch_related("opening_hours", "closures")


class Location(models.Model):
    name = models.CharField(
        max_length=80, unique=True, help_text="Shown to patients, e.g. “Bellevue”."
    )
    slug = models.SlugField(
        max_length=80,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text="The web address of this location's pages, e.g. “bellevue” for /bellevue/.",
    )
    street_address = models.TextField(
        _("street address"),
        max_length=200,
        blank=True,
        validators=[validate_street_address],
        help_text=_("One or two lines, e.g. “1000 Main Street” and “Suite 200”."),
    )
    city = models.CharField(_("city"), max_length=80, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True, choices=US_STATES)
    postal_code = models.CharField(
        _("ZIP code"),
        max_length=10,
        blank=True,
        validators=[validate_postal_code],
        help_text=_("5 digits, or ZIP+4 like 68005-1234."),
    )
    # From the ZIP code (pages.geo), for the clinic finder's distances and the JSON-LD geo.
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("The clinic's opening hours are in this time zone."),
    )
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[validate_e164_phone],
        help_text=_("Number patients should call, e.g. (402) 555-0100."),
    )
    staff_notes = models.TextField(
        _("staff notes"),
        blank=True,
        help_text=_("Never shown to patients. Holds the old free-text address and hours."),
    )
    map_url = models.URLField(blank=True, help_text="Link to a map of this location (optional).")
    photo = models.ImageField(
        upload_to="locations/",
        blank=True,
        validators=[images.validate_photo],
        help_text="A photo of the clinic (JPEG, PNG or WebP). Location data is removed on upload.",
    )
    photo_alt = models.CharField(
        "photo description",
        max_length=200,
        blank=True,
        help_text="Describe the photo for people who cannot see it.",
    )
    # Generated from the photo on upload; see pages.images.
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    notification_email = models.EmailField(
        blank=True,
        help_text="Who hears about new consultation requests here. "
        "Empty: the site-wide fallback address.",
    )
    response_target_hours = models.DecimalField(
        "response target (business hours)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25"))],
        help_text="How soon staff should first contact a patient who asks for a "
        "consultation here, in opening hours. Empty: the site-wide target.",
    )
    is_active = models.BooleanField(
        default=True, help_text="Only active locations have pages and take requests."
    )
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        point = geo.zip_point(self.postal_code)
        self.latitude, self.longitude = point if point else (None, None)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "postal_code" in update_fields:
            kwargs["update_fields"] = {*update_fields, "latitude", "longitude"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pages:location", kwargs={"slug": self.slug})

    def get_isotretinoin_url(self):
        return reverse("pages:isotretinoin", kwargs={"slug": self.slug})

    @property
    def zone(self):
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def street_lines(self):
        return [line.strip() for line in self.street_address.splitlines() if line.strip()]

    @property
    def locality_line(self):
        """“Bellevue, NE 68005”, with whichever parts were entered."""
        region = " ".join(part for part in [self.state, self.postal_code] if part)
        return ", ".join(part for part in [self.city, region] if part)

    @property
    def has_address(self):
        return bool(self.street_address.strip() or self.city or self.state or self.postal_code)

    @property
    def address_one_line(self):
        return ", ".join([*self.street_lines, self.locality_line]).strip(", ")

    @property
    def directions_url(self):
        """Staff's own map link, else a map search for the address: a link the patient
        chooses to follow (the page itself loads nothing from the map's host)."""
        if self.map_url:
            return self.map_url
        if not self.has_address:
            return ""
        query = urlencode({"api": "1", "query": f"MOD Dermatology, {self.address_one_line}"})
        return f"https://www.google.com/maps/search/?{query}"

    @property
    def phone_display(self):
        """The phone in national format, “(402) 555-0100”."""
        if not self.phone:
            return ""
        memo = self.__dict__.get("_phone_display")
        if memo and memo[0] == self.phone:  # parsing costs; pages show it more than once
            return memo[1]
        self.__dict__["_phone_display"] = (self.phone, self._format_phone())
        return self.__dict__["_phone_display"][1]

    def _format_phone(self):
        return phones.display(self.phone)

    @property
    def has_contact_details(self):
        return bool(self.has_address or self.phone or self.map_url or self.schedule().intervals)

    def schedule(self):
        """Its hours as a `pages.hours.Schedule`, from prefetched rows when present
        (`Location.objects.with_hours()`), else two queries."""
        cached = getattr(self, "_schedule", None)
        if cached is not None:
            return cached
        if self.pk is None:
            rows, closed = [], []
        else:
            rows = self.opening_hours.all()
            closed = self.closures.all()
        self._schedule = hours.Schedule(
            time_zone=self.zone,
            intervals=tuple(
                hours.Interval(row.weekday, row.opens, row.closes)
                for row in sorted(rows, key=lambda r: (r.weekday, r.opens))
            ),
            closed_dates=frozenset(c.date for c in closed),
        )
        return self._schedule

    def hours_for_page(self):
        """The weekly table and the data static/js/opening-hours.js reads (same rows)."""
        schedule = self.schedule()
        if schedule.is_empty():
            return {"rows": []}
        by_day = {day: [] for day in range(7)}
        for interval in schedule.intervals:
            by_day[interval.weekday].append((interval.opens, interval.closes))
        today = timezone.now().astimezone(schedule.time_zone).date()
        # Dates before yesterday cannot matter to "open now"; a year ahead is plenty.
        closed = sorted(
            d
            for d in schedule.closed_dates
            if today - datetime.timedelta(days=1) <= d <= today + datetime.timedelta(days=366)
        )
        soon = today + datetime.timedelta(days=UPCOMING_CLOSURE_DAYS)
        closures = [c for c in self.closures.all() if today <= c.date <= soon]
        return {
            "rows": [(Weekday(day).label, by_day[day]) for day in range(7)],
            "data": json.dumps(
                [[i.weekday, f"{i.opens:%H:%M}", f"{i.closes:%H:%M}"] for i in schedule.intervals],
                separators=(",", ":"),
            ),
            "closed_data": json.dumps([d.isoformat() for d in closed], separators=(",", ":")),
            "closures": sorted(closures, key=lambda c: c.date),
            "zone_name": ZONE_NAMES.get(self.time_zone, self.time_zone),
        }

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("_schedule", None)
        super().refresh_from_db(*args, **kwargs)

    def photo_srcsets(self):
        """srcset strings for the photo's renditions, by format, for <picture>."""
        result = {}
        for fmt in ("webp", "jpeg"):
            sizes = self.photo_renditions.get(fmt) or {}
            ordered = sorted(sizes.items(), key=lambda item: int(item[0]))
            result[fmt] = ", ".join(
                f"{default_storage.url(name)} {width}w" for width, name in ordered
            )
        return result


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period on one weekday; several a day for a lunch break, none: closed."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(
        _("closes"),
        help_text=_("Earlier than the opening time: open past midnight. 0:00: until midnight."),
    )

    class Meta:
        ordering = ["location", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self):
        if self.opens is not None and self.opens == self.closes and self.opens != datetime.time(0):
            raise ValidationError(
                _("Opening and closing times are the same. For a whole day use 0:00 to 0:00.")
            )

    def week_minutes(self):
        """[start, end) in minutes from Monday 0:00; end may pass the week's end."""
        start = self.weekday * 1440 + self.opens.hour * 60 + self.opens.minute
        closes = self.closes.hour * 60 + self.closes.minute
        opens = self.opens.hour * 60 + self.opens.minute
        length = closes - opens if closes > opens else closes + 1440 - opens
        return start, start + length


def find_overlaps(rows):
    """Pairs of rows (OpeningHours, unsaved too) whose opening periods overlap; touching
    periods (12:00-13:00 and 13:00-17:00) do not."""
    week = 7 * 1440
    spans = [(row, *row.week_minutes()) for row in rows]
    overlaps = []
    for i, (a, a_start, a_end) in enumerate(spans):
        for b, b_start, b_end in spans[i + 1 :]:
            # Compare in the week and shifted by a week, for Sunday-night rows.
            for shift in (-week, 0, week):
                if a_start < b_end + shift and b_start + shift < a_end:
                    overlaps.append((a, b))
                    break
    return overlaps


class ClosureDate(models.Model):
    """A day the clinic is closed although its weekly hours say open (e.g. a holiday)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    reason = models.CharField(
        _("reason"), max_length=80, blank=True, help_text=_("Shown to patients, e.g. “Holiday”.")
    )

    class Meta:
        ordering = ["location", "date"]
        constraints = [
            models.UniqueConstraint(fields=["location", "date"], name="closure_once_per_day")
        ]
        verbose_name = _("closure date")
        verbose_name_plural = _("closure dates")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()


# Patient pages whose medical text clinicians review (one template each, every location).
class PatientPage(models.TextChoices):
    ISOTRETINOIN = "isotretinoin", "Isotretinoin treatment page"


# Page languages as staff read them in the admin ("Spanish", not "Español").
LANGUAGE_CHOICES = [(code, get_language_info(code)["name"]) for code, _name in settings.LANGUAGES]

# A review older than this is flagged in the admin and by `manage.py check --deploy`.
REVIEW_MAX_AGE_DAYS = 365


class ClinicalReviewQuerySet(models.QuerySet):
    def for_page(self, page, language):
        return self.filter(page=page, language=language)

    def latest_for(self, page, language):
        return self.for_page(page, language).order_by("-reviewed_on", "-pk").first()

    def overdue_pages(self, today=None):
        """(page, language, latest review) for every page and language whose latest review
        is more than REVIEW_MAX_AGE_DAYS old."""
        today = today or timezone.localdate()
        cutoff = today - datetime.timedelta(days=REVIEW_MAX_AGE_DAYS)
        overdue = []
        for page in PatientPage.values:
            for language, _name in settings.LANGUAGES:
                latest = self.latest_for(page, language)
                if latest and latest.reviewed_on < cutoff:
                    overdue.append((page, language, latest))
        return overdue


class ClinicalReview(models.Model):
    """A clinician read a patient page's medical text in one language and approved it.

    Names and credentials are exactly what staff type: the site never makes one up.
    """

    page = models.CharField(max_length=40, choices=PatientPage.choices)
    language = models.CharField(max_length=10, choices=LANGUAGE_CHOICES)
    reviewer_name = models.CharField(
        max_length=120, help_text="As it should appear to patients, e.g. “Jane Doe”."
    )
    reviewer_credentials = models.CharField(
        max_length=120, blank=True, help_text="As the reviewer writes them, e.g. “MD, FAAD”."
    )
    reviewed_on = models.DateField("date reviewed", default=timezone.localdate)
    note = models.TextField(blank=True, help_text="For staff: what was checked or changed.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicalReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = "clinical review"

    def __str__(self):
        return f"{self.get_page_display()} ({self.language}) reviewed {self.reviewed_on}"

    @property
    def reviewer(self):
        """ "Jane Doe, MD" — name and credentials as typed."""
        return ", ".join(part for part in (self.reviewer_name, self.reviewer_credentials) if part)

    @property
    def is_overdue(self):
        age = timezone.localdate() - self.reviewed_on
        return age > datetime.timedelta(days=REVIEW_MAX_AGE_DAYS)


class ContentUpdateQuerySet(models.QuerySet):
    def latest_for(self, page, language):
        return self.filter(page=page, language=language).order_by("-updated_on", "-pk").first()


class ContentUpdate(models.Model):
    """When a patient page's text last changed. Not a clinical review: it names nobody,
    and pages show it only while no review is recorded."""

    page = models.CharField(max_length=40, choices=PatientPage.choices)
    language = models.CharField(max_length=10, choices=LANGUAGE_CHOICES)
    updated_on = models.DateField("date updated", default=timezone.localdate)
    note = models.TextField(blank=True, help_text="For staff: what changed.")

    objects = ContentUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_on", "-pk"]

    def __str__(self):
        return f"{self.get_page_display()} ({self.language}) updated {self.updated_on}"


def validate_language_code(value):
    # Short parts of letters and digits joined by hyphens: what the lang attribute takes.
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", value):
        raise ValidationError(
            "Use a language code like “vi”, “zh-Hant” or “ar”.", code="invalid_language"
        )


class LanguageTaglineQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class LanguageTagline(models.Model):
    """A short "free language help is available" line in a further language, for the
    language-assistance notice. Staff add these from translations they trust; the site
    ships none, so nothing is shown in a language nobody could check."""

    class Direction(models.TextChoices):
        LTR = "ltr", "Left to right"
        RTL = "rtl", "Right to left (e.g. Arabic, Farsi, Urdu)"

    language_name = models.CharField(
        max_length=60, help_text="The language's name in that language, e.g. “Tiếng Việt”."
    )
    language_code = models.CharField(
        max_length=20,
        help_text="Its code for browsers and screen readers (BCP 47), e.g. “vi” or “zh-Hant”.",
        validators=[validate_language_code],
    )
    text = models.TextField(help_text="The tagline, exactly as the translator wrote it.")
    direction = models.CharField(
        "text direction", max_length=3, choices=Direction.choices, default=Direction.LTR
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = LanguageTaglineQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "language_name"]

    def __str__(self):
        return self.language_name


class CivilRightsCoordinator(models.Model):
    """Who patients contact if they think they were treated unfairly: the practice's
    Section 1557 coordinator, named on the notice of nondiscrimination. One row for the
    whole practice, entered by staff; until then the notice sends patients to the front
    desk and names nobody."""

    who = models.CharField(
        _("name or job title"),
        max_length=100,
        help_text=_("Shown to patients, e.g. “Practice manager” or a person's name."),
    )
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[validate_e164_phone],
        help_text=_("e.g. (402) 555-0100"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    mailing_address = models.TextField(_("mailing address"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("civil rights coordinator (Section 1557)")
        verbose_name_plural = _("civil rights coordinator (Section 1557)")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="one_civil_rights_coordinator")
        ]

    def __str__(self):
        return self.who

    def save(self, *args, **kwargs):
        self.pk = 1  # one for the whole practice
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).first()

    @property
    def phone_display(self):
        return phones.display(self.phone) if self.phone else ""


class DailyPageViews(models.Model):
    """How many times a patient page was seen on one day (local date, settings.TIME_ZONE).

    Daily totals only: no address, user agent, cookie or any other trace of a visitor is
    ever stored (pages/visits.py counts them). Rows without a location are the pages that
    belong to no clinic: the general consultation form and the thank-you page.
    """

    class Kind(models.TextChoices):
        OVERVIEW = "overview", _("Location page")
        TREATMENT = "treatment", _("Treatment page")
        FORM = "form", _("Consultation form")
        THANKS = "thanks", _("Thank-you page")

    day = models.DateField()
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="daily_views"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily page views")
        verbose_name_plural = _("daily page views")
        ordering = ["-day", "location", "kind"]
        # One row per day, location and kind. NULL never equals NULL in a unique index, so
        # the rows without a location get an index of their own.
        constraints = [
            models.UniqueConstraint(
                fields=["location", "day", "kind"],
                condition=models.Q(location__isnull=False),
                name="pages_daily_views_one_row_per_location",
            ),
            models.UniqueConstraint(
                fields=["day", "kind"],
                condition=models.Q(location__isnull=True),
                name="pages_daily_views_one_row_without_location",
            ),
        ]

    def __str__(self):
        where = self.location or "all clinics"
        return f"{self.get_kind_display()}, {where}, {self.day}: {self.count}"
