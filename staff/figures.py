"""Sections of the staff dashboard (the admin index) and of the daily digest. Each patient
app registers its own (at import, from its AppConfig.ready), the way outbox kinds are
registered in staff.kinds: so the dashboard and the digest show requests and bookings
without either app importing the other.

A section works out its figures in a fixed number of queries, whatever the number of
clinics and records, and only for the clinics the person may see; one that lists clinics
shows a page of them (its page_param in the address, beside the request table's "page").
A section may also add a step to the dashboard's funnel (page views, then form and
booking views, then requests and bookings): the page patients act on and how many did
(FunnelStep)."""

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode

PERIOD_CHOICES = (7, 30, 90)
DEFAULT_PERIOD = 30
# The address parameter of the requests table's page (the index's own table).
REQUESTS_PAGE = "page"

_SECTIONS = {}


@dataclass
class Period:
    """The last `days` local days, today included (site time zone)."""

    days: int
    now: datetime

    @property
    def end_day(self):
        return timezone.localtime(self.now, _site_zone()).date()

    @property
    def start_day(self):
        return self.end_day - timedelta(days=self.days - 1)

    @property
    def start(self):
        return datetime.combine(self.start_day, time(0), tzinfo=_site_zone())


def _site_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def period_days(value):
    """The period the person asked for, or the default for anything else."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIOD_CHOICES else DEFAULT_PERIOD


@dataclass(frozen=True)
class FunnelStep:
    """A way to act on what patients read, shown in the funnel beside the request form: its
    page's views and the records made there, per clinic and in total."""

    # The page's kind of pages.DailyPageViews ("booking").
    views_kind: str
    # Words for the funnel's headings: "booking", "Booking page", "Bookings".
    action: str
    page: str
    records: str
    # (user, locations, period) -> {location id: records made in the period} for those
    # clinics (a QuerySet), or None when the person may not see them. One query.
    made: Callable


@dataclass(frozen=True)
class Section:
    name: str
    # (user, period, query) -> the template's context, or None when the person may not
    # see it; `query` holds the page's address parameters (request.GET).
    dashboard: Callable
    # Rendered with that context under the name "section".
    template: str
    # (locations, now) -> {location id: {name: number}}: numbers only, as they are kept on
    # the digest's outbox row.
    digest_counts: Callable | None = None
    # (list of those dicts, one per clinic) -> the digest's lines about them.
    digest_lines: Callable | None = None
    # Its step in the dashboard's funnel, if it has one.
    funnel: FunnelStep | None = None
    # The address parameter of its table's page of clinics, if it pages one.
    page_param: str | None = None


def register(section):
    _SECTIONS[section.name] = section
    return section


def sections():
    return list(_SECTIONS.values())


def funnel_steps(user, locations, period):
    """[(step, {location id: made})] of every section's funnel step the person may see."""
    steps = []
    for section in sections():
        if section.funnel is None:
            continue
        made = section.funnel.made(user, locations, period)
        if made is not None:
            steps.append((section.funnel, made))
    return steps


def page_query(query, days, own):
    """The address a table's page links start from (before `&<own>=N`): the period, and
    every other table's page as it is now, so paging one table leaves the others where
    they are. Only page numbers are carried over (a few digits)."""
    params = {"days": days}
    others = [REQUESTS_PAGE, *(section.page_param for section in sections())]
    for name in others:
        value = query.get(name) if name and name != own else None
        if value and value.isascii() and value.isdigit() and len(value) <= 6:
            params[name] = value
    return urlencode(params)


def render_dashboard(user, period, query=None):
    """The HTML of every section the person may see, in the order they were registered.
    `query`: the page's address parameters (request.GET)."""
    rendered = []
    for section in sections():
        context = section.dashboard(user, period, query or {})
        if context is not None:
            rendered.append(render_to_string(section.template, {"section": context}))
    return rendered


def digest_counts(locations, now):
    """{location id: counts} of every section, merged (their names never overlap)."""
    locations = list(locations)
    merged = {location.pk: {} for location in locations}
    for section in sections():
        if section.digest_counts is None:
            continue
        for location_id, counts in section.digest_counts(locations, now).items():
            merged.setdefault(location_id, {}).update(counts)
    return merged


def digest_lines(counts_per_clinic):
    """The lines every section adds to a digest covering these clinics' counts."""
    lines = []
    for section in sections():
        if section.digest_lines is not None:
            lines += section.digest_lines(counts_per_clinic)
    return lines
