"""Booking figures for the staff dashboard and the daily digest, registered as a section
of staff.figures (this app and consultations never import each other).

Per clinic and in total, for the period: bookings made, how far ahead (median days from
booking to visit), cancellations by the patient and by the clinic (of the bookings made),
no-shows (of the visits due in the period so far), and the share entered in the practice
system within the business-hours target: the same target and arithmetic as first contact
on a request (staff.targets), from the moment of booking, kept on the booking as
`enter_by` when it is made (backfill_enter_by for older rows). The database counts them
and works out the medians: the same four queries (the clinics on the page and how many,
the counts per clinic, the medians) for ten bookings or a hundred thousand, at ten
clinics or a thousand; the table shows a page of clinics, the totals all of them.

The funnel on the requests dashboard also shows the booking page's views and the bookings
made beside the form's views and the requests (one count query, made_per_clinic)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, F, FloatField, Func, Q, Value
from django.utils import timezone

from pages.models import DailyPageViews, Location
from staff import figures, targets
from staff.models import visible_locations

from .models import Booking

Status = Booking.Status
TOMORROW_NOT_ENTERED = "bookings_tomorrow_not_entered"
CLINICS_PER_PAGE = 25
# The table's page in the address (the requests table's is "page").
PAGE = "bookings_page"
# The counts of the bookings made in the period, and of the visits due in it.
MADE_COUNTS = ("made", "cancelled_by_patient", "cancelled_by_clinic", "entered_within", "decided")
VISIT_COUNTS = ("visits_due", "no_shows")
COUNTS = MADE_COUNTS + VISIT_COUNTS
_DAY = 86400


@dataclass
class BookingFigures:
    location: object = None
    made: int = 0
    cancelled_by_patient: int = 0
    cancelled_by_clinic: int = 0
    visits_due: int = 0
    no_shows: int = 0
    entered_within: int = 0
    # Bookings whose outcome is known: entered, or past the target and still not entered.
    decided: int = 0
    # Of the bookings made, in days to one decimal; None without any.
    median_days_ahead: float | None = None

    @property
    def entered_within_share(self):
        return self.entered_within / self.decided if self.decided else None

    @property
    def entered_within_percent(self):
        share = self.entered_within_share
        return None if share is None else round(share * 100)


def scope(user):
    """(clinics, their bookings): the active clinics the person may see, and the bookings
    of exactly those clinics ("clinic in (those clinics)", so the database reads each
    clinic's bookings of the period from the figures' indexes)."""
    locations = visible_locations(user, Location.objects.active()).only(
        "pk", "name", "slug", "sort_order"
    )
    clinics = visible_locations(user, Location.objects.active()).values("pk")
    return locations, Booking.objects.filter(location__in=clinics)


def clinic_figures(locations, bookings, period, shown=None):
    """([figures per clinic of `shown`, in its order], totals) for `locations` (all of
    them by default), from `bookings`: the bookings of exactly those clinics (scope())."""
    shown = list(locations if shown is None else shown)
    medians = _median_days_ahead(bookings, period, [loc.pk for loc in shown])
    rows = [BookingFigures(location=loc, median_days_ahead=medians.get(loc.pk)) for loc in shown]
    totals = BookingFigures(median_days_ahead=medians.get(None))
    by_id = {row.location.pk: row for row in rows}
    # At most two rows a clinic (made, visits due), however many bookings.
    for location_id, *counts in _counts(bookings, period):
        _add(totals, counts)
        if location_id in by_id:
            _add(by_id[location_id], counts)
    return rows, totals


def _add(row, counts):
    for name, n in zip(COUNTS, counts, strict=True):
        setattr(row, name, getattr(row, name) + n)


def _conditions(period):
    """What each count counts, as it always has: a booking made in the period counts as
    made (and as cancelled, if so); a visit due in the period so far counts unless
    cancelled. Entered within target: entered by its enter-by time. Decided: entered, or
    not cancelled and past its enter-by time (a booking cancelled before anyone entered
    it needed no entering); one without an enter-by time (not yet backfilled) has no
    outcome."""
    start, now = period.start, period.now
    cancelled = Q(status__in=Booking.CANCELLED)
    entered = Q(entered_in_practice_system_at__isnull=False)
    late = ~cancelled & Q(enter_by__lt=now)
    return {
        "made": Q(created_at__gte=start),
        "cancelled_by_patient": Q(status=Status.CANCELLED_BY_PATIENT),
        "cancelled_by_clinic": Q(status=Status.CANCELLED_BY_CLINIC),
        "entered_within": Q(entered_in_practice_system_at__lte=F("enter_by")),
        "decided": Q(enter_by__isnull=False) & (entered | late),
        "visits_due": Q(starts_at__gte=start, starts_at__lt=now) & ~cancelled,
        "no_shows": Q(status=Status.NO_SHOW),
    }


def _counts(bookings, period):
    """[(location id, *counts in COUNTS' order)]: a row per clinic for the bookings made
    in the period (0 for the visit counts) and one for the visits due in it (0 for the
    others). One query; each part reads its own index (booking_made_figures,
    booking_clinic_visits) clinic by clinic, with no sorting. ("Made or due" in one
    part would read every booking of every clinic.)"""
    conditions = _conditions(period)

    def per_clinic(selected, names):
        counts = {
            name: Count("pk", filter=conditions[name]) if name in names else Value(0)
            for name in COUNTS
        }
        group = bookings.filter(selected).order_by().values("location_id")
        return group.annotate(**counts).values_list("location_id", *COUNTS)

    made = per_clinic(conditions["made"], MADE_COUNTS)
    due = per_clinic(conditions["visits_due"], VISIT_COUNTS)
    return list(made.union(due, all=True))


def _fetch(queryset, template, shown_ids):
    """The rows of raw SQL `template` around `queryset`'s SQL (at {}) and the clinic ids
    `shown_ids` (at {shown}), or [] when the queryset can match nothing (staff given no
    clinic)."""
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return []
    # NULL matches no clinic: an empty page still asks for the figures over all.
    shown = ", ".join(["%s"] * len(shown_ids)) or "NULL"
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(template.format(sql, shown=shown), (*params, *shown_ids))
        return cursor.fetchall()


class _SecondsAhead(Func):
    """Seconds from booking to visit, worked out by the database: exact in PostgreSQL, to
    the millisecond in SQLite (its date functions keep no finer)."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self):
        super().__init__(F("starts_at"), F("created_at"))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="ROUND((julianday(%(expressions)s)) * 86400000) / 1000.0",
            arg_joiner=") - julianday(",
            **extra,
        )


# The middle row, or the two middle rows, of the bookings made ordered by time ahead (as
# the lowest and highest of them): per shown clinic by numbering each clinic's rows, over
# all by skipping to the middle of them all. The database sorts; the same SQL in SQLite
# and PostgreSQL.
_MIDDLES = """
WITH made (grp, ahead) AS ({}),
per_clinic AS (
    SELECT grp, ahead,
        ROW_NUMBER() OVER (PARTITION BY grp ORDER BY ahead) AS nth,
        COUNT(*) OVER (PARTITION BY grp) AS of_n
    FROM made WHERE grp IN ({shown})
)
SELECT grp, MIN(ahead), MAX(ahead) FROM per_clinic
WHERE nth IN ((of_n + 1) / 2, (of_n + 2) / 2)
GROUP BY grp
UNION ALL
SELECT NULL, MIN(ahead), MAX(ahead) FROM (
    SELECT ahead FROM made ORDER BY ahead
    LIMIT 2 - (SELECT COUNT(*) FROM made) %% 2 OFFSET ((SELECT COUNT(*) FROM made) - 1) / 2
) middle
"""


def _median_days_ahead(bookings, period, shown_ids):
    """{location id: median days ahead} of the bookings made in the period, to one
    decimal, for the clinics of `shown_ids` with bookings, and under None over all
    `bookings`. One query."""
    made = (
        bookings.filter(created_at__gte=period.start)
        .order_by()
        .annotate(ahead=_SecondsAhead())
        .values_list("location_id", "ahead")
    )
    return {
        grp: round((float(low) / _DAY + float(high) / _DAY) / 2, 1)  # as statistics.median
        for grp, low, high in _fetch(made, _MIDDLES, shown_ids)
        if low is not None
    }


def dashboard(user, period, query=None):
    """The section's context, or None for staff who may not view bookings. `query`: the
    page's address parameters (which page of clinics)."""
    if not user.has_perm("appointments.view_booking"):
        return None
    query = query or {}
    locations, bookings = scope(user)
    page = Paginator(locations, CLINICS_PER_PAGE).get_page(query.get(PAGE))
    clinics, totals = clinic_figures(locations, bookings, period, shown=page)
    return {
        "days": period.days,
        "period_start": period.start_day,
        "rows": clinics,
        "totals": totals,
        "page": page,
        "page_param": PAGE,
        "page_query": figures.page_query(query, period.days, PAGE),
        "clinic_count": page.paginator.count,
        "target_text": _hours_text(targets.site_target_hours()),
    }


def made_per_clinic(user, locations, period):
    """{location id: bookings made in the period} of `locations` (cancelled ones too, as
    "Bookings made" in the figures), or None for staff who may not view bookings."""
    if not user.has_perm("appointments.view_booking"):
        return None
    return dict(
        Booking.objects.visible_to(user)
        .filter(location__in=locations, created_at__gte=period.start)
        .order_by()
        .values("location_id")
        .annotate(n=Count("pk"))
        .values_list("location_id", "n")
    )


def _hours_text(value):
    text = f"{value.normalize():f}"
    return f"{text} hour" if text == "1" else f"{text} hours"


def tomorrow_not_entered(locations, now):
    """{location id: {TOMORROW_NOT_ENTERED: n}}: bookings still booked for the clinic's own
    local tomorrow that nobody has entered in the practice system. One query."""
    locations = list(locations)
    tomorrow = Q(pk__in=[])
    for name, zone in {loc.time_zone: loc.zone for loc in locations}.items():
        today = timezone.localtime(now, zone).date()
        start = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
        end = datetime.combine(today + timedelta(days=2), time(0), tzinfo=zone)
        tomorrow |= Q(location__time_zone=name, starts_at__gte=start, starts_at__lt=end)
    counts = dict(
        Booking.objects.filter(
            tomorrow,
            location__in=[loc.pk for loc in locations],
            status=Status.BOOKED,
            entered_in_practice_system_at__isnull=True,
        )
        .order_by()
        .values("location_id")
        .annotate(n=Count("pk"))
        .values_list("location_id", "n")
    )
    return {loc.pk: {TOMORROW_NOT_ENTERED: counts.get(loc.pk, 0)} for loc in locations}


def digest_lines(counts_per_clinic):
    waiting = sum(counts.get(TOMORROW_NOT_ENTERED, 0) for counts in counts_per_clinic)
    return [f"Online bookings for tomorrow not yet entered in the practice system: {waiting}"]


figures.register(
    figures.Section(
        "bookings",
        dashboard,
        "admin/appointments/booking_figures.html",
        page_param=PAGE,
        digest_counts=tomorrow_not_entered,
        digest_lines=digest_lines,
        funnel=figures.FunnelStep(
            views_kind=DailyPageViews.Kind.BOOKING,
            action="booking",
            page="Booking page",
            records="Bookings",
            made=made_per_clinic,
        ),
    )
)
