"""purge_bookings: a booking is deleted BOOKING_RETENTION_DAYS after its visit ended
(whatever its status), or after it was cancelled and left unchanged that long; each
deletion is logged, its seats, history and reminders go with it, and the outbox keeps
sending everything else."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import timezone

from appointments import notify, services
from appointments.models import Booking, BookingChange, BookingReminder, BookingSeat
from staff import outbox
from staff.models import AuditEvent, DeletionLog, NotificationOutbox
from tests.appointments.booking_helpers import at, details, key

pytestmark = pytest.mark.django_db

ZONE = "America/Chicago"
NOW = at(ZONE, 2027, 3, 1, 8)
WEDNESDAY = (2027, 3, 10)
Status = Booking.Status


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.SITE_URL = "https://clinic.example.com"
    settings.CONSULTATION_NOTIFY_EMAIL = "frontdesk@example.com"
    settings.BOOKING_RETENTION_DAYS = 365


def ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def make_booking(kind, hour, minute=0, **changes):
    """A booking of `kind` on a Wednesday in 2027, at `hour`:`minute` on the clinic's clock."""
    start = at(ZONE, *WEDNESDAY, hour, minute)
    booking, _token = services.book(kind, start, details(**changes), key(), now=NOW)
    return booking


def ended(booking, days):
    """As if the visit had ended `days` ago."""
    end = ago(days)
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=end - datetime.timedelta(minutes=30), ends_at=end
    )


def changed(booking, days):
    Booking.objects.filter(pk=booking.pk).update(updated_at=ago(days))


def cancelled(booking, days):
    services.cancel(booking, now=NOW)
    changed(booking, days)


@pytest.fixture
def kind(make_type):
    return make_type()


@pytest.fixture
def bookings(kind):
    """Three due (two past visits, one long-cancelled future one) and three kept."""
    due = {
        "attended long ago": make_booking(kind, 9),
        "never marked, long ago": make_booking(kind, 9, 30),
        "cancelled long ago": make_booking(kind, 10),
    }
    kept = {
        "attended lately": make_booking(kind, 10, 30),
        "cancelled lately": make_booking(kind, 11),
        "still to come": make_booking(kind, 11, 30),
    }
    Booking.objects.filter(pk=due["attended long ago"].pk).update(status=Status.ATTENDED)
    ended(due["attended long ago"], 400)
    ended(due["never marked, long ago"], 400)
    cancelled(due["cancelled long ago"], 400)
    Booking.objects.filter(pk=kept["attended lately"].pk).update(status=Status.ATTENDED)
    ended(kept["attended lately"], 10)
    changed(kept["attended lately"], 400)  # the visit, not the last change, counts
    cancelled(kept["cancelled lately"], 10)
    return due, kept


def pks(records):
    return {r.pk for r in records}


def test_purge_deletes_only_due_bookings_with_their_seats_history_and_reminders(bookings):
    due, kept = bookings
    out = StringIO()
    call_command("purge_bookings", stdout=out)
    assert "Deleted 3 booking(s) older than 365 days." in out.getvalue()
    assert set(Booking.objects.values_list("pk", flat=True)) == pks(kept.values())
    gone = pks(due.values())
    assert not BookingSeat.objects.filter(booking__in=gone).exists()
    assert not BookingChange.objects.filter(booking__in=gone).exists()
    assert BookingSeat.objects.filter(booking=kept["still to come"]).exists()


def test_purge_logs_each_deletion_without_patient_details(bookings):
    due, _kept = bookings
    call_command("purge_bookings", stdout=StringIO())
    logs = DeletionLog.objects.order_by("object_id")
    assert [log.object_id for log in logs] == sorted(pks(due.values()))
    assert {log.record_type for log in logs} == {"appointments.booking"}
    assert {log.deleted_by for log in logs} == {"purge_bookings"}
    assert {log.location_name for log in logs} == {"Lincoln"}
    # The longest status a booking has fits the log (PostgreSQL checks the length).
    assert {log.status for log in logs} == {
        Status.ATTENDED,
        Status.BOOKED,
        Status.CANCELLED_BY_PATIENT,
    }
    assert all("365 days" in log.reason for log in logs)
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE)
    assert event.username == "purge_bookings" and event.user_id is None
    assert event.record_type == "appointments.booking"
    assert event.object_ids == sorted(pks(due.values())) and event.count == 3
    assert [location.name for location in event.locations.all()] == ["Lincoln"]
    logged = " ".join(str(v) for row in DeletionLog.objects.values() for v in row.values())
    logged += " ".join(str(v) for v in AuditEvent.objects.values().get().values())
    for detail in ("Ana", "Booker", "ana@example.net"):
        assert detail not in logged


def test_dry_run_counts_and_deletes_nothing(bookings):
    out = StringIO()
    call_command("purge_bookings", "--dry-run", stdout=out)
    assert "Would delete 3 booking(s) older than 365 days." in out.getvalue()
    assert Booking.objects.count() == 6
    assert not DeletionLog.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).exists()


def test_the_purge_reads_booking_retention_days(bookings, settings):
    settings.BOOKING_RETENTION_DAYS = 5
    call_command("purge_bookings", stdout=StringIO())
    assert set(Booking.objects.values_list("pk", flat=True)) == {bookings[1]["still to come"].pk}
    assert "5 days" in DeletionLog.objects.first().reason


def test_the_days_option_overrides_the_setting(bookings, settings):
    settings.BOOKING_RETENTION_DAYS = 5
    call_command("purge_bookings", "--days", "500", stdout=StringIO())
    assert Booking.objects.count() == 6


def test_the_purge_refuses_zero_days(bookings):
    with pytest.raises(CommandError, match="at least 1 day"):
        call_command("purge_bookings", "--days", "0")
    assert Booking.objects.count() == 6


def test_a_big_purge_goes_in_batches_and_reports_progress(kind, monkeypatch):
    from staff import purge

    monkeypatch.setattr(purge, "BATCH", 2)
    for hour, minute in ((9, 0), (9, 30), (10, 0), (10, 30), (11, 0)):
        ended(make_booking(kind, hour, minute), 400)
    out = StringIO()
    call_command("purge_bookings", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["  2 of 5 deleted", "  4 of 5 deleted", "  5 of 5 deleted"]
    assert not Booking.objects.exists()
    assert DeletionLog.objects.count() == 5
    # One audit event per batch (each batch commits with its own).
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).count() == 3


def test_the_outbox_keeps_sending_after_a_purge_took_a_booking_with_mail_waiting(kind):
    # Both patients asked for e-mail; mail was down, so every row still waits.
    old = make_booking(kind, 9, email_updates=True)
    notify.queue_reminders(now=at(ZONE, 2027, 3, 9, 6))
    (reminder,) = BookingReminder.objects.filter(booking=old)
    ended(old, 400)
    live = make_booking(kind, 10, email_updates=True)
    about_old = Q(record_type="appointments.booking", object_id=old.pk) | Q(
        record_type="appointments.bookingreminder", object_id=reminder.pk
    )
    assert NotificationOutbox.objects.filter(about_old).count() == 3  # staff, patient, reminder

    call_command("purge_bookings", stdout=StringIO())

    assert not NotificationOutbox.objects.filter(about_old).exists()
    assert not BookingReminder.objects.filter(pk=reminder.pk).exists()
    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert "Sent 2, failed 0." in out.getvalue()  # the live booking's staff and patient mails
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.net", "frontdesk@example.com"]
    assert (
        not NotificationOutbox.objects.exclude(state=NotificationOutbox.State.SENT)
        .exclude(kind=notify.REMIND)
        .exists()
    )
    assert Booking.objects.get() == live


def test_a_row_about_a_booking_deleted_elsewhere_is_dropped_not_retried(kind):
    """However a booking went (a sender holding its row while the purge ran, the shell),
    a row that outlived it is dropped: the staff mail too, which used to fail on the
    missing booking and be tried again until it gave up."""
    gone = make_booking(kind, 9, email_updates=True)
    Booking.objects.filter(pk=gone.pk).delete()  # not through the service: rows are left
    assert NotificationOutbox.objects.count() == 2
    out = StringIO()
    call_command("send_notifications", "--verbosity", "2", stdout=out)
    assert "Sent 0, failed 0." in out.getvalue()
    assert not NotificationOutbox.objects.exists()
    assert mail.outbox == []


def test_a_booking_is_due_by_its_end_or_by_a_long_cancellation_not_by_its_age(kind):
    booked = make_booking(kind, 9)
    Booking.objects.filter(pk=booked.pk).update(created_at=ago(900), updated_at=ago(900))
    assert not Booking.objects.due_for_purge(ago(365)).exists()  # the visit is still ahead
    ended(booked, 366)
    assert list(Booking.objects.due_for_purge(ago(365))) == [booked]
    assert not Booking.objects.due_for_purge(ago(367)).exists()


def test_rows_a_sender_holds_when_the_purge_runs_are_not_sent(kind):
    old = make_booking(kind, 9, email_updates=True)
    ended(old, 400)
    held = outbox.claim(limit=None)  # a sender took the staff and patient rows
    assert len(held) == 2
    call_command("purge_bookings", stdout=StringIO())
    assert outbox.send_claimed(held) == (0, 0)
    assert mail.outbox == []
    assert not NotificationOutbox.objects.exists()
