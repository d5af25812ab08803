"""What the Section 1557 notices name: taglines in further languages for the
language-assistance notice, and the practice's civil rights coordinator."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import phones
from .locations import validate_e164_phone


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
