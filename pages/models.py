import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info

from . import images

# Top-level paths a location slug must not take: /<slug>/ would hide them.
# Spanish pages live under /es/, with Spanish path words (locale/es/LC_MESSAGES/django.po).
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "consultation",
        "healthz",
        "language-assistance",
        "media",
        "nondiscrimination",
        "robots.txt",
        "sitemap.xml",
        "static",
        # Spanish: the language prefix and the path words under it.
        "es",
        "consulta",
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
