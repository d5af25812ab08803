"""The figures of the dashboard (the admin index), the daily digest and
`consultation_report`: counts and percentiles per clinic that the database works out in a
fixed number of queries, however many requests and clinics there are."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.db.models import Case, F, Q, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from pages import visits
from pages.models import Location

# The period rules are shared with the other dashboard sections (staff.figures).
from staff.figures import DEFAULT_PERIOD, Period
from staff.figures import PERIOD_CHOICES as PERIOD_CHOICES
from staff.figures import period_days as period_days
from staff.models import visible_locations

from ..models import ConsultationRequest
from .formatting import rounded, whole_minutes
from .percentiles import ALL_ROWS, MEDIAN, P90, GroupSpread, percentiles_by_group


def locations_visible_to(user):
    """Active clinics the person may see (staff.models.visible_locations, the one rule)."""
    return visible_locations(user, Location.objects.active())


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
    # Every kind of page's views ({kind: views}): the funnel's other steps read theirs.
    page_views: dict = field(default_factory=dict, repr=False)
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
            "oldest_waiting_minutes": whole_minutes(self.oldest_waiting_age),
            "requests": self.requests,
            "contacted": self.contacted,
            "median_minutes_to_first_contact": rounded(self.median_minutes),
            "p90_minutes_to_first_contact": rounded(self.p90_minutes),
            "within_target_share": rounded(self.within_target_share, 4),
            "treatment_page_views": self.treatment_page_views,
            "form_views": self.form_views,
        }


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
        for kind, views in figures.page_views.items():
            totals.page_views[kind] = totals.page_views.get(kind, 0) + views
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
    open_now = percentiles_by_group(
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
    recent = percentiles_by_group(
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
    return recent.get(ALL_ROWS)


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
    spreads = percentiles_by_group(
        requests.filter(yesterday),
        "first_contact_business_minutes",
        group_by="location_id",
        percents=(MEDIAN,),
    )
    empty = GroupSpread()
    return {
        pk: {
            "new": figures.new,
            "overdue": figures.overdue,
            "oldest_waiting_minutes": whole_minutes(figures.oldest_waiting_age),
            "contacted_yesterday": spreads.get(pk, empty).counted,
            "median_minutes_yesterday": rounded(spreads.get(pk, empty).values.get(MEDIAN)),
        }
        for pk, figures in by_id.items()
    }


def visit_totals(locations, start_day, end_day):
    """{(location id, kind): views} from the site's own page-view counts."""
    return visits.totals(locations, start_day, end_day)


def _add_visits(by_id, locations, period):
    counts = visit_totals(locations, period.start_day, period.end_day)
    for (location_id, kind), views in counts.items():
        figures = by_id.get(location_id)
        if figures:
            figures.page_views[kind] = views
    for figures in by_id.values():
        figures.treatment_page_views = figures.page_views.get("treatment", 0)
        figures.form_views = figures.page_views.get("form", 0)
