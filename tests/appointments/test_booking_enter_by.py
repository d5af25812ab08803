"""Each booking keeps when it should be in the practice system (enter_by): the
first-contact target in the clinic's opening hours from the moment it was booked, stored
when it is booked and kept when the visit moves; backfill_enter_by fills in older rows."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from appointments import services
from appointments.models import Booking
from pages.models import ClosureDate, OpeningHours
from staff import targets
from tests.appointments.booking_helpers import at, details, key
from tests.factories import make_superuser

CHICAGO = "America/Chicago"


def chicago(month, day, hour, minute=0):
    return at(CHICAGO, 2030, month, day, hour, minute)


@pytest.fixture
def clock(monkeypatch):
    """`clock(instant)`: the site's clock (timezone.now, which created_at reads too)
    stands at `instant`."""

    def set_to(instant):
        monkeypatch.setattr(timezone, "now", lambda: instant.astimezone(datetime.UTC))
        return instant

    return set_to


def book(kind, start, made):
    booking, _token = services.book(kind, start, details(), key(), now=made)
    booking.refresh_from_db()
    return booking


def test_a_booking_made_late_on_friday_is_due_in_the_practice_system_monday_morning(
    make_type, clock
):
    kind = make_type("Lincoln", zone=CHICAGO)  # no hours entered: Mon-Fri 08:00-17:00
    made = clock(chicago(1, 18, 16))  # a Friday; the target is 2 opening hours

    booking = book(kind, chicago(1, 22, 9), made)

    assert booking.created_at == made
    # 16:00-17:00 on Friday, then 08:00-09:00 on Monday.
    assert booking.enter_by == chicago(1, 21, 9)


def test_the_clinics_own_hours_closures_and_target_set_the_time(make_type, clock):
    kind = make_type("Lincoln", zone=CHICAGO)
    location = kind.location
    for weekday in range(5):
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=datetime.time(9), closes=datetime.time(17)
        )
    ClosureDate.objects.create(location=location, date=datetime.date(2030, 1, 21))  # Monday
    location.response_target_hours = Decimal("1")
    location.save()
    made = clock(chicago(1, 18, 16, 30))

    booking = book(kind, chicago(1, 23, 9), made)

    # 16:30-17:00 on Friday, closed on Monday, 09:00-09:30 on Tuesday.
    assert booking.enter_by == chicago(1, 22, 9, 30)


def test_moving_the_visit_keeps_the_time_it_should_be_entered_by(make_type, clock):
    kind = make_type("Lincoln", zone=CHICAGO)
    booking = book(kind, chicago(1, 22, 9), clock(chicago(1, 18, 16)))
    clock(chicago(1, 19, 10))  # moved the next day

    services.reschedule(booking, chicago(1, 24, 10), now=chicago(1, 19, 10))

    booking.refresh_from_db()
    assert booking.starts_at == chicago(1, 24, 10)
    assert booking.enter_by == chicago(1, 21, 9)


def test_a_fault_in_the_opening_hours_never_costs_the_booking(make_type, clock, monkeypatch):
    kind = make_type("Lincoln", zone=CHICAGO)
    made = clock(chicago(1, 18, 16))

    def broken(*args, **kwargs):
        raise RuntimeError("unreadable hours")

    with monkeypatch.context() as patched:
        patched.setattr(targets, "due_at", broken)
        booking = book(kind, chicago(1, 22, 9), made)

    assert booking.enter_by is None and booking.status == Booking.Status.BOOKED
    call_command("backfill_enter_by", stdout=io.StringIO())
    booking.refresh_from_db()
    assert booking.enter_by == chicago(1, 21, 9)


def test_the_backfill_fills_older_bookings_from_when_they_were_made(make_type, clock):
    kind = make_type("Lincoln", zone=CHICAGO)
    older = book(kind, chicago(1, 22, 9), clock(chicago(1, 18, 16)))
    filled = book(kind, chicago(1, 22, 10), clock(chicago(1, 16, 10)))
    Booking.objects.filter(pk=older.pk).update(enter_by=None)
    Booking.objects.filter(pk=filled.pk).update(enter_by=chicago(3, 1, 9))  # left alone
    older.refresh_from_db()
    out = io.StringIO()

    call_command("backfill_enter_by", stdout=out)

    assert out.getvalue().strip() == "Updated 1 booking(s)."
    refreshed = Booking.objects.get(pk=older.pk)
    assert refreshed.enter_by == chicago(1, 21, 9)
    # Derived only: the change time, which decides when a cancelled booking is purged,
    # stays as it was.
    assert refreshed.updated_at == older.updated_at
    assert Booking.objects.get(pk=filled.pk).enter_by == chicago(3, 1, 9)


def test_the_backfill_recomputes_every_booking_when_asked(make_type, clock):
    kind = make_type("Lincoln", zone=CHICAGO)
    booking = book(kind, chicago(1, 22, 9), clock(chicago(1, 16, 10)))
    Booking.objects.filter(pk=booking.pk).update(enter_by=chicago(3, 1, 9))
    out = io.StringIO()

    call_command("backfill_enter_by", "--recompute", stdout=out)

    assert out.getvalue().strip() == "Updated 1 booking(s)."
    assert Booking.objects.get(pk=booking.pk).enter_by == chicago(1, 16, 12)


def test_the_bookings_page_shows_staff_when_to_enter_it_by(make_type, clock, login):
    kind = make_type("Lincoln", zone=CHICAGO)
    booking = book(kind, chicago(1, 22, 9), clock(chicago(1, 18, 16)))
    url = reverse("admin:appointments_booking_change", args=[booking.pk])

    html = login(make_superuser()).get(url).content.decode()

    assert "Enter in the practice system by" in html
