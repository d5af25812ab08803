"""The daily digest (send_digest) and consultation_report: counts only, each clinic's
own numbers, through the outbox, scoped like the dashboard."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from consultations import metrics, notify
from staff import outbox
from staff.models import NotificationOutbox
from tests.factories import make_superuser, signed_in

DOWN = "tests.consultations.failing_mail.DownEmailBackend"
MARKERS = ["quorblax", "vintermuth", "5550187", "zizzlewump@example.net", "left elbow"]
REPORT_KEYS = {
    "location",
    "new",
    "open",
    "overdue",
    "requests",
    "median_minutes_to_first_contact",
    "p90_minutes_to_first_contact",
    "within_target_share",
    "treatment_page_views",
    "form_views",
}


@pytest.fixture
def patient_with_markers(make_timed_request, bellevue):
    now = timezone.now()
    return make_timed_request(
        now - timedelta(hours=6),
        location=bellevue,
        first_name="Quorblax",
        last_name="Vintermuth",
        phone="+14025550187",
        email="zizzlewump@example.net",
        message="My left elbow",
        due_at=now - timedelta(hours=1),
    )


def digests():
    return NotificationOutbox.objects.filter(kind=notify.DIGEST)


# --- send_digest -----------------------------------------------------------------


def test_each_clinic_gets_its_counts_and_no_patient_data(patient_with_markers, bellevue, gretna):
    bellevue.notification_email = "bellevue@example.com"
    bellevue.save()
    call_command("send_digest")
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"bellevue@example.com", "frontdesk@example.com"}
    message = sent["bellevue@example.com"]
    text = message.subject + message.body
    assert "Bellevue" in message.subject and "1 new, 1 overdue" in message.subject
    assert "Overdue for first contact: 1" in message.body
    assert "Oldest request waiting for first contact: 6 h" in message.body
    assert "https://www.example.org/admin/" in message.body
    for marker in MARKERS:
        assert marker not in text.lower()
    assert f"#{patient_with_markers.pk}" not in text
    assert "Gretna" in sent["frontdesk@example.com"].subject
    for row in digests():
        assert not any(m in json.dumps(row.counts).lower() for m in MARKERS)


def test_yesterdays_median_counts_requests_first_contacted_yesterday(make_timed_request, bellevue):
    now = timezone.now()
    yesterday_noon = metrics.Period(1, now).start - timedelta(hours=12)
    for minutes in (20, 40, 90):
        make_timed_request(
            yesterday_noon - timedelta(hours=3),
            first_contacted_at=yesterday_noon,
            first_contact_business_minutes=minutes,
        )
    make_timed_request(now, first_contacted_at=now, first_contact_business_minutes=999)
    counts = metrics.digest_counts([bellevue], now)[bellevue.pk]
    assert counts["median_minutes_yesterday"] == 40
    assert counts["contacted_yesterday"] == 3


def test_yesterday_is_each_clinics_own_local_day(make_timed_request, make_location, settings):
    settings.TIME_ZONE = "America/Chicago"
    seattle = make_location("Seattle", time_zone="America/Los_Angeles")
    chicago = make_location("Chicago", time_zone="America/Chicago")
    now = datetime(2026, 12, 6, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
    # 23:30 yesterday in Seattle is already 01:30 today in Chicago.
    late_last_night = datetime(2026, 12, 5, 23, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    for clinic in (seattle, chicago):
        make_timed_request(
            late_last_night - timedelta(hours=2),
            location=clinic,
            first_contacted_at=late_last_night,
            first_contact_business_minutes=25,
        )
    counts = metrics.digest_counts([seattle, chicago], now)
    assert counts[seattle.pk]["contacted_yesterday"] == 1
    assert counts[seattle.pk]["median_minutes_yesterday"] == 25
    assert counts[chicago.pk]["contacted_yesterday"] == 0


def test_a_second_run_the_same_day_sends_nothing_more(patient_with_markers):
    call_command("send_digest")
    call_command("send_digest")
    assert len(mail.outbox) == 1  # Bellevue and Gretna, once, in one summary
    assert digests().count() == 2


def test_clinics_that_report_to_one_address_send_it_one_summary(patient_with_markers):
    call_command("send_digest")
    [message] = mail.outbox
    assert message.to == ["frontdesk@example.com"]
    assert message.subject == "Daily summary for 2 clinics: 1 new, 1 overdue"
    assert "- Bellevue: 1 new, 1 overdue, oldest waiting 6 h" in message.body
    assert "1 clinic with no request waiting." in message.body
    assert "https://www.example.org/admin/" in message.body
    text = (message.subject + message.body).lower()
    assert not [marker for marker in MARKERS if marker in text]
    assert f"#{patient_with_markers.pk}" not in text
    # Each clinic's row is still its own record, sent once, to that address.
    assert (
        sorted(digests().values_list("state", "recipient"))
        == [(NotificationOutbox.State.SENT, "frontdesk@example.com")] * 2
    )


def test_a_summary_for_many_clinics_lists_the_most_overdue_and_counts_the_rest(
    monkeypatch, make_location, make_timed_request
):
    from consultations import notify

    monkeypatch.setattr(notify, "DIGEST_CLINIC_LINES", 2)
    now = timezone.now()
    for overdue in (1, 3, 2):
        clinic = make_location(f"Clinic {overdue}")
        for _ in range(overdue):
            make_timed_request(
                now - timedelta(hours=5), location=clinic, due_at=now - timedelta(hours=1)
            )
    call_command("send_digest")
    [message] = mail.outbox
    assert message.subject == "Daily summary for 5 clinics: 6 new, 6 overdue"
    listed = [line for line in message.body.splitlines() if line.startswith("- ")]
    assert [line.split(":")[0] for line in listed] == ["- Clinic 3", "- Clinic 2"]
    assert "And 1 more clinic with requests waiting: see the dashboard." in message.body
    assert "2 clinics with no request waiting." in message.body


def test_a_clinic_another_sender_is_mailing_is_not_mailed_twice(patient_with_markers, gretna):
    from consultations import notify

    day = metrics.Period(1, timezone.now()).end_day
    notify.queue_digest(gretna, day, {"new": 0, "overdue": 0})
    taken = outbox.claim()  # another sender, still within its lease
    call_command("send_digest")
    [message] = mail.outbox
    assert "Bellevue" in message.subject and "Gretna" not in message.body
    assert digests().get(pk__in=taken).state == NotificationOutbox.State.SENDING


def test_a_mail_outage_delays_the_digest_and_never_loses_or_doubles_it(
    settings, patient_with_markers
):
    settings.EMAIL_BACKEND = DOWN
    call_command("send_digest")
    assert mail.outbox == []
    assert set(digests().values_list("state", flat=True)) == {NotificationOutbox.State.PENDING}
    call_command("send_digest")  # cron runs it again the same day while mail is still down
    assert digests().count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    digests().update(next_attempt_at=timezone.now())
    call_command("send_notifications")
    call_command("send_notifications")
    assert len(mail.outbox) == 1  # both clinics report to one address: one summary
    assert set(digests().values_list("state", flat=True)) == {NotificationOutbox.State.SENT}


def test_a_clinic_with_no_address_is_reported_not_queued(settings, capsys, bellevue):
    settings.CONSULTATION_NOTIFY_EMAIL = ""
    bellevue.notification_email = "bellevue@example.com"
    bellevue.save()
    call_command("send_digest")
    assert "Gretna: no address" in capsys.readouterr().err
    assert [m.to for m in mail.outbox] == [["bellevue@example.com"]]


def test_staff_limited_to_a_clinic_see_only_its_digests_in_the_admin(
    client, front_desk_user, gretna, patient_with_markers, limit_to
):
    call_command("send_digest")
    limit_to(front_desk_user, gretna)
    front_desk_user.user_permissions.add(
        *Permission.objects.filter(codename="view_notificationoutbox")
    )
    signed_in(client, front_desk_user)
    response = client.get("/admin/staff/notificationoutbox/")
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert [row.location for row in shown] == [gretna]


# --- consultation_report -----------------------------------------------------------


def report(*args):
    from io import StringIO

    out = StringIO()
    call_command("consultation_report", *args, stdout=out)
    return json.loads(out.getvalue())


def test_report_gives_each_active_clinics_figures_as_json(seeded_response_times, make_location):
    make_location("Closed clinic", is_active=False)
    rows = {row["location"]: row for row in report("--days", "30", "--json")}
    assert set(rows) == {"bellevue", "gretna"}
    bellevue = rows["bellevue"]
    assert set(bellevue) >= REPORT_KEYS
    assert (bellevue["new"], bellevue["open"], bellevue["overdue"]) == (2, 6, 1)
    assert bellevue["requests"] == 6
    assert bellevue["median_minutes_to_first_contact"] == 90
    assert bellevue["p90_minutes_to_first_contact"] == 258
    assert bellevue["within_target_share"] == 0.5
    week = {row["location"]: row for row in report("--days", "90", "--json")}["bellevue"]
    assert week["requests"] == 7  # the request from 40 days ago too


def test_report_has_nulls_where_nothing_was_contacted(make_location):
    make_location()
    row = next(r for r in report("--json") if r["location"] == "omaha")
    assert row["median_minutes_to_first_contact"] is None
    assert row["p90_minutes_to_first_contact"] is None
    assert row["within_target_share"] is None
    assert row["requests"] == 0


def test_report_can_be_limited_to_a_staff_members_clinics(
    seeded_response_times, front_desk_user, gretna, limit_to
):
    limit_to(front_desk_user, gretna)
    rows = report("--json", "--user", front_desk_user.username)
    assert [row["location"] for row in rows] == ["gretna"]
    assert [row["location"] for row in report("--json", "--location", "bellevue")] == ["bellevue"]


def test_report_refuses_unknown_names(db):
    with pytest.raises(CommandError, match="No location nowhere"):
        call_command("consultation_report", "--location", "nowhere")
    with pytest.raises(CommandError, match="No active user"):
        call_command("consultation_report", "--user", "ghost")
    with pytest.raises(CommandError, match="--days"):
        call_command("consultation_report", "--days", "0")


def test_superuser_report_matches_the_dashboard_figures(client, seeded_response_times):
    root = make_superuser("root")
    signed_in(client, root)
    dashboard = client.get("/admin/").context["dashboard"]
    rows = {row["location"]: row for row in report("--json")}
    for figures, _ in dashboard["rows"]:
        assert figures.as_json() == rows[figures.location.slug]
