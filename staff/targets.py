"""The business-hours target both patient apps answer to: first contact on a request,
entering a booking in the practice system. One setting (CONSULTATION_RESPONSE_TARGET_HOURS,
a clinic may set its own) and one week for clinics without opening hours
(CONSULTATION_DEFAULT_HOURS), read here so both apps count the same way without importing
each other; the arithmetic is pages.hours."""

import functools
import logging
from datetime import UTC, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from pages import hours

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=8)
def parse_target(text):
    """The target in hours as a Decimal above 0; anything else stops the site."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0:
        raise ImproperlyConfigured(
            f"CONSULTATION_RESPONSE_TARGET_HOURS must be a number of hours above 0, "
            f"like 2 or 1.5, not {text!r}."
        )
    return value


def site_target_hours():
    return parse_target(settings.CONSULTATION_RESPONSE_TARGET_HOURS)


def target_minutes(location):
    """The clinic's target in business minutes (its own, or the site's)."""
    target = location.response_target_hours
    if target is None:
        target = site_target_hours()
    return float(target) * 60


@functools.lru_cache(maxsize=8)
def _default_week(text):
    # Checked at start-up (consultations' check_settings) with a message naming the setting.
    return hours.parse_week(text)


def schedule_for(location):
    """The clinic's opening hours; a clinic with none entered uses the site-wide week
    (CONSULTATION_DEFAULT_HOURS) in its time zone, keeping its closure dates."""
    schedule = location.schedule()
    if schedule.is_empty():
        week = _default_week(settings.CONSULTATION_DEFAULT_HOURS)
        return hours.Schedule(schedule.time_zone, week, schedule.closed_dates)
    return schedule


def due_at(location, since, schedule=None, minutes=None):
    """When the target runs out for something that started at `since`."""
    schedule = schedule or schedule_for(location)
    minutes = target_minutes(location) if minutes is None else minutes
    try:
        return hours.add_business_minutes(schedule, since, minutes)
    except ValueError:
        # Opening hours that never open again (closed for good): count clock time, so it
        # still falls due rather than waiting forever.
        logger.warning("Location %s never opens; due time counted in clock hours", location.pk)
        return since.astimezone(UTC) + timedelta(minutes=minutes)
