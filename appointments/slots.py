"""Free times: a type's weekly windows, minus closures, blocks and taken seats, on the
type's step grid, in the clinic's own time zone. Pure functions over an `Availability`
loaded in a fixed number of queries (four, however many clinics or bookings there are).

Times are walked on the clinic's wall clock (9:00, 9:30, ...) and only then turned into
real instants, so 9:00 stays 9:00 across a DST change. A wall-clock time that does not
exist that day (skipped by a spring-forward change) is not offered; one that happens twice
(fall-back) is offered once, at its first occurrence. Lengths are real time: a 30-minute
visit lasts 30 minutes whatever the clocks do.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from pages.models import ClosureDate

from .models import UNIT, BookingBlock, BookingSeat

UTC = datetime.UTC
_DAY = datetime.timedelta(days=1)

# Reasons a time cannot be booked; the views put them in words.
PAST = "past"
NOTICE = "notice"
HORIZON = "horizon"
CLOSED = "closed"
BLOCKED = "blocked"
NOT_OFFERED = "not_offered"  # off the step grid, outside the windows, or not a real time
FULL = "full"


@dataclass
class Availability:
    """What decides a type's free times between two local dates (inclusive)."""

    appointment_type: object
    first_day: datetime.date
    last_day: datetime.date
    windows: list
    closed: set = field(default_factory=set)
    # (start, end) in UTC
    blocks: list = field(default_factory=list)
    # unit (UTC) -> seat numbers taken
    taken: dict = field(default_factory=dict)

    @property
    def zone(self):
        return self.appointment_type.location.zone


def bookable_days(appointment_type, now):
    """The first and last local dates on which the type may be booked at `now`: from the
    day the minimum notice ends, to today + horizon days (that last day whole)."""
    zone = appointment_type.location.zone
    today = now.astimezone(zone).date()
    earliest = (now + datetime.timedelta(hours=appointment_type.notice_hours)).astimezone(zone)
    return earliest.date(), today + datetime.timedelta(days=appointment_type.horizon_days)


def load(appointment_type, first_day, last_day, exclude_booking=None):
    """Read what decides free times between the local dates `first_day` and `last_day`.
    The type's windows come from a prefetch when there is one."""
    location = appointment_type.location
    zone = location.zone
    start = _local(zone, first_day, datetime.time(0)) - _DAY
    end = _local(zone, last_day + _DAY, datetime.time(0)) + _DAY
    windows = list(appointment_type.windows.all())
    closed = set(
        ClosureDate.objects.filter(
            location_id=location.pk, date__range=(first_day, last_day)
        ).values_list("date", flat=True)
    )
    blocks = [
        _block_span(zone, block)
        for block in BookingBlock.objects.filter(
            location_id=location.pk, date__range=(first_day - _DAY, last_day + _DAY)
        )
    ]
    seats = BookingSeat.objects.filter(location_id=location.pk, unit__gte=start, unit__lt=end)
    if exclude_booking is not None:
        seats = seats.exclude(booking_id=exclude_booking)
    taken = defaultdict(set)
    for unit, seat in seats.values_list("unit", "seat"):
        taken[unit].add(seat)
    return Availability(appointment_type, first_day, last_day, windows, closed, blocks, taken)


def _local(zone, day, clock):
    return datetime.datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _block_span(zone, block):
    start = _local(zone, block.date, block.starts or datetime.time(0))
    if block.ends is None:
        end = _local(zone, block.date + _DAY, datetime.time(0))
    else:
        end = _local(zone, block.date, block.ends)
    return start, end


def grid(availability, day):
    """The type's start times (UTC) on local date `day`, from its windows and step,
    before any rule: real wall-clock times only, each once."""
    kind = availability.appointment_type
    zone = availability.zone
    step = datetime.timedelta(minutes=kind.step_minutes)
    length = datetime.timedelta(minutes=kind.minutes)
    starts = set()
    for window in availability.windows:
        if window.weekday != day.weekday():
            continue
        clock = datetime.datetime.combine(day, window.starts)
        closes = datetime.datetime.combine(day, window.ends)
        while clock + length <= closes:
            instant = clock.replace(tzinfo=zone).astimezone(UTC)
            # A skipped wall-clock time comes back as another time: not a real time.
            if instant.astimezone(zone).replace(tzinfo=None) == clock:
                starts.add(instant)
            clock += step
    return sorted(starts)


def units_of(appointment_type, start):
    """The five-minute units a booking starting at `start` holds (its buffer included)."""
    count = appointment_type.occupies // UNIT
    return [start + UNIT * n for n in range(count)]


def seats_for(availability, start):
    """A free seat in every unit the booking would hold, or None when one is full."""
    capacity = availability.appointment_type.capacity
    chosen = []
    for unit in units_of(availability.appointment_type, start):
        taken = availability.taken.get(unit, ())
        seat = next((n for n in range(capacity) if n not in taken), None)
        if seat is None:
            return None
        chosen.append((unit, seat))
    return chosen


def problem(availability, start, now, day_grid=None):
    """Why `start` (an aware instant) cannot be booked, or None when it can. `day_grid`:
    the grid of its local day, when the caller has it already."""
    kind = availability.appointment_type
    zone = availability.zone
    start = start.astimezone(UTC)
    if start <= now:
        return PAST
    if start < now + datetime.timedelta(hours=kind.notice_hours):
        return NOTICE
    day = start.astimezone(zone).date()
    if day > bookable_days(kind, now)[1]:
        return HORIZON
    if start not in (day_grid if day_grid is not None else grid(availability, day)):
        return NOT_OFFERED
    if day in availability.closed:
        return CLOSED
    end = start + datetime.timedelta(minutes=kind.minutes)
    if any(b_start < end and start < b_end for b_start, b_end in availability.blocks):
        return BLOCKED
    if seats_for(availability, start) is None:
        return FULL
    return None


def free_times(availability, now):
    """Every bookable start (UTC) in the availability's days, in order."""
    first, last = bookable_days(availability.appointment_type, now)
    first = max(first, availability.first_day)
    last = min(last, availability.last_day)
    result = []
    day = first
    while day <= last:
        day_grid = grid(availability, day)
        result.extend(t for t in day_grid if problem(availability, t, now, day_grid) is None)
        day += _DAY
    return result


def by_day(times, zone):
    """{local date: [local datetimes]} in order."""
    days = defaultdict(list)
    for instant in times:
        local = instant.astimezone(zone)
        days[local.date()].append(local)
    return dict(days)


def nearest(appointment_type, wanted, now, count=6, exclude_booking=None):
    """Up to `count` free times closest to `wanted`, in time order (clinic zone)."""
    first, last = bookable_days(appointment_type, now)
    if last < first:
        return []
    availability = load(appointment_type, first, last, exclude_booking=exclude_booking)
    times = free_times(availability, now)
    wanted = wanted.astimezone(UTC)
    closest = sorted(times, key=lambda t: (abs(t - wanted), t))[:count]
    return [t.astimezone(appointment_type.location.zone) for t in sorted(closest)]
