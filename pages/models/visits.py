"""Daily page-view counts (pages/visits.py counts them in memory and writes them here)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .locations import Location


class DailyPageViews(models.Model):
    """How many times a patient page was seen on one day (local date, settings.TIME_ZONE).

    Daily totals only: no address, user agent, cookie or any other trace of a visitor is
    ever stored (pages/visits.py counts them). Rows without a location are the pages that
    belong to no clinic: the general consultation form and the thank-you page. The booking
    page (choosing a time) always belongs to a clinic.
    """

    class Kind(models.TextChoices):
        OVERVIEW = "overview", _("Location page")
        TREATMENT = "treatment", _("Treatment page")
        FORM = "form", _("Consultation form")
        THANKS = "thanks", _("Thank-you page")
        BOOKING = "booking", _("Booking page")

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
