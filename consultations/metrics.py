"""How fast patients are answered: due times, time to first contact, and the figures the
dashboard (the admin index), the daily digest and `consultation_report` show.

Due times and response times are worked out once, when a request is stored and when it
is first contacted, and kept on the row; the figures are then counts and percentiles the
database works out per clinic in a fixed number of queries, however many requests and
clinics there are. The business-time arithmetic itself lives in `pages.hours`.
"""

import functools
import logging
import re
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from pages import hours, visits
from pages.models import Location
from staff.models import visible_locations

from .models import ConsultationRequest

logger = logging.getLogger(__name__)

PERIOD_CHOICES = (7, 30, 90)
DEFAULT_PERIOD = 30
CHART_WEEKS = 12

# --- settings ----------------------------------------------------------------------

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


@functools.lru_cache(maxsize=8)
def _parse_target(text):
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


def check_settings():
    """Read both settings once at start-up (ConsultationsConfig.ready), so a typo stops
    the site from starting instead of turning the response clock off."""
    parse_week(settings.CONSULTATION_DEFAULT_HOURS)
    _parse_target(settings.CONSULTATION_RESPONSE_TARGET_HOURS)


# --- due times and response times ----------------------------------------------------


def site_time_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def site_target_hours():
    return _parse_target(settings.CONSULTATION_RESPONSE_TARGET_HOURS)


def locations_visible_to(user):
    """Active clinics the person may see (staff.models.visible_locations, the one rule)."""
    return visible_locations(user, Location.objects.active())


def target_minutes(location):
    """The clinic's response target in business minutes (its own, or the site's)."""
    target = location.response_target_hours
    if target is None:
        target = site_target_hours()
    return float(target) * 60


def default_schedule(time_zone):
    return hours.Schedule(
        time_zone=time_zone, intervals=parse_week(settings.CONSULTATION_DEFAULT_HOURS)
    )


def schedule_for(location):
    """The clinic's opening hours; a clinic with none entered uses the site-wide week
    (CONSULTATION_DEFAULT_HOURS) in its time zone, keeping its closure dates."""
    schedule = location.schedule()
    if schedule.is_empty():
        fallback = default_schedule(schedule.time_zone)
        return hours.Schedule(fallback.time_zone, fallback.intervals, schedule.closed_dates)
    return schedule


def due_at(location, received_at, schedule=None):
    """When first contact is due for a request received at `received_at`."""
    schedule = schedule or schedule_for(location)
    minutes = target_minutes(location)
    try:
        return hours.add_business_minutes(schedule, received_at, minutes)
    except ValueError:
        # Opening hours that never open again (closed for good): count clock time, so the
        # request still falls due and shows as overdue rather than waiting forever.
        logger.warning("Location %s never opens; due time counted in clock hours", location.pk)
        return received_at.astimezone(UTC) + timedelta(minutes=minutes)


def first_contact_minutes(schedule, received_at, contacted_at):
    """(business minutes, clock minutes) from receipt to first contact, whole minutes."""
    business = hours.business_minutes_between(schedule, received_at, contacted_at)
    # In UTC: Python subtracts two times in the same zone by their wall clocks, which is
    # an hour off across a clock change.
    elapsed = contacted_at.astimezone(UTC) - received_at.astimezone(UTC)
    clock = max(elapsed.total_seconds(), 0) / 60
    return round(business), round(clock)


def stamp_first_contact(queryset, at):
    """Mark the requests in `queryset` first contacted at `at`, with the time it took.
    Staff select at most a page of requests, so this is a bounded batch."""
    rows = list(queryset.select_related("location"))
    schedules = {}
    for row in rows:
        if row.location_id not in schedules:
            schedules[row.location_id] = schedule_for(row.location)
        apply_first_contact(row, at, schedules[row.location_id])
    ConsultationRequest.objects.bulk_update(
        rows,
        ["first_contacted_at", "first_contact_business_minutes", "first_contact_minutes"],
        batch_size=500,
    )
    return len(rows)


def apply_first_contact(request, at, schedule=None):
    """Set first contact on an unsaved or to-be-saved request."""
    schedule = schedule or schedule_for(request.location)
    request.first_contacted_at = at
    request.first_contact_business_minutes, request.first_contact_minutes = first_contact_minutes(
        schedule, request.created_at, at
    )


def backfill(queryset, recompute=False, batch_size=500):
    """Fill in due times and response times on stored requests (older rows, or after the
    opening hours were corrected with `recompute`). Returns the number of rows changed."""
    if not recompute:
        queryset = queryset.filter(
            Q(due_at__isnull=True)
            | Q(first_contacted_at__isnull=False, first_contact_business_minutes__isnull=True)
        )
    schedules, changed, batch = {}, 0, []
    fields = ["due_at", "first_contact_business_minutes", "first_contact_minutes"]
    for row in queryset.select_related("location").order_by("pk").iterator(batch_size):
        if row.location_id not in schedules:
            schedules[row.location_id] = schedule_for(row.location)
        schedule = schedules[row.location_id]
        row.due_at = due_at(row.location, row.created_at, schedule)
        if row.first_contacted_at is not None:
            apply_first_contact(row, row.first_contacted_at, schedule)
        batch.append(row)
        if len(batch) >= batch_size:
            ConsultationRequest.objects.bulk_update(batch, fields)
            changed += len(batch)
            batch = []
    if batch:
        ConsultationRequest.objects.bulk_update(batch, fields)
        changed += len(batch)
    return changed


# --- percentiles in the database ---------------------------------------------------

# Percentiles as whole percents, so the row positions are the same integer arithmetic
# in SQL and in Python.
MEDIAN, P90 = 50, 90


ALL = "all"


@dataclass
class Spread:
    """One group's rows: how many, how many with a value, the percentiles of the values,
    and how many rows match each of the `counts` conditions."""

    rows: int = 0
    counted: int = 0
    values: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    first: object = None


def percentiles(queryset, value, group_by=None, percents=(MEDIAN, P90), overall=False, counts=None):
    """{group: Spread} of `value` (a field name or an expression) per `group_by` value
    (and under ALL for all rows, with `overall`): percentiles interpolated between the two
    nearest values like PostgreSQL's percentile_cont, the lowest value (`first`), and
    the number of rows matching each Q in `counts`.

    One query, whatever the number of requests and groups: the database reads the few
    columns needed straight from the filter's covering index, unsorted, and the sorting
    and counting happen here. That is several times faster than window functions or
    ORDER BY in either database (SQLite answers an ORDER BY on the clinic by walking
    every request of every clinic), and the rows are bounded by the period asked for.
    """
    counts = counts or {}
    flags = {
        f"c_{name}": Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())
        for name, q in counts.items()
    }
    base = (
        queryset.order_by()
        .annotate(
            grp=F(group_by) if group_by else Value(0),
            val=F(value) if isinstance(value, str) else value,
            **flags,
        )
        .values_list("grp", "val", *flags)
    )
    try:
        sql, params = base.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # e.g. staff given no clinic: nothing to ask the database
        return {}
    # The raw rows, without Django's per-row converters (a third of the time here): the
    # values only need to sort, and raw timestamps sort as the times do in both databases.
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = list(counts)
    sizes = Counter(row[0] for row in rows)
    marked = [Counter(row[0] for row in rows if row[i]) for i in range(2, 2 + len(names))]
    values = {grp: [] for grp in sizes}
    for grp, val, *_ in rows:
        if val is not None:
            values[grp].append(val)
    groups = {
        grp: (size, [column[grp] for column in marked], values[grp]) for grp, size in sizes.items()
    }
    if overall and rows:
        everything = [row[1] for row in rows if row[1] is not None]
        groups[ALL] = (len(rows), [sum(column.values()) for column in marked], everything)
    spreads = {}
    for grp, (size, marks, vals) in groups.items():
        vals.sort()
        spread = Spread(size, len(vals), counts=dict(zip(names, marks, strict=True)))
        if vals:
            spread.first = vals[0]
            spread.values = {p: _interpolate(vals, p) for p in percents}
        spreads[grp] = spread
    return spreads


def _interpolate(ordered, percent):
    """`percent` of sorted `ordered`, between the two nearest values (percentile_cont)."""
    low_index, remainder = divmod((len(ordered) - 1) * percent, 100)
    low = ordered[low_index]
    high = ordered[low_index + (1 if remainder else 0)]
    return low + (high - low) * remainder / 100


# --- figures ---------------------------------------------------------------------


@dataclass
class Figures:
    """One clinic's figures (or the totals over several clinics) for a period."""

    location: object = None
    new: int = 0
    open: int = 0
    overdue: int = 0
    oldest_waiting_since: datetime | None = None
    requests: int = 0
    contacted: int = 0
    within_target: int = 0
    # Requests of the period whose outcome is known: contacted, or overdue uncontacted.
    decided: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None
    treatment_page_views: int | None = None
    form_views: int | None = None
    now: datetime = field(default_factory=timezone.now, repr=False)

    @property
    def within_target_share(self):
        return self.within_target / self.decided if self.decided else None

    @property
    def oldest_waiting_age(self):
        if self.oldest_waiting_since is None:
            return None
        return max(self.now - self.oldest_waiting_since, timedelta())

    @property
    def form_view_share(self):
        """Form views per treatment page view."""
        if not self.treatment_page_views or self.form_views is None:
            return None
        return self.form_views / self.treatment_page_views

    @property
    def request_share(self):
        """Requests stored per form view."""
        if not self.form_views:
            return None
        return self.requests / self.form_views

    def as_json(self):
        return {
            "location": self.location.slug if self.location else None,
            "new": self.new,
            "open": self.open,
            "overdue": self.overdue,
            "oldest_waiting_minutes": _minutes(self.oldest_waiting_age),
            "requests": self.requests,
            "contacted": self.contacted,
            "median_minutes_to_first_contact": _rounded(self.median_minutes),
            "p90_minutes_to_first_contact": _rounded(self.p90_minutes),
            "within_target_share": _rounded(self.within_target_share, 4),
            "treatment_page_views": self.treatment_page_views,
            "form_views": self.form_views,
        }


def describe_minutes(minutes):
    """Minutes in words staff read at a glance: "45 min", "2 h 5 min", "3 d 4 h"."""
    if minutes is None:
        return "—"
    minutes = round(minutes)
    if minutes < 60:
        return f"{minutes} min"
    hours_, rest = divmod(minutes, 60)
    if hours_ < 24:
        return f"{hours_} h {rest} min" if rest else f"{hours_} h"
    days, hours_ = divmod(hours_, 24)
    return f"{days} d {hours_} h" if hours_ else f"{days} d"


def _minutes(delta):
    return None if delta is None else round(delta.total_seconds() / 60)


def _rounded(value, digits=1):
    return None if value is None else round(value, digits)


@dataclass
class Period:
    """The last `days` local days, today included (site time zone)."""

    days: int
    now: datetime

    @property
    def end_day(self):
        return timezone.localtime(self.now, site_time_zone()).date()

    @property
    def start_day(self):
        return self.end_day - timedelta(days=self.days - 1)

    @property
    def start(self):
        return datetime.combine(self.start_day, time(0), tzinfo=site_time_zone())


def period_days(value):
    """The period the person asked for, or the default for anything else."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIOD_CHOICES else DEFAULT_PERIOD


def scope(user=None, slugs=()):
    """(clinics, their requests): the active clinics `user` may see (everyone's without a
    user), optionally only those with `slugs`, and the requests of exactly those clinics.
    The one place that pairs them, for the dashboard and consultation_report."""
    if user is None:
        locations = Location.objects.active()
        requests = ConsultationRequest.objects.all()
    else:
        locations = locations_visible_to(user)
        requests = ConsultationRequest.objects.visible_to(user)
    # All the figures need of a clinic; a thousand full rows would cost more than the sums.
    locations = locations.only("pk", "name", "slug", "sort_order")
    # A join, not "location in (subquery)": databases then read the requests in the
    # period first, instead of every request of every clinic.
    requests = requests.filter(location__is_active=True)
    if slugs:
        locations = locations.filter(slug__in=slugs)
        requests = requests.filter(location__slug__in=slugs)
    return locations, requests


def clinic_figures(locations, requests, days=DEFAULT_PERIOD, now=None):
    """(figures per clinic in `locations`' order, totals) for the last `days` days.

    `locations` and `requests` come from `scope()`: the clinics to show and the requests
    of those clinics (requests of other clinics would be left out of the rows but counted
    in the totals' percentiles). The same four queries for 10 requests or 100,000.
    """
    now = now or timezone.now()
    period = Period(days, now)
    location_list = list(locations)
    by_id = {loc.pk: Figures(location=loc, now=now) for loc in location_list}
    _add_open_counts(by_id, requests, now)
    overall = _add_period_counts(by_id, requests, now, period.start)
    _add_visits(by_id, locations, period)

    totals = Figures(now=now)
    for figures in by_id.values():
        for name in ("new", "open", "overdue", "requests", "contacted", "within_target"):
            setattr(totals, name, getattr(totals, name) + getattr(figures, name))
        totals.decided += figures.decided
        if figures.oldest_waiting_since and (
            totals.oldest_waiting_since is None
            or figures.oldest_waiting_since < totals.oldest_waiting_since
        ):
            totals.oldest_waiting_since = figures.oldest_waiting_since
        for name in ("treatment_page_views", "form_views"):
            value = getattr(figures, name)
            if value is not None:
                setattr(totals, name, (getattr(totals, name) or 0) + value)
    if overall and overall.values:
        totals.median_minutes, totals.p90_minutes = overall.values[MEDIAN], overall.values[P90]
    return [by_id[loc.pk] for loc in location_list], totals


def _overdue(now):
    return Q(first_contacted_at__isnull=True, due_at__lt=now)


def _add_open_counts(by_id, requests, now):
    """Per clinic: new, open, overdue and the oldest wait now. One query, read from an
    index (by status)."""
    Status = ConsultationRequest.Status
    waiting = Q(first_contacted_at__isnull=True)
    open_now = percentiles(
        requests.filter(status__in=[s for s in Status.values if s != Status.CLOSED]),
        Case(When(waiting, then=F("created_at"))),
        group_by="location_id",
        percents=(),
        counts={"new": Q(status=Status.NEW), "overdue": _overdue(now)},
    )
    for location_id, spread in open_now.items():
        figures = by_id.get(location_id)
        if figures:
            figures.new = spread.counts["new"]
            figures.open = spread.rows
            figures.overdue = spread.counts["overdue"]
            figures.oldest_waiting_since = _as_datetime(spread.first)


def _add_period_counts(by_id, requests, now, since):
    """Per clinic, of the requests received `since`: how many, contacted, within target,
    and still waiting past their due time; returns the spread over all of them. One query,
    read from an index (by time received)."""
    recent = percentiles(
        requests.filter(created_at__gte=since),
        "first_contact_business_minutes",
        group_by="location_id",
        overall=True,
        counts={
            "within": Q(first_contacted_at__lte=F("due_at")),
            "late_open": _overdue(now) & ~Q(status=ConsultationRequest.Status.CLOSED),
        },
    )
    for location_id, spread in recent.items():
        figures = by_id.get(location_id)
        if figures:
            figures.requests = spread.rows
            figures.contacted = spread.counted
            figures.within_target = spread.counts["within"]
            figures.decided = spread.counted + spread.counts["late_open"]
            if spread.values:
                figures.median_minutes = spread.values[MEDIAN]
                figures.p90_minutes = spread.values[P90]
    return recent.get(ALL)


def _as_datetime(value):
    """A datetime from raw SQL: SQLite gives text (UTC), PostgreSQL a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_datetime(value)
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def digest_counts(locations, now=None):
    """{location id: counts} for each clinic's daily digest: new, overdue, the oldest wait
    and yesterday's median time to first contact, yesterday being the clinic's own local
    day (a clinic two time zones west of the site closes two hours later). Numbers only."""
    now = now or timezone.now()
    locations = list(locations)
    by_id = {loc.pk: Figures(location=loc, now=now) for loc in locations}
    requests = ConsultationRequest.objects.filter(location__in=[loc.pk for loc in locations])
    _add_open_counts(by_id, requests, now)
    # One window per time zone the clinics are in, so still one query (none: no rows).
    yesterday = Q(pk__in=[])
    for name, zone in {loc.time_zone: loc.zone for loc in locations}.items():
        today = datetime.combine(timezone.localtime(now, zone).date(), time(0), tzinfo=zone)
        start = datetime.combine(today.date() - timedelta(days=1), time(0), tzinfo=zone)
        yesterday |= Q(
            location__time_zone=name, first_contacted_at__gte=start, first_contacted_at__lt=today
        )
    spreads = percentiles(
        requests.filter(yesterday),
        "first_contact_business_minutes",
        group_by="location_id",
        percents=(MEDIAN,),
    )
    empty = Spread()
    return {
        pk: {
            "new": figures.new,
            "overdue": figures.overdue,
            "oldest_waiting_minutes": _minutes(figures.oldest_waiting_age),
            "contacted_yesterday": spreads.get(pk, empty).counted,
            "median_minutes_yesterday": _rounded(spreads.get(pk, empty).values.get(MEDIAN)),
        }
        for pk, figures in by_id.items()
    }


def visit_totals(locations, start_day, end_day):
    """{(location id, kind): views} from the site's own page-view counts."""
    return visits.totals(locations, start_day, end_day)


def _add_visits(by_id, locations, period):
    counts = visit_totals(locations, period.start_day, period.end_day)
    for location_id, figures in by_id.items():
        figures.treatment_page_views = counts.get((location_id, "treatment"), 0)
        figures.form_views = counts.get((location_id, "form"), 0)


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
    spreads = percentiles(
        recent, "first_contact_business_minutes", group_by="week", percents=(MEDIAN,)
    )
    for n, spread in spreads.items():
        result[n].requests = spread.rows
        result[n].median_minutes = spread.values.get(MEDIAN)
    return result
