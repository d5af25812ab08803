from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.urls import reverse

from . import images

# Top-level paths a location slug must not take: /<slug>/ would hide them.
RESERVED_SLUGS = frozenset(
    {"admin", "consultation", "healthz", "media", "robots.txt", "sitemap.xml", "static"}
)


def validate_slug_not_reserved(value):
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            "“%(value)s” is used by another part of the site. Choose another web address.",
            params={"value": value},
        )


class LocationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


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
    address = models.TextField(blank=True, help_text="Street address. Leave empty until confirmed.")
    phone = models.CharField(max_length=40, blank=True, help_text="Number patients should call.")
    hours = models.TextField(blank=True, help_text="Opening hours, one line per day or range.")
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

    def get_absolute_url(self):
        return reverse("pages:location", kwargs={"slug": self.slug})

    def get_isotretinoin_url(self):
        return reverse("pages:isotretinoin", kwargs={"slug": self.slug})

    @property
    def has_contact_details(self):
        return any([self.address, self.phone, self.hours, self.map_url])

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


class DailyPageViews(models.Model):
    """How many times a patient page was seen on one day (local date, settings.TIME_ZONE).

    Daily totals only: no address, user agent, cookie or any other trace of a visitor is
    ever stored (pages/visits.py counts them). Rows without a location are the pages that
    belong to no clinic: the general consultation form and the thank-you page.
    """

    class Kind(models.TextChoices):
        OVERVIEW = "overview", "Location page"
        TREATMENT = "treatment", "Treatment page"
        FORM = "form", "Consultation form"
        THANKS = "thanks", "Thank-you page"

    day = models.DateField()
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="daily_views"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "daily page views"
        verbose_name_plural = "daily page views"
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
