"""Management commands: retention purge, notification retries, benchmark seed data."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from consultations.models import ConsultationRequest
from staff.models import DeletionLog, NotificationOutbox

Status = ConsultationRequest.Status


def age(request, days):
    ConsultationRequest.objects.filter(pk=request.pk).update(
        updated_at=timezone.now() - timedelta(days=days)
    )


@pytest.fixture
def mixed_requests(make_request):
    old_closed = make_request(status=Status.CLOSED)
    old_open = make_request(status=Status.CONTACTED)
    new_closed = make_request(status=Status.CLOSED)
    NotificationOutbox.objects.create_for(old_closed)
    age(old_closed, 400)
    age(old_open, 400)
    age(new_closed, 10)
    return old_closed, old_open, new_closed


def test_purge_removes_only_old_closed_requests_and_logs_each(mixed_requests, settings):
    settings.CONSULTATION_RETENTION_DAYS = 365
    old_closed, old_open, new_closed = mixed_requests
    out = StringIO()
    call_command("purge_requests", stdout=out)
    assert "Deleted 1 closed request(s)" in out.getvalue()
    remaining = set(ConsultationRequest.objects.values_list("pk", flat=True))
    assert remaining == {old_open.pk, new_closed.pk}
    assert not NotificationOutbox.objects.filter(object_id=old_closed.pk).exists()
    log = DeletionLog.objects.get()
    assert log.object_id == old_closed.pk
    assert log.location_name == "Bellevue"
    assert log.status == Status.CLOSED
    assert log.record_created_at == old_closed.created_at
    assert log.deleted_by == "purge_requests"
    assert "365 days" in log.reason
    # The log keeps no patient details.
    values = " ".join(str(v) for v in DeletionLog.objects.values().get().values())
    assert "Sam" not in values and "sam@example.net" not in values


def test_purge_days_option_overrides_the_setting(mixed_requests):
    call_command("purge_requests", "--days", "5", stdout=StringIO())
    assert set(ConsultationRequest.objects.values_list("status", flat=True)) == {Status.CONTACTED}
    assert DeletionLog.objects.count() == 2


def test_purge_dry_run_deletes_nothing(mixed_requests):
    out = StringIO()
    call_command("purge_requests", "--dry-run", stdout=out)
    assert "Would delete 1" in out.getvalue()
    assert ConsultationRequest.objects.count() == 3
    assert not DeletionLog.objects.exists()


def test_purge_refuses_zero_days(mixed_requests):
    with pytest.raises(CommandError, match="at least 1 day"):
        call_command("purge_requests", "--days", "0")
    assert ConsultationRequest.objects.count() == 3


def test_purge_reports_progress_on_big_runs(make_request, monkeypatch):
    from staff import purge

    monkeypatch.setattr(purge, "BATCH", 2)
    for _ in range(5):
        age(make_request(status=Status.CLOSED), 400)
    out = StringIO()
    call_command("purge_requests", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["  2 of 5 deleted", "  4 of 5 deleted", "  5 of 5 deleted"]
    assert not ConsultationRequest.objects.exists()
    assert DeletionLog.objects.count() == 5


def test_send_notifications_reports_what_it_sent(make_request, mailoutbox):
    NotificationOutbox.objects.create_for(make_request())
    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert "Sent 1, failed 0." in out.getvalue()
    assert len(mailoutbox) == 1


def test_seed_requests_makes_fake_requests_spread_over_a_year(db):
    call_command("seed_requests", "50", stdout=StringIO())
    assert ConsultationRequest.objects.count() == 50
    assert not ConsultationRequest.objects.exclude(email__endswith="@example.invalid").exists()
    oldest = ConsultationRequest.objects.order_by("created_at").first().created_at
    assert oldest < timezone.now() - timedelta(days=7)
    sent = NotificationOutbox.objects.filter(state=NotificationOutbox.State.SENT)
    assert sent.count() == 50


def test_seed_requests_shows_progress_batch_by_batch(db, monkeypatch):
    from consultations.management.commands import seed_requests

    monkeypatch.setattr(seed_requests, "BATCH", 20)
    out = StringIO()
    call_command("seed_requests", "50", stdout=out)
    steps = out.getvalue().replace("\r", "\n").split("\n")
    assert [s.split("] ")[1] for s in steps if s.startswith("[")] == ["20/50", "40/50", "50/50"]
    assert "Made 50 fake request(s)." in out.getvalue()
    # Numbering carries on after what is already there.
    call_command("seed_requests", "5", stdout=StringIO())
    assert ConsultationRequest.objects.filter(last_name="Patient 55").exists()


def test_seeding_tells_postgresql_how_many_requests_there_are_now(db):
    """Without statistics PostgreSQL plans for an empty table and the dashboard reads every
    request: a benchmark straight after seeding would measure plans no live site runs."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps no planner statistics unless asked")
    table = ConsultationRequest._meta.db_table

    def estimated_rows():
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return cursor.fetchone()[0]

    before = estimated_rows()
    call_command("seed_requests", "300", stdout=StringIO())
    assert before < 300 <= estimated_rows()


def test_staff_groups_have_what_their_job_needs(db):
    def perms(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    front_desk = perms("Front desk")
    manager = perms("Practice manager")
    assert front_desk == {
        "view_consultationrequest",
        "change_consultationrequest",
        # Bookings (appointments 0003): work them, read how the clinic takes them.
        "view_booking",
        "change_booking",
        "view_appointmenttype",
        "view_bookablewindow",
        "view_bookingblock",
    }
    assert {
        "export_consultationrequest",
        "purge_consultationrequest",
        "delete_consultationrequest",
        "view_auditevent",
        "view_deletionlog",
    } <= manager
    # The logs are read-only for everyone.
    assert not {p for p in manager if p.endswith(("_auditevent", "_deletionlog"))} - {
        "view_auditevent",
        "view_deletionlog",
    }


def test_send_notifications_tells_cron_about_e_mails_that_gave_up(make_request):
    NotificationOutbox.objects.create_for(make_request(), state=NotificationOutbox.State.FAILED)
    err = StringIO()
    call_command("send_notifications", stdout=StringIO(), stderr=err)
    assert "1 staff e-mail(s) about new requests gave up" in err.getvalue()


def test_send_notifications_is_quiet_when_nothing_gave_up(make_request, mailoutbox):
    out, err = StringIO(), StringIO()
    call_command("send_notifications", stdout=out, stderr=err)
    assert out.getvalue() == err.getvalue() == ""
