"""Booking figures for the staff dashboard and the daily digest, registered as a section
of staff.figures (this app and consultations never import each other).

Per clinic and in total, for the period: bookings made, how far ahead (median days from
booking to visit), cancellations by the patient and by the clinic (of the bookings made),
no-shows (of the visits due in the period so far), and the share entered in the practice
system within the business-hours target: the same target and arithmetic as first contact
on a request (staff.targets), from the moment of booking. A fixed number of queries:
the clinics, their hours (two) and one read of the period's bookings.

The funnel on the requests dashboard also shows the booking page's views and the bookings
made beside the form's views and the requests (one count query, made_per_clinic)."""

import statistics
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from pages.models import DailyPageViews, Location
from staff import figures, targets
from staff.models import visible_locations

from .models import Booking

Status = Booking.Status
TOMORROW_NOT_ENTERED = "bookings_tomorrow_not_entered"
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
    days_ahead: list = field(default_factory=list, repr=False)

    @property
    def median_days_ahead(self):
        return round(statistics.median(self.days_ahead), 1) if self.days_ahead else None

    @property
    def entered_within_share(self):
        return self.entered_within / self.decided if self.decided else None

    @property
    def entered_within_percent(self):
        share = self.entered_within_share
        return None if share is None else round(share * 100)

    def add(self, other):
        for name in (
            "made",
            "cancelled_by_patient",
            "cancelled_by_clinic",
            "visits_due",
            "no_shows",
            "entered_within",
            "decided",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days_ahead += other.days_ahead


def clinic_figures(locations, bookings, period):
    """([figures per clinic], totals) for `locations` (with their hours prefetched) from
    `bookings` (already scoped to the person)."""
    by_id = {loc.pk: BookingFigures(location=loc) for loc in locations}
    now, start = period.now, period.start
    rows = (
        bookings.filter(location__in=list(by_id))
        .filter(Q(created_at__gte=start) | Q(starts_at__gte=start, starts_at__lt=now))
        .order_by()
        .values_list(
            "location_id", "status", "created_at", "starts_at", "entered_in_practice_system_at"
        )
    )
    schedules = {}
    for location_id, status, created, starts, entered in rows.iterator(2000):
        row = by_id[location_id]
        if start <= starts < now and status not in Booking.CANCELLED:
            row.visits_due += 1
            row.no_shows += status == Status.NO_SHOW
        if created < start:
            continue
        row.made += 1
        row.days_ahead.append((starts - created).total_seconds() / _DAY)
        row.cancelled_by_patient += status == Status.CANCELLED_BY_PATIENT
        row.cancelled_by_clinic += status == Status.CANCELLED_BY_CLINIC
        if entered is None and status in Booking.CANCELLED:
            continue  # never needed entering: no outcome
        if location_id not in schedules:
            schedules[location_id] = targets.schedule_for(row.location)
        due = targets.due_at(row.location, created, schedules[location_id])
        if entered is not None:
            row.decided += 1
            row.entered_within += entered <= due
        elif due < now:
            row.decided += 1
    totals = BookingFigures()
    for row in by_id.values():
        totals.add(row)
    return list(by_id.values()), totals


def dashboard(user, period):
    """The section's context, or None for staff who may not view bookings."""
    if not user.has_perm("appointments.view_booking"):
        return None
    locations = list(
        visible_locations(user, Location.objects.active())
        .only("pk", "name", "slug", "sort_order", "time_zone", "response_target_hours")
        .with_hours()
    )
    clinics, totals = clinic_figures(locations, Booking.objects.visible_to(user), period)
    return {
        "days": period.days,
        "period_start": period.start_day,
        "rows": clinics,
        "totals": totals,
        "clinic_count": len(clinics),
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
