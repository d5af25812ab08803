"""Clinics: where they are, how to reach them, their hours (as a `pages.hours.Schedule`)
and the checks on what staff type in. How a clinic is shown on a page is
`pages.presentation`; the model keeps the names the templates use."""

import zoneinfo
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import geo, hours, images, phones, presentation
from ..usstates import US_STATES

# Top-level paths a location slug must not take: /<slug>/ would hide them.
# Spanish pages live under /es/, with Spanish path words (locale/es/LC_MESSAGES/django.po).
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "consultation",
        "healthz",
        "language-assistance",
        "locations",
        "media",
        "nondiscrimination",
        "privacy",
        "robots.txt",
        "slot-feed",
        "staff-calendar",
        "appointments",
        "sitemap.xml",
        "static",
        # Spanish: the language prefix and the path words under it.
        "es",
        "consulta",
        "clinicas",
        "ayuda-con-idiomas",
        "no-discriminacion",
        "privacidad",
        "citas",
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
        return presentation.address_one_line(self)

    @property
    def directions_url(self):
        return presentation.directions_url(self)

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
        return presentation.opening_hours_for_page(self)

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("_schedule", None)
        super().refresh_from_db(*args, **kwargs)

    def photo_srcsets(self):
        return presentation.photo_srcsets(self)
