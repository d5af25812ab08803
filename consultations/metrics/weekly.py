"""The dashboard chart's data: requests and median time to first contact per week
(consultations.charts lays it out)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from .config import site_time_zone
from .percentiles import MEDIAN, percentiles_by_group

CHART_WEEKS = 12


@dataclass
class Week:
    start: datetime
    requests: int = 0
    median_minutes: float | None = None


def weekly(requests, weeks=CHART_WEEKS, now=None):
    """Requests and median business minutes to first contact per week (Monday start,
    site time zone), oldest first, for the last `weeks` weeks including this one."""
    now = now or timezone.now()
    tz = site_time_zone()
    today = timezone.localtime(now, tz).date()
    monday = today - timedelta(days=today.weekday())
    starts = [
        datetime.combine(monday - timedelta(weeks=n), time(0), tzinfo=tz)
        for n in range(weeks - 1, -1, -1)
    ]
    result = [Week(start) for start in starts]
    # Each row's week number from plain comparisons with boundaries worked out here (in
    # local time, so DST weeks are right): no date function per row, which SQLite would
    # run in Python.
    number = Case(
        *[
            When(created_at__gte=start, then=Value(n))
            for n, start in reversed(list(enumerate(starts)))
        ],
        output_field=IntegerField(),
    )
    recent = requests.filter(created_at__gte=starts[0]).annotate(week=number)
    spreads = percentiles_by_group(
        recent, "first_contact_business_minutes", group_by="week", percents=(MEDIAN,)
    )
    for n, spread in spreads.items():
        result[n].requests = spread.rows
        result[n].median_minutes = spread.values.get(MEDIAN)
    return result
