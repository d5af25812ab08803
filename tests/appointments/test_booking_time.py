"""Free times in the clinic's own zone: DST changes, notice, horizon, the visitor's zone."""

import datetime

import pytest

from appointments import services, slots
from tests.appointments.booking_helpers import at, details, key

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def local_times(kind, day, now):
    availability = slots.load(kind, day, day)
    zone = kind.location.zone
    return [t.astimezone(zone) for t in slots.free_times(availability, now)]


def clocks(times):
    return [t.strftime("%H:%M") for t in times]


@pytest.mark.parametrize("zone", ["America/Chicago", "America/Los_Angeles"])
def test_spring_forward_2027_offers_each_real_time_once_and_skips_the_missing_hour(make_type, zone):
    kind = make_type(zone=zone, week="Sun 01:00-04:00", minutes=30)
    times = local_times(kind, datetime.date(2027, 3, 14), at(zone, 2027, 3, 1, 8))

    assert clocks(times) == ["01:00", "01:30", "03:00", "03:30"]
    utc = [t.astimezone(UTC) for t in times]
    assert utc == sorted(set(utc))
    # 1:30 CST/PST and 3:00 CDT/PDT are half an hour apart in real time.
    assert utc[2] - utc[1] == datetime.timedelta(minutes=30)


@pytest.mark.parametrize("zone", ["America/Chicago", "America/Los_Angeles"])
def test_fall_back_2027_offers_the_repeated_hour_once(make_type, zone):
    kind = make_type(zone=zone, week="Sun 00:30-03:00", minutes=30)
    times = local_times(kind, datetime.date(2027, 11, 7), at(zone, 2027, 10, 20, 8))

    assert clocks(times) == ["00:30", "01:00", "01:30", "02:00", "02:30"]
    assert [t.fold for t in times] == [0] * 5
    utc = [t.astimezone(UTC) for t in times]
    assert len(set(utc)) == 5


@pytest.mark.parametrize(
    "zone, before, after",
    [
        ("America/Chicago", datetime.date(2027, 3, 12), datetime.date(2027, 3, 15)),
        ("America/Chicago", datetime.date(2027, 11, 5), datetime.date(2027, 11, 8)),
        ("America/Los_Angeles", datetime.date(2027, 3, 12), datetime.date(2027, 3, 15)),
        ("America/Los_Angeles", datetime.date(2027, 11, 5), datetime.date(2027, 11, 8)),
    ],
)
def test_nine_oclock_stays_nine_oclock_across_the_change(make_type, zone, before, after):
    kind = make_type(zone=zone, week="Mon-Fri 09:00-10:00")
    now = at(zone, before.year, before.month, 1, 8)
    first_before = local_times(kind, before, now)[0]
    first_after = local_times(kind, after, now)[0]

    assert first_before.strftime("%H:%M") == first_after.strftime("%H:%M") == "09:00"
    assert first_before.utcoffset() != first_after.utcoffset()


def test_arizona_keeps_one_offset_all_year(make_type):
    zone = "America/Phoenix"
    kind = make_type(zone=zone, week="Mon-Sun 09:00-10:00")
    for day, now in [
        (datetime.date(2027, 3, 14), at(zone, 2027, 3, 1, 8)),
        (datetime.date(2027, 11, 7), at(zone, 2027, 10, 20, 8)),
    ]:
        times = local_times(kind, day, now)
        assert clocks(times) == ["09:00", "09:30"]
        assert times[0].astimezone(UTC).hour == 16


def test_minimum_notice_holds_to_the_second(make_type):
    zone = "America/Chicago"
    kind = make_type(zone=zone, week="Mon-Fri 09:00-10:00", notice_hours=24)
    slot = at(zone, 2027, 3, 10, 9)
    day = slot.date()
    just_in_time = slot - datetime.timedelta(hours=24)

    assert slots.problem(slots.load(kind, day, day), slot, just_in_time) is None
    late = just_in_time + datetime.timedelta(seconds=1)
    assert slots.problem(slots.load(kind, day, day), slot, late) == slots.NOTICE
    with pytest.raises(services.BookingError) as refused:
        services.book(kind, slot, details(), key(), now=late)
    assert refused.value.reason == slots.NOTICE
    booking, _ = services.book(kind, slot, details(), key(), now=just_in_time)
    assert booking.starts_at == slot


def test_the_horizons_last_local_day_is_bookable_and_the_next_is_not(make_type):
    zone = "America/Los_Angeles"
    kind = make_type(zone=zone, week="Mon-Sun 09:00-10:00", horizon_days=30, notice_hours=0)
    # 23:30 on March 1 in Los Angeles is already March 2 in UTC.
    now = at(zone, 2027, 3, 1, 23, 30)
    last = datetime.date(2027, 3, 31)

    assert clocks(local_times(kind, last, now)) == ["09:00", "09:30"]
    assert local_times(kind, last + datetime.timedelta(days=1), now) == []
    with pytest.raises(services.BookingError) as refused:
        services.book(kind, at(zone, 2027, 4, 1, 9), details(), key(), now=now)
    assert refused.value.reason == slots.HORIZON
    services.book(kind, at(zone, 2027, 3, 31, 9, 30), details(), key(), now=now)


def test_a_visitor_in_another_zone_books_clinic_time(make_type):
    kind = make_type(zone="America/Chicago", week="Mon-Fri 09:00-10:00", notice_hours=0)
    now = at("America/Chicago", 2027, 3, 1, 8)
    # The browser in Tokyo sends the same instant with its own offset.
    tokyo = datetime.datetime.fromisoformat("2027-03-11T00:00:00+09:00")

    booking, _ = services.book(kind, tokyo, details(), key(), now=now)

    assert booking.local_start().strftime("%Y-%m-%d %H:%M %Z") == "2027-03-10 09:00 CST"
