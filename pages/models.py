from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MinValueValidator
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
