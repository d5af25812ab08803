"""Who hears about online bookings, through the staff outbox (queued in the booking's
transaction, sent once, retried).

Staff: "a booking came in / a patient changed one" at which clinic, with a link to the
staff admin: no patient details, no time of the visit, nothing about health.

Patients who gave an e-mail address and ticked "e-mail me about my appointment": a
confirmation, a change, a cancellation and the day-before reminder, in the language of the
page they booked on, each with the calendar file (METHOD:REQUEST with the booking's one UID
and its rising SEQUENCE; METHOD:CANCEL with the same UID). They name the clinic, the date
and time in the clinic's zone with the zone named, its address and phone and the manage
link; never the reason for the visit, the patient's words or their language for care."""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

import pages.models as pages_models
from staff import kinds, mail, outbox
from staff.models import NotificationOutbox

from . import calendar
from .models import Booking, BookingReminder
from .tokens import manage_token

BOOKED = "booking"
CHANGED = "bookchange"
# To the patient (kind names fit the outbox's 10 characters).
CONFIRM = "bkconfirm"
MOVED = "bkmoved"
CANCELLED = "bkcancel"
REMIND = "bkremind"
PATIENT_KINDS = (CONFIRM, MOVED, CANCELLED, REMIND)
# The reminder goes out at this hour of the clinic's clock, the day before the visit.
REMINDER_HOUR = 8

_CHANGE_WORDS = {BOOKED: "A new booking was made", CHANGED: "A patient changed a booking"}


def queue_booked(booking):
    """Queue "a booking came in" for staff, and the patient's confirmation (inside the
    booking's transaction)."""
    row = outbox.queue(booking, kind=BOOKED)
    if booking.wants_email:
        outbox.queue(booking, kind=CONFIRM)
    return row


def queue_changed(booking):
    """Queue "a patient cancelled or moved a booking": staff must update the practice
    system, which stays the clinic's master schedule."""
    return outbox.queue(booking, kind=CHANGED)


def queue_patient_moved(booking):
    """The patient's "your visit moved" (by them or by the clinic). The reminder queued
    for the old time is withdrawn; the new time gets its own."""
    _withdraw(booking, (REMIND,))
    if booking.wants_email:
        outbox.queue(booking, kind=MOVED)


def queue_patient_cancelled(booking):
    """The patient's "your visit is cancelled", and nothing else still waiting for them:
    the reminder and any confirmation or change not yet sent are withdrawn."""
    _withdraw(booking, PATIENT_KINDS)
    if booking.wants_email:
        outbox.queue(booking, kind=CANCELLED)


def _withdraw(booking, kinds_):
    waiting = NotificationOutbox.objects.filter(state=NotificationOutbox.State.PENDING)
    reminders = BookingReminder.objects.filter(booking=booking)
    if REMIND in kinds_:
        waiting.about(reminders).filter(kind=REMIND).delete()
    others = [kind for kind in kinds_ if kind != REMIND]
    if others:
        waiting.about([booking]).filter(kind__in=others).delete()


def reminder_time(booking_start, zone):
    """REMINDER_HOUR on the clinic's clock the day before the visit, as an instant: the
    wall clock, so it stays 8:00 across a daylight-saving change."""
    day_before = booking_start.astimezone(zone).date() - datetime.timedelta(days=1)
    return datetime.datetime.combine(day_before, datetime.time(REMINDER_HOUR), tzinfo=zone)


def queue_reminders(now=None, ahead=datetime.timedelta(hours=48)):
    """Queue the reminder of every booked visit (of a patient who asked for e-mail) that
    starts within `ahead`, due at its clinic's morning the day before. Once per booking
    and start, enforced by the database: a second run, or two at once, add nothing.
    Not for visits booked after their reminder time (the confirmation just went out),
    nor for visits that have started. Returns how many were queued."""
    now = now or timezone.now()
    already = BookingReminder.objects.filter(
        booking=OuterRef("pk"), starts_at=OuterRef("starts_at")
    )
    candidates = (
        Booking.objects.filter(
            status=Booking.Status.BOOKED,
            email_updates=True,
            starts_at__gt=now,
            starts_at__lte=now + ahead,
        )
        .exclude(email="")
        .exclude(Exists(already))
        .select_related("location")
    )
    queued = 0
    for booking in candidates:
        send_at = reminder_time(booking.starts_at, booking.location.zone)
        if booking.created_at >= send_at:
            continue
        queued += _queue_reminder(booking, send_at)
    return queued


def _queue_reminder(booking, send_at):
    try:
        with transaction.atomic():
            reminder = BookingReminder.objects.create(
                booking=booking,
                location_id=booking.location_id,
                starts_at=booking.starts_at,
                send_at=send_at,
            )
            row = NotificationOutbox.for_record(reminder, kind=REMIND, next_attempt_at=send_at)
            row.save(force_insert=True)
    except IntegrityError:
        return 0  # another run queued it first
    return 1


# Building the e-mails -------------------------------------------------------------


def _staff_build(notifications, recipient):
    notification = notifications[0]
    booking = Booking.objects.select_related("location").filter(pk=notification.object_id).first()
    if booking is None:
        # Deleted (purge_bookings) after a sender took the row: nothing left to tell.
        raise kinds.Withdrawn
    name = booking.location.name
    link = settings.SITE_URL + reverse("admin:appointments_booking_change", args=[booking.pk])
    what = _CHANGE_WORDS.get(notification.kind, _CHANGE_WORDS[BOOKED])
    body = (
        f"{what} online for the {name} clinic.\n\n"
        f"Sign in to the staff site to see it and enter it in the practice system:\n{link}\n\n"
        "This e-mail has no patient details on purpose. Please do not forward patient "
        "details by e-mail.\n"
    )
    return EmailMessage(subject=f"{what} for {name} ({booking})", body=body, to=[recipient])


def _booking_of(row):
    if row.kind == REMIND:
        reminder = BookingReminder.objects.filter(pk=row.object_id).first()
        if reminder is None:
            raise kinds.Withdrawn
        booking_id = reminder.booking_id
    else:
        reminder, booking_id = None, row.object_id
    booking = (
        Booking.objects.select_related("location", "appointment_type").filter(pk=booking_id).first()
    )
    if booking is None or not booking.wants_email:
        raise kinds.Withdrawn
    return booking, reminder


def _still_wanted(row, booking, reminder):
    """Whether the row's e-mail still makes sense now (the outbox may send it late)."""
    if row.kind == CANCELLED:
        return True
    if booking.is_cancelled:
        return False
    if row.kind == REMIND:
        return reminder.starts_at == booking.starts_at and booking.starts_at > timezone.now()
    return True


def patient_recipient(row):
    booking, reminder = _booking_of(row)
    if not _still_wanted(row, booking, reminder):
        raise kinds.Withdrawn
    return booking.email


SUBJECTS = {
    CONFIRM: lambda name: (
        _("Your appointment at MOD Dermatology %(clinic)s is booked") % {"clinic": name}
    ),
    MOVED: lambda name: (
        _("Your appointment at MOD Dermatology %(clinic)s has a new time") % {"clinic": name}
    ),
    CANCELLED: lambda name: (
        _("Your appointment at MOD Dermatology %(clinic)s is cancelled") % {"clinic": name}
    ),
    REMIND: lambda name: (
        _("Reminder: your appointment at MOD Dermatology %(clinic)s tomorrow") % {"clinic": name}
    ),
}


def mail_context(booking, kind):
    """What the patient e-mails may say, and nothing more (the templates get only this)."""
    location = booking.location
    local = booking.local_start()
    with translation.override(booking.language):
        path = reverse(
            "appointments:manage", kwargs={"token": manage_token(booking.submission_key)}
        )
        return {
            "kind": kind,
            "clinic": location.name,
            "day": dateformat.format(
                local, pgettext("booking day, e.g. Tuesday, March 10", "l, F j")
            ),
            "year": local.year,
            "time": dateformat.format(local, pgettext("booking time, e.g. 9:30 AM", "g:i A")),
            "zone": str(pages_models.ZONE_NAMES.get(location.time_zone, location.time_zone)),
            "address": location.address_one_line if location.has_address else "",
            "phone": location.phone_display if location.phone else "",
            "manage_url": settings.SITE_URL + path,
            "cutoff_hours": settings.BOOKING_CHANGE_CUTOFF_HOURS,
        }


def _patient_build(rows, recipient):
    row = rows[0]
    booking, reminder = _booking_of(row)
    if not _still_wanted(row, booking, reminder):
        raise kinds.Withdrawn
    context = mail_context(booking, row.kind)
    message = mail.patient_email(
        recipient,
        booking.language,
        lambda: SUBJECTS[row.kind](booking.location.name),
        "appointments/mail/booking",
        context,
    )
    method = "CANCEL" if row.kind == CANCELLED else "REQUEST"
    ics = calendar.ics(booking, mail.site_domain(), method=method, attendee=recipient)
    message.attach(mail.calendar_part(ics, method))
    return message


kinds.register(
    kinds.Kind(BOOKED, _staff_build, label="New booking", record_type=Booking._meta.label_lower)
)
kinds.register(kinds.Kind(CHANGED, _staff_build, label="Booking changed by the patient"))
for _name, _label in (
    (CONFIRM, "Booking confirmation to the patient"),
    (MOVED, "New time, to the patient"),
    (CANCELLED, "Cancellation, to the patient"),
):
    kinds.register(kinds.Kind(_name, _patient_build, label=_label, recipient=patient_recipient))
kinds.register(
    kinds.Kind(
        REMIND,
        _patient_build,
        label="Reminder to the patient",
        record_type=BookingReminder._meta.label_lower,
        recipient=patient_recipient,
    )
)
