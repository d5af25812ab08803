"""Every write to a booking: book, cancel, move, staff status changes, the practice
system mark and deletion. The views, the admin and the commands call these and write nothing
themselves. Each runs in one transaction with its history row (and, for staff, its audit
event), so a change and its record commit together or not at all.

Every rule is checked again here, inside the transaction that saves, against what is
stored now, not against the page the patient saw. The database has the last word: each
booking holds seat rows that are unique per clinic, five-minute unit and seat
(models.BookingSeat), so two bookings racing for the last seat cannot both commit; the
loser reads again and is told the time is gone, with the nearest free times.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from pages.models import Location
from staff import outbox, targets
from staff import services as staff_services
from staff.models import AuditEvent

from . import notify, slots
from .models import (
    AppointmentType,
    Booking,
    BookingChange,
    BookingReminder,
    BookingSeat,
    hash_token,
)
from .tokens import manage_token

PATIENT = "patient (online)"
# Seat races lost before giving up; each retry reads what the winners stored.
ATTEMPTS = 25
DETAIL_FIELDS = Booking.PATIENT_DETAILS

logger = logging.getLogger(__name__)


class BookingError(Exception):
    """A time cannot be booked: `reason` (slots.PAST, ...) and the nearest free times."""

    def __init__(self, reason, alternatives=()):
        super().__init__(reason)
        self.reason = reason
        self.alternatives = list(alternatives)


class AlreadyBooked(Exception):
    """This form (its submission key) was booked before: a reload or a double click."""

    def __init__(self, booking):
        super().__init__("already booked")
        self.booking = booking


class NotAllowed(Exception):
    """A change the booking's state does not allow (e.g. moving a cancelled booking)."""


def find_by_token(token):
    return (
        Booking.objects.select_related("location", "appointment_type")
        .filter(manage_token_hash=hash_token(token))
        .first()
    )


def _check(appointment_type, start, now, exclude_booking=None):
    """The seats `start` would take, or BookingError with the nearest free times."""
    location = appointment_type.location
    if not (appointment_type.is_active and location.is_active):
        raise BookingError(slots.NOT_OFFERED)
    day = start.astimezone(location.zone).date()
    availability = slots.load(appointment_type, day, day, exclude_booking=exclude_booking)
    reason = slots.problem(availability, start, now)
    if reason is None:
        return slots.seats_for(availability, start)
    raise BookingError(reason)


def _with_alternatives(error, appointment_type, start, now, exclude_booking=None):
    error.alternatives = slots.nearest(
        appointment_type, start, now, exclude_booking=exclude_booking
    )
    return error


def _hold(booking, seats):
    BookingSeat.objects.bulk_create(
        BookingSeat(booking=booking, location_id=booking.location_id, unit=unit, seat=seat)
        for unit, seat in seats
    )


def book(appointment_type, start, details, submission_key, language="en", now=None):
    """Book `start` (an aware instant) for the patient `details` (DETAIL_FIELDS and the
    yes/no PATIENT_ANSWERS). Returns (booking, manage token). Raises BookingError (with
    alternatives) when the time breaks a rule or is gone, AlreadyBooked when this
    submission key was booked before."""
    now = now or timezone.now()
    start = start.astimezone(datetime.UTC)
    appointment_type = AppointmentType.objects.select_related("location").get(
        pk=appointment_type.pk
    )
    if not appointment_type.accepts(details.get("patient_type")):
        raise BookingError(slots.NOT_OFFERED)
    token = manage_token(submission_key)
    schedule = _schedule(appointment_type.location)
    for _attempt in range(ATTEMPTS):
        _raise_if_booked(submission_key)
        try:
            with transaction.atomic():
                seats = _check(appointment_type, start, now)
                booking = Booking.objects.create(
                    # From the clock, as created_at is, not from `now` (the slot rules').
                    enter_by=_enter_by(appointment_type.location, timezone.now(), schedule),
                    appointment_type=appointment_type,
                    location=appointment_type.location,
                    starts_at=start,
                    ends_at=start + datetime.timedelta(minutes=appointment_type.minutes),
                    submission_key=submission_key,
                    manage_token_hash=hash_token(token),
                    language=language,
                    **{name: details.get(name, "") for name in DETAIL_FIELDS},
                    **{name: bool(details.get(name)) for name in Booking.PATIENT_ANSWERS},
                )
                _hold(booking, seats)
                _history(booking, BookingChange.Action.BOOKED, PATIENT, to_starts_at=start)
                notify.queue_booked(booking)
            return booking, token
        except BookingError as error:
            raise _with_alternatives(error, appointment_type, start, now) from None
        except IntegrityError:
            # Lost a race: for a seat (read again and retry) or for this submission key.
            continue
    _raise_if_booked(submission_key)
    raise _with_alternatives(BookingError(slots.FULL), appointment_type, start, now)


def _schedule(location):
    """The clinic's opening hours for its enter-by time, read before the booking's
    transaction; None when they cannot be read."""
    try:
        return targets.schedule_for(location)
    except Exception:
        logger.exception("Could not read the opening hours of location %s", location.pk)
        return None


def _enter_by(location, made, schedule):
    """When the booking should be in the practice system: the first-contact target in
    the clinic's opening hours from the moment it was made (staff.targets). Worked out once
    here so the dashboard counts in the database. A fault in the opening hours must never
    cost the patient's booking: backfill_enter_by fills in what is missing."""
    if schedule is None:
        return None
    try:
        return targets.due_at(location, made, schedule)
    except Exception:
        logger.exception("Could not work out the enter-by time for location %s", location.pk)
        return None


def backfill_enter_by(recompute=False, batch_size=500):
    """Work out the enter-by time of stored bookings that have none (booked before it was
    kept), or of all of them again with `recompute` (after a clinic's hours were
    corrected). From each booking's created_at, as when booked. Derived only, so no
    history, audit or change time (updated_at decides when a cancelled booking is
    purged). Returns the number of bookings changed."""
    bookings = Booking.objects.all() if recompute else Booking.objects.filter(enter_by=None)
    # Every clinic's hours in three queries, not two per clinic.
    clinics = Location.objects.filter(pk__in=bookings.values("location_id")).with_hours()
    schedules = {clinic.pk: (clinic, _schedule(clinic)) for clinic in clinics}
    changed, last = 0, 0
    while batch := list(
        bookings.filter(pk__gt=last)
        .order_by("pk")
        .values_list("pk", "location_id", "created_at")[:batch_size]
    ):
        last = batch[-1][0]
        rows = []
        for pk, location_id, created in batch:
            # A booking made since the clinics were read already has its time.
            if location_id in schedules:
                location, schedule = schedules[location_id]
                rows.append(Booking(pk=pk, enter_by=_enter_by(location, created, schedule)))
        changed += Booking.objects.bulk_update(
            [row for row in rows if row.enter_by is not None], ["enter_by"]
        )
    return changed


def _raise_if_booked(submission_key):
    existing = Booking.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        raise AlreadyBooked(existing)


def _history(booking, action, by, **fields):
    return BookingChange.objects.create(booking=booking, action=action, by=by, **fields)


def _by(user):
    return user.get_username() if user is not None else PATIENT


def _audit(booking, user, detail):
    if user is not None:
        AuditEvent.record(AuditEvent.Action.CHANGE, [booking], user=user, detail=detail)


def _locked(booking):
    # Only the booking's own row: locking the joined clinic row too would deadlock with
    # bookings whose inserts hold a key-share lock on it.
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("location", "appointment_type")
        .get(pk=booking.pk)
    )


def cancel(booking, user=None, now=None):
    """Cancel: by the patient (no `user`) or by the clinic (staff `user`). Frees the time."""
    now = now or timezone.now()
    status = (
        Booking.Status.CANCELLED_BY_PATIENT if user is None else Booking.Status.CANCELLED_BY_CLINIC
    )
    with transaction.atomic():
        booking = _locked(booking)
        if booking.status != Booking.Status.BOOKED:
            raise NotAllowed("Only a booked visit can be cancelled.")
        if user is None and not patient_may_change(booking, now):
            raise NotAllowed("It is too late to cancel online.")
        before = booking.status
        booking.seats.all().delete()
        booking.status = status
        booking.sequence += 1
        booking.save(update_fields=["status", "sequence", "updated_at"])
        _history(
            booking, BookingChange.Action.CANCELLED, _by(user), from_status=before, to_status=status
        )
        _audit(booking, user, "cancelled by the clinic")
        if user is None:
            notify.queue_changed(booking)
        notify.queue_patient_cancelled(booking)
    return booking


def reschedule(booking, start, user=None, now=None):
    """Move a booked visit to `start` (same type, same UID, SEQUENCE + 1). Every rule is
    checked as for a new booking; the old time is freed in the same transaction."""
    now = now or timezone.now()
    start = start.astimezone(datetime.UTC)
    kind = booking.appointment_type
    for _attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                booking = _locked(booking)
                kind = booking.appointment_type
                if booking.status != Booking.Status.BOOKED:
                    raise NotAllowed("Only a booked visit can be moved.")
                if user is None and not patient_may_change(booking, now):
                    raise NotAllowed("It is too late to change this visit online.")
                seats = _check(kind, start, now, exclude_booking=booking.pk)
                before = booking.starts_at
                booking.seats.all().delete()
                booking.starts_at = start
                booking.ends_at = start + datetime.timedelta(minutes=kind.minutes)
                booking.sequence += 1
                booking.save(update_fields=["starts_at", "ends_at", "sequence", "updated_at"])
                _hold(booking, seats)
                _history(
                    booking,
                    BookingChange.Action.MOVED,
                    _by(user),
                    from_starts_at=before,
                    to_starts_at=start,
                )
                _audit(booking, user, "moved")
                if user is None:
                    notify.queue_changed(booking)
                notify.queue_patient_moved(booking)
            return booking
        except BookingError as error:
            raise _with_alternatives(error, kind, start, now, exclude_booking=booking.pk) from None
        except IntegrityError:
            continue
    raise _with_alternatives(BookingError(slots.FULL), kind, start, now, exclude_booking=booking.pk)


def set_status(booking, status, user):
    """Staff mark a visit attended, no-show or booked again (not a cancelled one: its time
    may be gone; book a new time instead). Cancelling goes through cancel()."""
    if status in Booking.CANCELLED:
        return cancel(booking, user=user)
    with transaction.atomic():
        booking = _locked(booking)
        if booking.is_cancelled:
            raise NotAllowed("A cancelled booking cannot be reopened. Book a new time instead.")
        if booking.status == status:
            return booking
        before = booking.status
        booking.status = status
        booking.save(update_fields=["status", "updated_at"])
        _history(
            booking, BookingChange.Action.STATUS, _by(user), from_status=before, to_status=status
        )
        _audit(booking, user, f"status: {Booking.Status(status).label.lower()}")
    return booking


def mark_entered(booking, user, now=None):
    """Staff entered the booking in the practice system: who and when, once."""
    with transaction.atomic():
        booking = _locked(booking)
        if booking.entered_in_practice_system_at is not None:
            return booking
        booking.entered_in_practice_system_at = now or timezone.now()
        booking.entered_in_practice_system_by = user
        booking.save(
            update_fields=[
                "entered_in_practice_system_at",
                "entered_in_practice_system_by",
                "updated_at",
            ]
        )
        _history(booking, BookingChange.Action.ENTERED, _by(user))
        _audit(booking, user, "entered in the practice system")
    return booking


def patient_may_change(booking, now=None):
    """Online cancelling and moving close BOOKING_CHANGE_CUTOFF_HOURS before the visit."""
    now = now or timezone.now()
    cutoff = datetime.timedelta(hours=settings.BOOKING_CHANGE_CUTOFF_HOURS)
    return booking.status == Booking.Status.BOOKED and now < booking.starts_at - cutoff


def delete_bookings(bookings, reason, user=None, job=""):
    """The one way bookings are deleted (purge_bookings), logged and audited the way every
    patient record is (staff.services.delete_records). Its seats, history and reminders
    go with it (on_delete CASCADE), and so do the outbox rows about it and about its
    reminders: nothing is mailed about a booking that is gone. `bookings`: Booking
    objects or a QuerySet, their locations loaded (the log keeps the clinic's name)."""
    with transaction.atomic():
        bookings = list(bookings)
        outbox.forget(BookingReminder.objects.filter(booking__in=bookings))
        return staff_services.delete_records(Booking, bookings, reason, user=user, job=job)
