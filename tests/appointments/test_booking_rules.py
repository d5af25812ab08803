"""services.book/reschedule/cancel check every rule inside the transaction that saves."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from appointments import services, slots
from appointments.models import (
    AppointmentType,
    Booking,
    BookingBlock,
    BookingChange,
    BookingSeat,
    hash_token,
)
from pages.models import ClosureDate
from staff.models import AuditEvent, NotificationOutbox
from tests.appointments.booking_helpers import at, details, key

pytestmark = pytest.mark.django_db
ZONE = "America/Chicago"
NOW = at(ZONE, 2027, 3, 1, 8)
SLOT = at(ZONE, 2027, 3, 10, 9, 30)  # a Wednesday


def refused(kind, start, **kwargs):
    with pytest.raises(services.BookingError) as error:
        services.book(kind, start, details(), key(), now=NOW, **kwargs)
    return error.value


def test_a_booking_is_stored_in_utc_with_seats_history_and_a_staff_notification(make_type):
    kind = make_type(minutes=30, buffer=10)
    booking, token = services.book(kind, SLOT, details(), key(), now=NOW)

    assert booking.starts_at == SLOT and booking.starts_at.utcoffset() == datetime.timedelta(0)
    assert booking.ends_at - booking.starts_at == datetime.timedelta(minutes=30)
    assert BookingSeat.objects.filter(booking=booking).count() == 8  # 30 + 10 minutes
    assert booking.manage_token_hash == hash_token(token) != token
    assert list(booking.history.values_list("action", "by")) == [("booked", services.PATIENT)]
    assert NotificationOutbox.objects.filter(object_id=booking.pk, kind="booking").exists()


@pytest.mark.parametrize(
    "change, reason",
    [
        (
            lambda kind: ClosureDate.objects.create(location=kind.location, date=SLOT.date()),
            slots.CLOSED,
        ),
        (
            lambda kind: BookingBlock.objects.create(location=kind.location, date=SLOT.date()),
            slots.BLOCKED,
        ),
        (
            lambda kind: BookingBlock.objects.create(
                location=kind.location,
                date=SLOT.date(),
                starts=datetime.time(9, 45),
                ends=datetime.time(11),
            ),
            slots.BLOCKED,
        ),
    ],
    ids=["closure", "whole-day block", "block overlapping the visit"],
)
def test_a_closure_or_block_added_after_the_list_was_shown_is_refused_with_alternatives(
    make_type, change, reason
):
    kind = make_type()
    assert SLOT in slots.free_times(slots.load(kind, SLOT.date(), SLOT.date()), NOW)
    change(kind)

    error = refused(kind, SLOT)
    assert error.reason == reason
    assert error.alternatives and SLOT not in error.alternatives
    day = slots.load(kind, NOW.date(), SLOT.date() + datetime.timedelta(days=30))
    assert all(slots.problem(day, t, NOW) is None for t in error.alternatives)


@pytest.mark.parametrize(
    "start, reason",
    [
        (SLOT + datetime.timedelta(minutes=10), slots.NOT_OFFERED),  # off the step grid
        (at(ZONE, 2027, 3, 10, 12, 0), slots.NOT_OFFERED),  # the lunch gap
        (at(ZONE, 2027, 3, 10, 15, 45), slots.NOT_OFFERED),  # would run past 16:00
        (at(ZONE, 2027, 3, 13, 9, 30), slots.NOT_OFFERED),  # a Saturday
        (at(ZONE, 2027, 2, 20, 9, 30), slots.PAST),
    ],
    ids=["off-grid", "between windows", "past the window", "no window that day", "past"],
)
def test_times_that_break_a_rule_are_refused_with_the_nearest_free_times(make_type, start, reason):
    kind = make_type()
    error = refused(kind, start)

    assert error.reason == reason
    assert len(error.alternatives) == 6
    assert not Booking.objects.exists()


def test_another_clinics_type_is_refused(make_type):
    here = make_type("Here")
    there = make_type("There", week="Sat 09:00-12:00")
    # The Saturday time is on "There"'s grid, not on "Here"'s.
    error = refused(here, at(ZONE, 2027, 3, 13, 9, 30))
    assert error.reason == slots.NOT_OFFERED
    assert services.book(there, at(ZONE, 2027, 3, 13, 9, 30), details(), key(), now=NOW)


def test_an_inactive_type_or_the_wrong_patient_type_is_refused(make_type):
    kind = make_type()
    AppointmentType.objects.filter(pk=kind.pk).update(who_may_book="returning")
    with pytest.raises(services.BookingError):
        services.book(kind, SLOT, details(patient_type="new"), key(), now=NOW)
    AppointmentType.objects.filter(pk=kind.pk).update(who_may_book="both", is_active=False)
    assert refused(kind, SLOT).reason == slots.NOT_OFFERED


def test_capacity_one_books_once_and_offers_the_neighbours(make_type):
    kind = make_type()
    services.book(kind, SLOT, details(), key(), now=NOW)
    error = refused(kind, SLOT)

    assert error.reason == slots.FULL
    assert SLOT not in error.alternatives
    assert error.alternatives[0] < SLOT < error.alternatives[-1]


def test_capacity_two_takes_two_patients_at_once(make_type):
    kind = make_type(capacity=2)
    services.book(kind, SLOT, details(), key(), now=NOW)
    services.book(kind, SLOT, details(), key(), now=NOW)
    assert refused(kind, SLOT).reason == slots.FULL


def test_overlapping_bookings_of_different_lengths_cannot_both_hold_the_time(make_type):
    long_visit = make_type(minutes=60, step=30)
    short_visit = AppointmentType.objects.create(
        location=long_visit.location, name_en="Follow-up", name_es="Seguimiento", minutes=30
    )
    for window in long_visit.windows.all():
        short_visit.windows.create(weekday=window.weekday, starts=window.starts, ends=window.ends)
    services.book(long_visit, SLOT, details(), key(), now=NOW)  # 9:30-10:30

    assert refused(short_visit, SLOT + datetime.timedelta(minutes=30)).reason == slots.FULL
    services.book(short_visit, SLOT - datetime.timedelta(minutes=30), details(), key(), now=NOW)


def test_the_buffer_keeps_the_next_time_free(make_type):
    kind = make_type(minutes=30, step=30, buffer=15)
    services.book(kind, SLOT, details(), key(), now=NOW)
    # 10:00 falls inside 9:30's buffer (to 10:15); 9:00's buffer would run into 9:30.
    assert refused(kind, SLOT + datetime.timedelta(minutes=30)).reason == slots.FULL
    assert refused(kind, SLOT - datetime.timedelta(minutes=30)).reason == slots.FULL


def test_the_same_submission_key_books_once(make_type):
    kind = make_type()
    submission = key()
    booking, token = services.book(kind, SLOT, details(), submission, now=NOW)
    with pytest.raises(services.AlreadyBooked) as again:
        services.book(kind, SLOT, details(), submission, now=NOW)
    assert again.value.booking == booking
    assert services.manage_token(submission) == token
    assert Booking.objects.count() == 1


def test_reschedule_keeps_the_booking_frees_the_old_time_and_raises_the_sequence(make_type):
    kind = make_type()
    booking, token = services.book(kind, SLOT, details(), key(), now=NOW)
    later = SLOT + datetime.timedelta(days=1)

    services.reschedule(booking, later, now=NOW)
    booking.refresh_from_db()
    assert (booking.starts_at, booking.sequence) == (later, 1)
    assert services.find_by_token(token) == booking
    assert services.book(kind, SLOT, details(), key(), now=NOW)  # the old time is free
    assert (
        BookingChange.objects.filter(booking=booking, action="moved").get().from_starts_at == SLOT
    )


def test_reschedule_to_a_taken_time_is_refused_and_keeps_the_old_one(make_type):
    kind = make_type()
    booking, _ = services.book(kind, SLOT, details(), key(), now=NOW)
    other_time = SLOT + datetime.timedelta(hours=1)
    services.book(kind, other_time, details(), key(), now=NOW)

    with pytest.raises(services.BookingError) as error:
        services.reschedule(booking, other_time, now=NOW)
    assert error.value.reason == slots.FULL
    booking.refresh_from_db()
    assert booking.starts_at == SLOT and booking.seats.count() == 6


def test_patient_cancel_frees_the_time_until_the_cutoff(make_type, settings):
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 24
    kind = make_type()
    booking, _ = services.book(kind, SLOT, details(), key(), now=NOW)
    with pytest.raises(services.NotAllowed):
        services.cancel(booking, now=SLOT - datetime.timedelta(hours=23))

    services.cancel(booking, now=NOW)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_PATIENT and booking.sequence == 1
    assert not booking.seats.exists()
    assert NotificationOutbox.objects.filter(object_id=booking.pk, kind="bookchange").exists()
    services.book(kind, SLOT, details(), key(), now=NOW)


def test_staff_changes_are_audited_and_kept_as_history(make_type):
    kind = make_type()
    staff = get_user_model().objects.create_user("desk", is_staff=True)
    booking, _ = services.book(kind, SLOT, details(), key(), now=NOW)

    services.mark_entered(booking, staff)
    services.set_status(booking, Booking.Status.ATTENDED, staff)
    booking.refresh_from_db()
    assert booking.entered_in_practice_system_by == staff
    assert booking.entered_in_practice_system_at is not None
    assert list(booking.history.values_list("action", "by")) == [
        ("booked", services.PATIENT),
        ("entered", "desk"),
        ("status", "desk"),
    ]
    events = AuditEvent.objects.filter(record_type="appointments.booking", username="desk")
    assert events.count() == 2
    with pytest.raises(services.NotAllowed):
        services.cancel(booking, user=staff)


def test_set_booking_hours_refuses_a_mistyped_week_and_an_unknown_clinic(make_location):
    make_location("Omaha")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("set_booking_hours", "omaha", "Mon-Fri 9-5")
    with pytest.raises(CommandError, match="No clinic"):
        call_command("set_booking_hours", "nowhere", "Mon-Fri 09:00-17:00")
    with pytest.raises(CommandError, match="multiple of 5"):
        call_command("set_booking_hours", "omaha", "Mon-Fri 09:00-17:00", "--minutes=7")
    assert not AppointmentType.objects.exists()


def test_set_booking_hours_replaces_the_week_of_the_named_type(make_type):
    kind = make_type(week="Mon-Fri 09:00-12:00,13:00-16:00")
    assert kind.windows.count() == 10
    call_command("set_booking_hours", kind.location.slug, "Sat 09:00-12:00", "--capacity=2")
    kind.refresh_from_db()
    assert [(w.weekday, w.starts.hour) for w in kind.windows.all()] == [(5, 9)]
    assert kind.capacity == 2 and kind.notice_hours == 24 and kind.horizon_days == 30
