"""Stateful property test (hypothesis): any sequence of booking, cancelling, moving and
blocking time leaves no five-minute unit of a clinic over capacity, and every booked visit
on time that was free and offered when it was placed.

Two clinics: one with a single type (capacity 1, 30 minutes + 10 buffer, a 15-minute step,
so neighbours overlap), one with two types sharing its seats (capacity 2 for 45 minutes and
capacity 1 for 20 + 5 minutes). Checked from the Booking rows, not only from the seats.

Examples: 30 by default (HYPOTHESIS_PROFILE=thorough: 500), 20 steps each."""

import datetime
import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from appointments import services, slots
from appointments.models import UNIT, AppointmentType, Booking, BookingBlock, BookingSeat
from pages.models import Location
from tests.appointments.booking_helpers import at, details, key

ZONE = "America/Chicago"
NOW = at(ZONE, 2027, 3, 1, 8)
DAY = datetime.date(2027, 3, 10)  # a Wednesday
WEEK = "Wed 09:00-11:00"
# Every five-minute mark of the morning: on and off each type's step grid.
STARTS = [at(ZONE, 2027, 3, 10, 9) + UNIT * n for n in range(24)]
CLOCKS = [datetime.time(9 + n // 12, (n % 12) * 5) for n in range(25)]

settings.register_profile(
    "booking-machine",
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    # One database test; each machine runs in its own savepoint, rolled back at teardown.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "booking-machine-thorough", settings.get_profile("booking-machine"), max_examples=500
)
PROFILE = settings.get_profile(
    "booking-machine-thorough"
    if os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
    else "booking-machine"
)


def set_hours(location, name, **options):
    # A short horizon: each refusal searches it for the nearest free times.
    options.setdefault("horizon-days", 10)
    args = [f"--{k}={v}" for k, v in options.items()]
    call_command(
        "set_booking_hours", location.slug, WEEK, f"--type={name}", *args, stdout=io.StringIO()
    )
    return AppointmentType.objects.select_related("location").get(location=location, name_en=name)


class BookingMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        one = Location.objects.create(name="Solo", slug="solo", time_zone=ZONE)
        two = Location.objects.create(name="Pair", slug="pair", time_zone=ZONE)
        self.types = [
            set_hours(one, "Single", minutes=30, buffer=10, step=15, capacity=1),
            set_hours(two, "Pair long", minutes=45, step=15, capacity=2),
            set_hours(two, "Pair short", minutes=20, buffer=5, step=10, capacity=1),
        ]
        self.staff = get_user_model().objects.create_user("desk", is_staff=True)
        # booking pk -> ids of the blocks that existed when it was placed at its time
        self.placed = {}

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    def _blocks_now(self):
        return set(BookingBlock.objects.values_list("pk", flat=True))

    def _pick(self, index):
        live = sorted(self.placed)
        return Booking.objects.get(pk=live[index % len(live)])

    @rule(kind=st.integers(0, 2), start=st.sampled_from(STARTS))
    def book(self, kind, start):
        kind = self.types[kind]
        try:
            booking, _token = services.book(kind, start, details(), key(), now=NOW)
        except services.BookingError as error:
            assert error.reason != slots.PAST
            assert start not in error.alternatives
            return
        self.placed[booking.pk] = self._blocks_now()

    @precondition(lambda self: self.placed)
    @rule(index=st.integers(0, 100), by_staff=st.booleans())
    def cancel(self, index, by_staff):
        booking = self._pick(index)
        services.cancel(booking, user=self.staff if by_staff else None, now=NOW)
        del self.placed[booking.pk]
        assert not BookingSeat.objects.filter(booking=booking).exists()

    @precondition(lambda self: self.placed)
    @rule(index=st.integers(0, 100), start=st.sampled_from(STARTS))
    def reschedule(self, index, start):
        booking = self._pick(index)
        before = booking.starts_at
        try:
            services.reschedule(booking, start, now=NOW)
        except services.BookingError:
            booking.refresh_from_db()
            assert booking.starts_at == before  # a refused move keeps the old time
            return
        self.placed[booking.pk] = self._blocks_now()

    @rule(
        clinic=st.sampled_from(["solo", "pair"]),
        # Two different clocks, in order: drawn so, never filtered (a filter that throws
        # away half the draws trips Hypothesis's filter_too_much check now and then).
        span=st.lists(st.sampled_from(CLOCKS), min_size=2, max_size=2, unique=True).map(sorted),
    )
    def add_block(self, clinic, span):
        BookingBlock.objects.create(
            location=Location.objects.get(slug=clinic), date=DAY, starts=span[0], ends=span[1]
        )

    @invariant()
    def no_unit_over_capacity(self):
        booked = Booking.objects.filter(status=Booking.Status.BOOKED).select_related(
            "appointment_type"
        )
        assert {b.pk for b in booked} == set(self.placed)
        held = {}  # (clinic, unit) -> capacities of the bookings holding it
        for booking in booked:
            kind = booking.appointment_type
            for unit in slots.units_of(kind, booking.starts_at):
                held.setdefault((booking.location_id, unit), []).append(kind.capacity)
        for capacities in held.values():
            # Bookings of types with capacity <= c share c seats: never more than c of them.
            for limit in set(capacities):
                assert sum(1 for c in capacities if c <= limit) <= limit, capacities

    @invariant()
    def every_booking_is_on_free_offered_time(self):
        for booking in Booking.objects.filter(status=Booking.Status.BOOKED).select_related(
            "appointment_type__location"
        ):
            kind = booking.appointment_type
            availability = slots.load(kind, DAY, DAY, exclude_booking=booking.pk)
            assert booking.starts_at in slots.grid(availability, DAY)
            assert booking.ends_at - booking.starts_at == datetime.timedelta(minutes=kind.minutes)
            assert BookingSeat.objects.filter(booking=booking).count() == kind.occupies // UNIT
            earlier = BookingBlock.objects.filter(
                pk__in=self.placed[booking.pk], location_id=booking.location_id
            )
            for block in earlier:
                b_start, b_end = slots._block_span(kind.location.zone, block)
                assert not (b_start < booking.ends_at and booking.starts_at < b_end)


@pytest.mark.django_db
def test_no_sequence_of_bookings_moves_cancels_and_blocks_overbooks_or_books_blocked_time():
    run_state_machine_as_test(BookingMachine, settings=PROFILE)
