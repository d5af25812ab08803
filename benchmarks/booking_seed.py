"""Bookings in bulk for the benchmarks: a bookable type at many clinics, and bookings with
their seat rows (one per five-minute unit, as appointments.services holds them), by
bulk_create. bench_booking fills the coming weeks (seed_upcoming); bench_dashboard a year
of history and the weeks ahead, with every status and practice-system entries
(seed_history). Import it after django.setup(), as the benchmarks do."""

import datetime
import random
import uuid

from django.db import transaction
from django.utils import timezone

WEEK = "Mon-Sat 08:00-12:00,13:00-17:00"
BATCH = 5000
# Clinics whose bookings are built before they are written.
CLINICS_PER_WRITE = 50
_DAY = datetime.timedelta(days=1)


def make_bookable(locations):
    """A 30-minute type with the weekly hours (WEEK) at each clinic, in bulk."""
    from appointments.models import AppointmentType, BookableWindow
    from pages.hours import parse_week

    types = AppointmentType.objects.bulk_create(
        [
            AppointmentType(
                location=location,
                name_en="New patient consultation",
                name_es="Consulta para pacientes nuevos",
                minutes=30,
                step_minutes=30,
                notice_hours=2,
                horizon_days=60,
            )
            for location in locations
        ],
        batch_size=BATCH,
    )
    intervals = parse_week(WEEK)
    BookableWindow.objects.bulk_create(
        [
            BookableWindow(appointment_type=kind, weekday=i.weekday, starts=i.opens, ends=i.closes)
            for kind in types
            for i in intervals
        ],
        batch_size=BATCH,
    )
    return types


def new_booking(kind, start, **fields):
    """An unsaved booking of `kind` at `start` (aware) by a fake patient."""
    from appointments.models import Booking, hash_token

    start = start.astimezone(datetime.UTC)
    return Booking(
        appointment_type=kind,
        location_id=kind.location_id,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=kind.minutes),
        first_name="Bench",
        last_name="Patient",
        contact_method="email",
        email="bench@example.net",
        patient_type="new",
        submission_key=uuid.uuid4(),
        manage_token_hash=hash_token(uuid.uuid4()),
        **fields,
    )


def bulk_book(bookings):
    """Store `bookings` and the seats of those that still hold their time (a cancelled
    booking gave its seats back). created_at is auto_now_add: a booking that brings its
    own keeps it (set again after the insert)."""
    from appointments.models import Booking, BookingSeat
    from appointments.slots import units_of

    made_at = [booking.created_at for booking in bookings]
    with transaction.atomic():
        Booking.objects.bulk_create(bookings, batch_size=BATCH)
        if any(made_at):
            for booking, when in zip(bookings, made_at, strict=True):
                booking.created_at = when or booking.created_at
            Booking.objects.bulk_update(bookings, ["created_at"], batch_size=1000)
        BookingSeat.objects.bulk_create(
            [
                BookingSeat(booking=b, location_id=b.location_id, unit=unit, seat=0)
                for b in bookings
                if not b.is_cancelled
                for unit in units_of(b.appointment_type, b.starts_at)
            ],
            batch_size=BATCH,
        )
    return len(bookings)


def seed_upcoming(types, count):
    """`count` bookings spread over the clinics' next weeks: every other 30-minute time of
    the morning windows, so free times remain."""
    per_clinic = count // len(types)
    now = timezone.now()
    made = 0
    for first in range(0, len(types), CLINICS_PER_WRITE):
        bookings = []
        for kind in types[first : first + CLINICS_PER_WRITE]:
            bookings += _mornings(kind, per_clinic, now)
        made += bulk_book(bookings)
    return made


def _mornings(kind, count, now):
    zone = kind.location.zone
    day = now.astimezone(zone).date() + 2 * _DAY
    bookings = []
    while len(bookings) < count:
        if day.weekday() < 6:
            for hour in range(8, 12):
                if len(bookings) >= count:
                    break
                local = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
                bookings.append(new_booking(kind, local))
        day += _DAY
    return bookings


def seed_history(types, count, now=None, seed=1):
    """`count` bookings shared out over the clinics, their visits from a year ago to 60
    days ahead on distinct times of WEEK, each made 2 hours to 60 days before its visit
    (never after now). Past visits were attended, missed or cancelled, coming ones are
    booked or cancelled; nine in ten were entered in the practice system minutes to days
    after booking (those entered in the future are not yet). Returns how many."""
    now = now or timezone.now()
    rng = random.Random(seed)
    times = {}  # time zone -> the bookable times from a year ago to 60 days ahead
    per_clinic, extra = divmod(count, len(types))
    made = 0
    for first in range(0, len(types), CLINICS_PER_WRITE):
        bookings = []
        for n, kind in enumerate(types[first : first + CLINICS_PER_WRITE], start=first):
            zone = kind.location.time_zone
            if zone not in times:
                times[zone] = _bookable_times(kind.location.zone, now - 365 * _DAY, 425)
            starts = rng.sample(times[zone], per_clinic + (n < extra))
            bookings += [_history(kind, start, now, rng) for start in starts]
        made += bulk_book(bookings)
    return made


def _bookable_times(zone, since, days):
    """Every 30-minute start within WEEK for `days` days from `since`, as UTC instants."""
    from pages.hours import parse_week

    step = datetime.timedelta(minutes=30)
    intervals = parse_week(WEEK)
    day = since.astimezone(zone).date()
    starts = []
    for _ in range(days):
        for interval in intervals:
            if interval.weekday != day.weekday():
                continue
            local = datetime.datetime.combine(day, interval.opens, tzinfo=zone)
            closes = datetime.datetime.combine(day, interval.closes, tzinfo=zone)
            while local + step <= closes:
                starts.append(local.astimezone(datetime.UTC))
                local += step
        day += _DAY
    return starts


def _history(kind, start, now, rng):
    from appointments.models import Booking

    Status = Booking.Status
    ahead = datetime.timedelta(minutes=rng.randrange(2 * 60, 60 * 24 * 60))
    created = min(start - ahead, now - datetime.timedelta(minutes=rng.randrange(1, 120)))
    if start < now:
        outcomes = (Status.ATTENDED, Status.NO_SHOW, Status.CANCELLED_BY_PATIENT)
        status = rng.choices((*outcomes, Status.CANCELLED_BY_CLINIC), (85, 5, 7, 3))[0]
    else:
        status = rng.choices(
            (Status.BOOKED, Status.CANCELLED_BY_PATIENT, Status.CANCELLED_BY_CLINIC), (88, 9, 3)
        )[0]
    entered = None
    if rng.random() < 0.9:
        entered = created + datetime.timedelta(minutes=rng.randrange(5, 3 * 24 * 60))
        entered = entered if entered < now else None
    return new_booking(
        kind, start, status=status, created_at=created, entered_in_practice_system_at=entered
    )
