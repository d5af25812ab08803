"""The patient's booking e-mails (issue 20): only when asked for, through the outbox, in
the patient's language, each with a calendar file that keeps one UID and a rising
SEQUENCE, and nothing about the patient's health anywhere in them."""

import datetime
import io
import re
import threading

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from appointments import notify, services
from appointments.models import Booking, BookingReminder
from staff import outbox
from staff.models import NotificationOutbox
from tests.appointments.booking_helpers import at, details, key

ZONE = "America/Chicago"
NOW = at(ZONE, 2027, 3, 1, 8)
SLOT = at(ZONE, 2027, 3, 10, 9, 30)  # a Wednesday
LATER = at(ZONE, 2027, 3, 11, 10, 0)
MARKER = "ZZ-MARKER-7731 my private words"
SITE = "https://clinic.example.com"
# The interpreter answer too (health-adjacent): the words for it, in either language.
SENSITIVE = (
    "isotretinoin",
    "Isotretinoína",
    "ZZ-MARKER-7731",
    "private words",
    "interpret",
    "intérprete",
)


def opted_in(**changes):
    return details(
        topic="isotretinoin",
        message=MARKER,
        email_updates=True,
        interpreter_needed=True,
        **changes,
    )


def patient_mails():
    return [m for m in mail.outbox if m.to == ["ana@example.net"]]


def calendar_of(message):
    (part,) = [a for a in message.attachments if getattr(a, "get_content_type", None)]
    assert part.get_content_type() == "text/calendar"
    raw = part.get_payload(decode=True)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    return part.get_param("method"), icalendar.Calendar.from_ical(raw), raw.decode()


def everything_in(message):
    html = message.alternatives[0][0]
    ics = calendar_of(message)[2].replace("\r\n ", "")  # unfolded: a word may span lines
    headers = str(message.message())
    return "\n".join([message.subject, message.body, html, ics, headers])


def assert_private(message):
    text = everything_in(message)
    for word in SENSITIVE:
        assert word.lower() not in text.lower()
    for url in re.findall(r"https?://\S+", text):
        assert "isotretinoin" not in url.lower()


@pytest.fixture(autouse=True)
def site():
    with override_settings(
        SITE_URL=SITE, DEFAULT_FROM_EMAIL="MOD Dermatology <no-reply@example.com>"
    ):
        yield


@pytest.mark.django_db
def test_confirm_change_and_cancel_share_one_uid_with_a_rising_sequence_and_no_health_details(
    make_type,
):
    kind = make_type()
    booking, _token = services.book(kind, SLOT, opted_in(), key(), now=NOW)
    outbox.send_due()
    services.reschedule(booking, LATER, now=NOW)
    outbox.send_due()
    services.cancel(booking, now=NOW)
    outbox.send_due()

    confirm, moved, cancelled = patient_mails()
    events = []
    for message, method in ((confirm, "REQUEST"), (moved, "REQUEST"), (cancelled, "CANCEL")):
        assert_private(message)
        got_method, cal, _raw = calendar_of(message)
        assert got_method == method and str(cal["METHOD"]) == method
        (event,) = cal.walk("VEVENT")
        events.append(event)
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert events[0].decoded("DTSTART") == SLOT
    assert events[1].decoded("DTSTART") == LATER
    assert str(events[2]["STATUS"]) == "CANCELLED"
    assert "9:30 AM" in confirm.body and "Central Time" in confirm.body
    assert "10:00 AM" in moved.body


@pytest.mark.django_db
def test_a_patient_who_did_not_tick_the_box_gets_no_mail(make_type):
    booking, _token = services.book(make_type(), SLOT, details(), key(), now=NOW)
    services.reschedule(booking, LATER, now=NOW)
    services.cancel(booking, now=NOW)
    assert notify.queue_reminders(now=LATER - datetime.timedelta(hours=20)) == 0
    outbox.send_due()
    assert patient_mails() == []


@pytest.mark.django_db
def test_the_mail_is_in_the_language_of_the_booking_page_with_the_manage_link(make_type):
    _booking, token = services.book(make_type(), SLOT, opted_in(), key(), language="es", now=NOW)
    outbox.send_due()
    (message,) = patient_mails()
    assert "Su cita" in message.subject
    assert "hora del centro" in message.body.lower() or "Central" in message.body
    assert token in message.body and message.body.count(SITE + "/es/") >= 1
    assert_private(message)


@pytest.mark.django_db
def test_headers_make_a_transactional_mail_from_the_site(make_type):
    services.book(make_type(), SLOT, opted_in(), key(), now=NOW)
    outbox.send_due()
    (message,) = patient_mails()
    built = message.message()
    assert built["From"] == "MOD Dermatology <no-reply@example.com>"
    assert built["Message-ID"].endswith("@clinic.example.com>")
    assert built["List-Unsubscribe"] is None
    assert built["Reply-To"] is None  # no public clinic address to reply to
    assert message.alternatives[0][1] == "text/html"
    assert "https://clinic.example.com/appointments/" in message.body


@pytest.mark.django_db
def test_the_reminder_lands_at_eight_in_the_clinic_morning_across_a_dst_change(make_type):
    kind = make_type()
    # Chicago moves to daylight time on Sunday, March 14, 2027: the Monday visit's
    # reminder is 8:00 CDT (13:00 UTC), not 8:00 CST (14:00 UTC).
    monday = at(ZONE, 2027, 3, 15, 9, 0)
    booking, _token = services.book(kind, monday, opted_in(), key(), now=NOW)
    assert notify.queue_reminders(now=at(ZONE, 2027, 3, 13, 12)) == 1
    (reminder,) = BookingReminder.objects.filter(booking=booking)
    assert reminder.send_at == datetime.datetime(2027, 3, 14, 13, 0, tzinfo=datetime.UTC)
    row = NotificationOutbox.objects.get(kind=notify.REMIND)
    assert row.next_attempt_at == reminder.send_at

    reminders = Q(kind=notify.REMIND)
    assert outbox.claim(now=reminder.send_at - datetime.timedelta(minutes=1), where=reminders) == []
    mail.outbox.clear()
    outbox.send_claimed(outbox.claim(now=reminder.send_at, where=reminders))
    (message,) = patient_mails()
    assert "Reminder" in message.subject and "9:00 AM" in message.body
    assert_private(message)


@pytest.mark.django_db
def test_a_reminder_is_queued_once_however_often_the_command_runs(make_type):
    booking, _token = services.book(make_type(), SLOT, opted_in(), key(), now=NOW)
    day_before = at(ZONE, 2027, 3, 9, 6)
    assert notify.queue_reminders(now=day_before) == 1
    assert notify.queue_reminders(now=day_before) == 0
    out = io.StringIO()
    call_command("queue_reminders", stdout=out)
    assert "0 reminders queued" in out.getvalue()
    assert NotificationOutbox.objects.filter(kind=notify.REMIND).count() == 1
    # The database is the guard: a second row for the same booking and start is refused.
    assert notify._queue_reminder(booking, notify.reminder_time(SLOT, booking.location.zone)) == 0


@pytest.mark.django_db
def test_a_cancel_withdraws_the_reminder_and_none_is_queued_after(make_type):
    booking, _token = services.book(make_type(), SLOT, opted_in(), key(), now=NOW)
    notify.queue_reminders(now=at(ZONE, 2027, 3, 9, 6))
    services.cancel(booking, now=NOW)
    assert not NotificationOutbox.objects.filter(kind=notify.REMIND).exists()
    assert notify.queue_reminders(now=at(ZONE, 2027, 3, 9, 7)) == 0
    outbox.send_claimed(outbox.claim(now=at(ZONE, 2027, 3, 9, 9), limit=None))
    assert [m.subject for m in patient_mails() if "Reminder" in m.subject] == []


@pytest.mark.django_db
def test_a_reminder_claimed_after_a_cancel_is_dropped_not_sent(make_type):
    booking, _token = services.book(make_type(), SLOT, opted_in(), key(), now=NOW)
    notify.queue_reminders(now=at(ZONE, 2027, 3, 9, 6))
    ids = outbox.claim(now=at(ZONE, 2027, 3, 9, 9), where=None, limit=None)
    services.cancel(booking, now=NOW)  # the sender already holds the reminder
    mail.outbox.clear()
    outbox.send_claimed(ids)
    assert [m for m in patient_mails() if "Reminder" in m.subject] == []
    assert not NotificationOutbox.objects.filter(kind=notify.REMIND).exists()


@pytest.mark.django_db
def test_a_moved_visit_gets_a_reminder_for_its_new_time_only(make_type):
    booking, _token = services.book(make_type(), SLOT, opted_in(), key(), now=NOW)
    notify.queue_reminders(now=at(ZONE, 2027, 3, 9, 6))
    services.reschedule(booking, LATER, now=NOW)
    assert not NotificationOutbox.objects.filter(kind=notify.REMIND).exists()
    assert notify.queue_reminders(now=at(ZONE, 2027, 3, 10, 6)) == 1
    assert BookingReminder.objects.get(booking=booking, starts_at=LATER)


@pytest.mark.django_db
def test_no_reminder_for_a_visit_that_has_started_or_was_booked_after_its_morning(make_type):
    booking, _token = services.book(make_type(), SLOT, opted_in(), key(), now=NOW)
    assert notify.queue_reminders(now=SLOT + datetime.timedelta(minutes=1)) == 0
    late = at(ZONE, 2027, 3, 9, 9)  # booked after 8:00 the day before: the confirmation is enough
    Booking.objects.filter(pk=booking.pk).update(created_at=late)
    assert notify.queue_reminders(now=late) == 0


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="in-memory SQLite test database is per thread (tests/faults/test_outbox_twice.py "
    "proves send-once with two processes on SQLite)",
)
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_one_confirmation(make_type):
    # Mail is down when the patient books, so the confirmation waits in the outbox.
    with override_settings(EMAIL_BACKEND="tests.appointments.test_booking_mail.BrokenBackend"):
        services.book(make_type(), SLOT, opted_in(), key(), now=NOW)
    later = timezone.now() + datetime.timedelta(hours=1)
    barrier = threading.Barrier(2)

    def sender():
        try:
            barrier.wait()
            outbox.send_claimed(outbox.claim(now=later, where=Q(kind=notify.CONFIRM)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(patient_mails()) == 1
    assert NotificationOutbox.objects.get(kind=notify.CONFIRM).state == "sent"


@pytest.mark.django_db
def test_a_mail_outage_keeps_the_confirmation_for_the_next_run(make_type):
    services.book(make_type(), SLOT, opted_in(), key(), now=NOW)
    with override_settings(EMAIL_BACKEND="tests.appointments.test_booking_mail.BrokenBackend"):
        outbox.send_due()
    row = NotificationOutbox.objects.get(kind=notify.CONFIRM)
    assert row.state == "pending" and row.attempts == 1
    outbox.send_claimed(outbox.claim(now=row.next_attempt_at))
    assert len(patient_mails()) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")
