"""Patient pages' medical text: clinicians' reviews and when the text last changed."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language_info


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
