"""Opening hours as pure functions: open at instant T, the next change, business time.

No database here: `Location.schedule()` builds a `Schedule` from its rows, and the
consultations app (due times, dashboard) and the pages call these functions with it.

Hours are wall-clock hours in the clinic's own time zone: an 8:00-17:00 row means 8:00 to
17:00 local time on every day, DST change days included (so such a day lasts 9 hours of
real time whatever the clocks did overnight). All arithmetic is done in UTC, because Python
subtracts two datetimes that share a tzinfo by their wall clocks, which is wrong across a
DST change.

A row whose closing time is earlier than (or equal to) its opening time runs past midnight
into the next day; 00:00 as closing time means "until midnight". A closure date (holiday)
removes the rows that *start* on that local date, so a Friday night shift that runs into a
Saturday holiday still ends as planned.
"""

import datetime
import functools
import re
import zoneinfo
from dataclasses import dataclass, field

UTC = datetime.UTC
_DAY = datetime.timedelta(days=1)
_MINUTE = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class Interval:
    """One opening-hours row: open on `weekday` (0 = Monday) from `opens` to `closes`."""

    weekday: int
    opens: datetime.time
    closes: datetime.time

    @property
    def is_overnight(self):
        return self.closes <= self.opens


@dataclass(frozen=True)
class Schedule:
    time_zone: zoneinfo.ZoneInfo
    intervals: tuple[Interval, ...]
    closed_dates: frozenset[datetime.date] = field(default_factory=frozenset)

    def is_empty(self) -> bool:
        """True when the clinic never opens (no rows at all)."""
        return not self.intervals


def _require_aware(value, name):
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got a naive one: {value!r}")


def _local_instant(schedule, day, clock):
    """The real instant (UTC) when the clinic's wall clock shows `clock` on `day`.

    A time skipped by a spring-forward change is read with the offset before the change
    (2:30 on a skipped hour is 3:30 new time); a repeated fall-back time is its first
    occurrence.
    """
    return datetime.datetime.combine(day, clock, tzinfo=schedule.time_zone).astimezone(UTC)


def _occurrences_on(schedule, day):
    """(start, end) in UTC for each row that starts on local date `day`."""
    if day in schedule.closed_dates:
        return []
    result = []
    for interval in schedule.intervals:
        if interval.weekday != day.weekday():
            continue
        start = _local_instant(schedule, day, interval.opens)
        end_day = day + _DAY if interval.is_overnight else day
        end = _local_instant(schedule, end_day, interval.closes)
        if end > start:
            result.append((start, end))
    result.sort()
    return result


def _horizon(schedule, day):
    """The last local date worth scanning from `day`: past every closure date, the week
    repeats, so one more week shows whether the clinic ever opens again."""
    last = max(schedule.closed_dates, default=day)
    return max(day, last) + datetime.timedelta(days=8)


def _blocks(schedule, at, until_day=None):
    """Open periods as (start, end) in UTC, in order, merged where rows touch or overlap,
    beginning with any period that is still open at `at`.

    Stops after `until_day` (a local date), or at the horizon when not given.
    """
    first_day = at.astimezone(schedule.time_zone).date() - _DAY
    last_day = until_day if until_day is not None else _horizon(schedule, first_day)
    current = None
    day = first_day
    while day <= last_day:
        for start, end in _occurrences_on(schedule, day):
            if current is None:
                current = [start, end]
            elif start <= current[1]:
                current[1] = max(current[1], end)
            else:
                if current[1] > at:
                    yield tuple(current)
                current = [start, end]
        day += _DAY
    if current is not None and current[1] > at:
        yield tuple(current)


def is_open(schedule: Schedule, at: datetime.datetime) -> bool:
    """Is the clinic open at the instant `at`?"""
    _require_aware(at, "at")
    at = at.astimezone(UTC)
    day = at.astimezone(schedule.time_zone).date()
    return any(start <= at < end for start, end in _blocks(schedule, at, until_day=day))


def next_change(schedule: Schedule, at: datetime.datetime) -> datetime.datetime | None:
    """When the clinic next opens (if closed at `at`) or closes (if open), in its time zone.

    None when it never opens again, or (open around the clock) never closes.
    """
    _require_aware(at, "at")
    at = at.astimezone(UTC)
    if schedule.is_empty():
        return None
    last_day = _horizon(schedule, at.astimezone(schedule.time_zone).date() - _DAY)
    # An open period that reaches past the last scanned day has run a whole week since the
    # last closure date (closure dates always leave a gap): open around the clock.
    scan_end = _local_instant(schedule, last_day + _DAY, datetime.time(0))
    for start, end in _blocks(schedule, at, until_day=last_day):
        if start > at:
            return start.astimezone(schedule.time_zone)
        if end >= scan_end:
            return None
        return end.astimezone(schedule.time_zone)
    return None


def business_minutes_between(
    schedule: Schedule, start: datetime.datetime, end: datetime.datetime
) -> float:
    """Open minutes in [start, end); 0 when end is not after start."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0.0
    total = datetime.timedelta()
    last_day = end.astimezone(schedule.time_zone).date()
    for block_start, block_end in _blocks(schedule, start, until_day=last_day):
        lo, hi = max(block_start, start), min(block_end, end)
        if hi > lo:
            total += hi - lo
    return total / _MINUTE


def add_business_minutes(
    schedule: Schedule, start: datetime.datetime, minutes: float
) -> datetime.datetime:
    """The instant when `minutes` open minutes have passed after `start`, in the clinic's
    time zone. Raises ValueError if the schedule never opens (or minutes is negative)."""
    _require_aware(start, "start")
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if schedule.is_empty():
        raise ValueError("this schedule never opens")
    start = start.astimezone(UTC)
    remaining = datetime.timedelta(minutes=minutes)
    if not remaining:
        return start.astimezone(schedule.time_zone)
    cursor = start
    while True:
        found = False
        for block_start, block_end in _blocks(schedule, cursor):
            found = True
            begin = max(block_start, cursor)
            available = block_end - begin
            if remaining <= available:
                return (begin + remaining).astimezone(schedule.time_zone)
            remaining -= available
            cursor = block_end
        if not found:
            raise ValueError("this schedule never opens")


# --- the week grammar ----------------------------------------------------------------

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_TIME_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def parse_week(text):
    """Intervals for a week written like "Mon-Fri 09:00-12:00,13:00-16:00; Sat 09:00-12:00"
    (the grammar of CONSULTATION_DEFAULT_HOURS). Groups are separated by ";"; each is days
    (a day, a range "Mon-Fri" or a list "Mon,Wed") and one or more time ranges. A closing
    time at or before the opening time runs past midnight. Anything else raises ValueError
    with a reason a person can act on: a mistyped week never becomes "always closed"."""
    intervals = []
    for group in filter(None, (part.strip() for part in str(text).split(";"))):
        try:
            days_text, ranges_text = group.split(None, 1)
        except ValueError:
            raise ValueError(f"“{group}” needs days and times") from None
        days = _parse_weekdays(days_text)
        for range_text in ranges_text.replace(" ", "").split(","):
            match = _TIME_RANGE.match(range_text)
            if not match:
                raise ValueError(f"“{range_text}” is not a time range like 08:00-17:00")
            opens = datetime.time(int(match[1]), int(match[2]))
            closes = datetime.time(int(match[3]), int(match[4]))
            if opens == closes:
                raise ValueError(f"“{range_text}” opens and closes at the same time")
            intervals.extend(Interval(day, opens, closes) for day in days)
    if not intervals:
        raise ValueError("it has no hours")
    return tuple(intervals)


def _parse_weekdays(days_text):
    days = []
    for item in days_text.split(","):
        first, _, last = item.strip().lower().partition("-")
        if first not in _WEEKDAYS or (last and last not in _WEEKDAYS):
            raise ValueError(f"“{item}” is not a day or range like Mon-Fri")
        start, end = _WEEKDAYS[first], _WEEKDAYS[last or first]
        if end < start:
            raise ValueError(f"“{item}” runs backwards")
        days.extend(range(start, end + 1))
    return days


def group_days(rows):
    """Runs of consecutive days (Monday first) that share the same hours, for the table:
    [(0, [periods])... 6 entries] -> [(first day, last day, periods), ...], so "Monday to
    Wednesday, 8:00-17:00" is one row. A closed day has no periods."""
    groups = []
    for day, periods in rows:
        if groups and groups[-1][2] == periods and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, periods)
        else:
            groups.append((day, day, periods))
    return groups


@functools.lru_cache(maxsize=256)
def utc_offset_changes(time_zone, start_day, days):
    """The zone's UTC offset from midnight UTC of `start_day` for `days` days, as
    ((UTC instant, offset in minutes), ...): the first pair at the start, then one at each
    change (a DST switch), to the minute. static/js/opening-hours.js reads it to know the
    clinic's wall clock without asking the browser's time-zone data, whose first use costs
    a phone tens of milliseconds. Kept per zone and day: every page that day asks the same."""
    zone = zoneinfo.ZoneInfo(time_zone)

    def offset(instant):
        return int(instant.astimezone(zone).utcoffset().total_seconds() // 60)

    at = datetime.datetime.combine(start_day, datetime.time(), tzinfo=UTC)
    changes = [(at, offset(at))]
    for _ in range(days):
        following = at + _DAY
        if offset(following) != changes[-1][1]:
            low, high = at, following  # the change is after `low`, at or before `high`
            while high - low > _MINUTE:
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if offset(middle) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            changes.append((high, offset(high)))
        at = following
    return tuple(changes)
