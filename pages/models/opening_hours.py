"""A clinic's weekly opening hours and the days it is closed. (The clinic is named by
string, "pages.Location", so pages.presentation can import the weekdays without a cycle.)"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    location = models.ForeignKey(
        "pages.Location", on_delete=models.CASCADE, related_name="opening_hours"
    )
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

    location = models.ForeignKey(
        "pages.Location", on_delete=models.CASCADE, related_name="closures"
    )
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
