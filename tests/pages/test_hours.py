"""Opening-hours logic: pure functions, no database."""

import datetime
import zoneinfo

import pytest

from pages.hours import (
    Interval,
    Schedule,
    add_business_minutes,
    business_minutes_between,
    is_open,
    next_change,
    utc_offset_changes,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
LA = zoneinfo.ZoneInfo("America/Los_Angeles")
UTC = datetime.UTC

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def t(hhmm):
    hours, minutes = hhmm.split(":")
    return datetime.time(int(hours), int(minutes))


def row(weekday, opens, closes):
    return Interval(weekday, t(opens), t(closes))


def weekdays(opens="08:00", closes="17:00", days=(MON, TUE, WED, THU, FRI)):
    return tuple(row(d, opens, closes) for d in days)


def at(tz, *args):
    return datetime.datetime(*args, tzinfo=tz)


# 2026-03-02 is a Monday.
MONDAY = (2026, 3, 2)


def mon(h, m=0, tz=CHICAGO, day_offset=0):
    base = datetime.date(*MONDAY) + datetime.timedelta(days=day_offset)
    return datetime.datetime(base.year, base.month, base.day, h, m, tzinfo=tz)


@pytest.fixture
def office():
    return Schedule(CHICAGO, weekdays())


class TestIsOpen:
    def test_opening_minute_is_open_and_closing_minute_is_closed(self, office):
        assert not is_open(office, mon(7, 59))
        assert is_open(office, mon(8, 0))
        assert is_open(office, mon(16, 59))
        assert not is_open(office, mon(17, 0))

    def test_a_day_without_rows_is_closed(self, office):
        assert not is_open(office, mon(10, day_offset=5))  # Saturday

    def test_lunch_break_closes_between_two_rows(self):
        schedule = Schedule(CHICAGO, (row(MON, "08:00", "12:00"), row(MON, "13:00", "17:00")))
        assert is_open(schedule, mon(11, 59))
        assert not is_open(schedule, mon(12, 0))
        assert not is_open(schedule, mon(12, 59))
        assert is_open(schedule, mon(13, 0))

    def test_overnight_row_stays_open_after_midnight_into_the_next_day(self):
        schedule = Schedule(CHICAGO, (row(FRI, "20:00", "02:00"),))
        friday = 4
        assert not is_open(schedule, mon(19, 59, day_offset=friday))
        assert is_open(schedule, mon(23, 0, day_offset=friday))
        assert is_open(schedule, mon(1, 59, day_offset=friday + 1))
        assert not is_open(schedule, mon(2, 0, day_offset=friday + 1))
        # The row belongs to Friday: Saturday night is closed.
        assert not is_open(schedule, mon(23, 0, day_offset=friday + 1))

    def test_midnight_closing_means_until_the_end_of_the_day(self):
        schedule = Schedule(CHICAGO, (row(MON, "18:00", "00:00"),))
        assert is_open(schedule, mon(23, 59))
        assert not is_open(schedule, mon(0, 0, day_offset=1))

    def test_closure_date_closes_the_whole_day(self, office):
        schedule = Schedule(CHICAGO, office.intervals, frozenset({datetime.date(*MONDAY)}))
        assert not is_open(schedule, mon(10))
        assert is_open(schedule, mon(10, day_offset=1))

    def test_closure_date_after_an_overnight_row_keeps_the_night_shift(self):
        friday = datetime.date(*MONDAY) + datetime.timedelta(days=4)
        saturday = friday + datetime.timedelta(days=1)
        schedule = Schedule(CHICAGO, (row(FRI, "20:00", "02:00"),), frozenset({saturday}))
        assert is_open(schedule, mon(1, 0, day_offset=5))

    def test_closure_is_in_the_clinics_local_date(self, office):
        schedule = Schedule(CHICAGO, office.intervals, frozenset({datetime.date(*MONDAY)}))
        # 2026-03-03 03:00 UTC is still Monday 21:00 in Chicago... and Monday 16:00 UTC is
        # Monday 10:00 in Chicago, closed for the holiday.
        assert not is_open(schedule, datetime.datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
        # Tuesday 14:00 UTC is Tuesday 08:00 in Chicago: open again.
        assert is_open(schedule, datetime.datetime(2026, 3, 3, 14, 0, tzinfo=UTC))

    def test_two_time_zones_read_the_same_instant_differently(self):
        instant = datetime.datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # 9:30 CST, 7:30 PST
        assert is_open(Schedule(CHICAGO, weekdays()), instant)
        assert not is_open(Schedule(LA, weekdays()), instant)
        assert next_change(Schedule(LA, weekdays()), instant) == at(LA, 2026, 3, 2, 8, 0)

    def test_naive_datetime_is_refused(self, office):
        with pytest.raises(ValueError):
            is_open(office, datetime.datetime(2026, 3, 2, 10, 0))


class TestDaylightSavingTime:
    # US spring forward: Sunday 2026-03-08 at 2:00; fall back: Sunday 2026-11-01 at 2:00.
    SPRING = datetime.date(2026, 3, 8)
    FALL = datetime.date(2026, 11, 1)

    def sunday(self, opens="08:00", closes="17:00", tz=CHICAGO):
        return Schedule(tz, (row(SUN, opens, closes),))

    def test_wall_clock_hours_on_spring_forward_day(self):
        schedule = self.sunday()
        assert not is_open(schedule, at(CHICAGO, 2026, 3, 8, 7, 59))
        assert is_open(schedule, at(CHICAGO, 2026, 3, 8, 8, 0))
        # 8:00 CDT is 13:00 UTC (it would be 14:00 UTC on a winter day).
        assert is_open(schedule, datetime.datetime(2026, 3, 8, 13, 0, tzinfo=UTC))
        assert not is_open(schedule, datetime.datetime(2026, 3, 8, 12, 59, tzinfo=UTC))
        assert not is_open(schedule, at(CHICAGO, 2026, 3, 8, 17, 0))

    def test_wall_clock_hours_on_fall_back_day(self):
        schedule = self.sunday()
        # 8:00 CST is 14:00 UTC after the change.
        assert not is_open(schedule, datetime.datetime(2026, 11, 1, 13, 59, tzinfo=UTC))
        assert is_open(schedule, datetime.datetime(2026, 11, 1, 14, 0, tzinfo=UTC))
        assert next_change(schedule, at(CHICAGO, 2026, 11, 1, 9, 0)) == at(
            CHICAGO, 2026, 11, 1, 17, 0
        )

    def test_overnight_row_across_spring_forward_is_one_hour_shorter(self):
        schedule = Schedule(CHICAGO, (row(SAT, "22:00", "06:00"),))
        start = at(CHICAGO, 2026, 3, 7, 22, 0)
        end = at(CHICAGO, 2026, 3, 8, 6, 0)
        assert business_minutes_between(schedule, start, end) == 7 * 60
        assert is_open(schedule, at(CHICAGO, 2026, 3, 8, 3, 30))

    def test_overnight_row_across_fall_back_is_one_hour_longer(self):
        schedule = Schedule(CHICAGO, (row(SAT, "22:00", "06:00"),))
        start = at(CHICAGO, 2026, 10, 31, 12, 0)
        end = at(CHICAGO, 2026, 11, 1, 12, 0)
        assert business_minutes_between(schedule, start, end) == 9 * 60
        # Both 1:30s are inside the night shift.
        first = at(CHICAGO, 2026, 11, 1, 1, 30)
        second = first.replace(fold=1)
        assert is_open(schedule, first) and is_open(schedule, second)

    def test_business_minutes_on_dst_days_count_real_minutes(self):
        schedule = self.sunday(opens="01:00", closes="04:00")
        spring = business_minutes_between(
            schedule, at(CHICAGO, 2026, 3, 8, 0, 0), at(CHICAGO, 2026, 3, 8, 12, 0)
        )
        fall = business_minutes_between(
            schedule, at(CHICAGO, 2026, 11, 1, 0, 0), at(CHICAGO, 2026, 11, 1, 12, 0)
        )
        assert spring == 2 * 60  # 1:00-4:00 skips the hour 2:00-3:00
        assert fall == 4 * 60  # 1:00-4:00 repeats the hour 1:00-2:00

    def test_add_business_minutes_across_spring_change_in_los_angeles(self):
        schedule = Schedule(LA, (row(SAT, "09:00", "17:00"), row(SUN, "09:00", "17:00")))
        start = at(LA, 2026, 3, 7, 16, 0)
        result = add_business_minutes(schedule, start, 120)
        assert result == at(LA, 2026, 3, 8, 10, 0)
        assert result.utcoffset() == datetime.timedelta(hours=-7)


class TestNextChange:
    def test_closed_clinic_next_opens(self, office):
        assert next_change(office, mon(6)) == mon(8)

    def test_open_clinic_next_closes(self, office):
        assert next_change(office, mon(9)) == mon(17)

    def test_exactly_at_opening_the_next_change_is_closing(self, office):
        assert next_change(office, mon(8)) == mon(17)

    def test_friday_evening_next_opens_monday(self, office):
        assert next_change(office, mon(18, day_offset=4)) == mon(8, day_offset=7)

    def test_skips_closure_dates(self, office):
        tuesday = datetime.date(*MONDAY) + datetime.timedelta(days=1)
        schedule = Schedule(CHICAGO, office.intervals, frozenset({tuesday}))
        assert next_change(schedule, mon(18)) == mon(8, day_offset=2)

    def test_result_is_in_the_clinics_time_zone(self, office):
        result = next_change(office, datetime.datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
        assert result.tzinfo == CHICAGO
        assert (result.hour, result.minute) == (8, 0)

    def test_adjoining_rows_are_one_open_period(self):
        schedule = Schedule(CHICAGO, (row(MON, "08:00", "12:00"), row(MON, "12:00", "17:00")))
        assert next_change(schedule, mon(9)) == mon(17)

    def test_overnight_rows_that_meet_are_one_open_period(self):
        schedule = Schedule(CHICAGO, (row(MON, "20:00", "00:00"), row(TUE, "00:00", "06:00")))
        assert next_change(schedule, mon(21)) == mon(6, day_offset=1)

    def test_empty_schedule_never_changes(self):
        schedule = Schedule(CHICAGO, ())
        assert schedule.is_empty()
        assert next_change(schedule, mon(9)) is None
        assert not is_open(schedule, mon(9))

    def test_open_around_the_clock_never_closes(self):
        schedule = Schedule(CHICAGO, tuple(row(d, "00:00", "00:00") for d in range(7)))
        assert is_open(schedule, mon(3))
        assert next_change(schedule, mon(3)) is None

    def test_long_closure_is_skipped(self, office):
        first = datetime.date(*MONDAY)
        closed = frozenset(first + datetime.timedelta(days=n) for n in range(40))
        schedule = Schedule(CHICAGO, office.intervals, closed)
        assert next_change(schedule, mon(9)) == mon(8, day_offset=42)  # a Monday

    def test_closed_every_day_it_would_open_never_opens(self):
        only = datetime.date(*MONDAY)
        schedule = Schedule(CHICAGO, (row(MON, "08:00", "17:00"),), frozenset({only}))
        # Opens the following Monday.
        assert next_change(schedule, mon(9)) == mon(8, day_offset=7)


class TestBusinessMinutes:
    def test_counts_only_open_minutes(self, office):
        assert business_minutes_between(office, mon(7), mon(9)) == 60
        assert business_minutes_between(office, mon(16), mon(9, day_offset=1)) == 120

    def test_over_a_weekend(self, office):
        friday_4pm = mon(16, day_offset=4)
        monday_9am = mon(9, day_offset=7)
        assert business_minutes_between(office, friday_4pm, monday_9am) == 120

    def test_end_before_start_is_zero(self, office):
        assert business_minutes_between(office, mon(12), mon(10)) == 0

    def test_lunch_break_is_not_counted(self):
        schedule = Schedule(CHICAGO, (row(MON, "08:00", "12:00"), row(MON, "13:00", "17:00")))
        assert business_minutes_between(schedule, mon(8), mon(17)) == 8 * 60

    def test_half_open_interval_and_fractions(self, office):
        start = mon(8) + datetime.timedelta(seconds=30)
        assert business_minutes_between(office, start, mon(8, 1)) == 0.5

    def test_a_whole_week_spanning_a_holiday(self, office):
        holiday = datetime.date(*MONDAY) + datetime.timedelta(days=2)
        schedule = Schedule(CHICAGO, office.intervals, frozenset({holiday}))
        assert business_minutes_between(schedule, mon(0), mon(0, day_offset=7)) == 4 * 9 * 60

    def test_two_time_zones(self):
        start = datetime.datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
        end = datetime.datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # 14:00 CST, 12:00 PST
        assert business_minutes_between(Schedule(CHICAGO, weekdays()), start, end) == 6 * 60
        assert business_minutes_between(Schedule(LA, weekdays()), start, end) == 4 * 60


class TestAddBusinessMinutes:
    def test_within_one_day(self, office):
        assert add_business_minutes(office, mon(9), 90) == mon(10, 30)

    def test_from_before_opening(self, office):
        assert add_business_minutes(office, mon(6), 30) == mon(8, 30)

    def test_carries_into_the_next_open_day(self, office):
        assert add_business_minutes(office, mon(16, day_offset=4), 120) == mon(9, day_offset=7)

    def test_ends_exactly_at_closing(self, office):
        assert add_business_minutes(office, mon(16), 60) == mon(17)

    def test_zero_minutes_is_the_start(self, office):
        assert add_business_minutes(office, mon(20), 0) == mon(20)

    def test_inverse_of_business_minutes_between(self, office):
        start = mon(11, 17)
        for minutes in (1, 59, 540, 541, 5000, 20000):
            end = add_business_minutes(office, start, minutes)
            assert business_minutes_between(office, start, end) == minutes

    def test_skips_closure_dates(self, office):
        tuesday = datetime.date(*MONDAY) + datetime.timedelta(days=1)
        schedule = Schedule(CHICAGO, office.intervals, frozenset({tuesday}))
        assert add_business_minutes(schedule, mon(16), 120) == mon(9, day_offset=2)

    def test_never_opening_schedule_raises(self):
        with pytest.raises(ValueError):
            add_business_minutes(Schedule(CHICAGO, ()), mon(9), 60)

    def test_negative_minutes_raise(self, office):
        with pytest.raises(ValueError):
            add_business_minutes(office, mon(9), -1)


def test_utc_offset_changes_name_each_dst_switch_to_the_minute():
    changes = utc_offset_changes("America/Chicago", datetime.date(2027, 1, 1), 365)
    assert [(at.isoformat(), offset) for at, offset in changes] == [
        ("2027-01-01T00:00:00+00:00", -360),
        ("2027-03-14T08:00:00+00:00", -300),  # 2:00 CST becomes 3:00 CDT
        ("2027-11-07T07:00:00+00:00", -360),  # 2:00 CDT becomes 1:00 CST
    ]


def test_utc_offset_changes_of_a_zone_without_dst_is_one_offset():
    changes = utc_offset_changes("America/Phoenix", datetime.date(2027, 1, 1), 365)
    assert [offset for _, offset in changes] == [-420]
