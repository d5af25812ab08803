"""The two settings behind response times, read strictly: CONSULTATION_DEFAULT_HOURS (the
site-wide week) and CONSULTATION_RESPONSE_TARGET_HOURS. `check_settings` runs at start-up
(ConsultationsConfig.ready), so a typo stops the site instead of turning the clock off."""

import functools
import re
import zoneinfo
from datetime import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from pages import hours
from staff.targets import parse_target as _parse_target
from staff.targets import site_target_hours as site_target_hours

_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_RANGE = re.compile(rf"^{_TIME}-{_TIME}$")


@functools.lru_cache(maxsize=8)
def parse_week(text):
    """Intervals for a week written like "Mon-Fri 08:00-17:00; Sat 09:00-12:00".

    Groups are separated by ";"; each is days (a day, a range "Mon-Fri", or a list
    "Mon,Wed") and one or more time ranges ("08:00-12:00,13:00-17:00"). A closing time
    at or before the opening time runs past midnight. Anything else is refused with
    ImproperlyConfigured: a mistyped week must not silently become "always closed".
    """
    intervals = []
    for group in filter(None, (part.strip() for part in text.split(";"))):
        try:
            days_text, ranges_text = group.split(None, 1)
        except ValueError:
            raise _bad_week(text, f"“{group}” needs days and times") from None
        days = _parse_days(text, days_text)
        for range_text in ranges_text.replace(" ", "").split(","):
            match = _RANGE.match(range_text)
            if not match:
                raise _bad_week(text, f"“{range_text}” is not a time range like 08:00-17:00")
            opens = time(int(match[1]), int(match[2]))
            closes = time(int(match[3]), int(match[4]))
            if opens == closes:
                raise _bad_week(text, f"“{range_text}” opens and closes at the same time")
            intervals.extend(hours.Interval(day, opens, closes) for day in days)
    if not intervals:
        raise _bad_week(text, "it has no opening hours")
    return tuple(intervals)


def _parse_days(text, days_text):
    days = []
    for item in days_text.split(","):
        first, _, last = item.strip().lower().partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise _bad_week(text, f"“{item}” is not a day or range like Mon-Fri")
        start, end = _DAYS[first], _DAYS[last or first]
        if end < start:
            raise _bad_week(text, f"“{item}” runs backwards")
        days.extend(range(start, end + 1))
    return days


def _bad_week(text, reason):
    return ImproperlyConfigured(
        f"CONSULTATION_DEFAULT_HOURS={text!r} cannot be read: {reason}. "
        "Write it like “Mon-Fri 08:00-17:00; Sat 09:00-12:00”."
    )


def check_settings():
    """Read both settings once at start-up (ConsultationsConfig.ready), so a typo stops
    the site from starting instead of turning the response clock off."""
    parse_week(settings.CONSULTATION_DEFAULT_HOURS)
    _parse_target(settings.CONSULTATION_RESPONSE_TARGET_HOURS)


def site_time_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)
