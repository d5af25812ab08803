"""The mail server is down for the whole run: every patient still gets the thank-you page,
every request is stored with its outbox row, and once mail is back the outbox command
sends each staff e-mail exactly once."""

import pytest

from benchmarks import loadtest
from benchmarks.smtp_sink import SmtpSink

pytestmark = pytest.mark.process  # gunicorn

SUBMISSIONS = 30

# The failed rows wait for their back-off (minutes); this stands in for that time passing.
BACK_OFF_OVER = """
from django.utils import timezone
from staff.models import NotificationOutbox
NotificationOutbox.objects.update(next_attempt_at=timezone.now())
"""


def test_with_mail_down_nothing_is_lost_and_everything_is_sent_once_mail_is_back(
    scratch_database_url, tmp_path
):
    env = loadtest.site_env(scratch_database_url)  # EMAIL_PORT=1: connection refused
    loadtest.prepare_site(env)
    with loadtest.gunicorn(env, workers=2, threads=4, log_dir=tmp_path) as server:
        outcomes, _seconds = loadtest.run_load(server.base_url, SUBMISSIONS, 10, time_limit=120)
        log = server.log()

    assert [o.number for o in outcomes if not o.saved] == []
    snapshot = loadtest.database_snapshot(env)
    assert len(snapshot["rows"]) == SUBMISSIONS
    assert {row["outbox"] for row in snapshot["rows"]} == {1}
    assert {(row["state"], row["attempts"]) for row in snapshot["outbox"]} == {("pending", 1)}
    assert log.count("failed (attempt 1, ConnectionRefusedError)") == SUBMISSIONS
    assert "load1@example.invalid" not in log
    assert "Patient 1" not in log

    loadtest.manage(env, "shell", "-c", BACK_OFF_OVER)
    with SmtpSink() as sink:
        mail_back = {**env, "EMAIL_PORT": str(sink.port)}
        report = loadtest.manage(mail_back, "send_notifications")
        after_first_run = len(sink.subjects())
        loadtest.manage(mail_back, "send_notifications")  # nothing left to send
        subjects = sink.subjects()

    assert f"Sent {SUBMISSIONS}, failed 0." in report
    assert after_first_run == len(subjects) == SUBMISSIONS
    snapshot = loadtest.database_snapshot(env)
    figures, problems = loadtest.check(outcomes, snapshot, subjects)
    assert problems == []
    assert figures["emails_delivered"] == SUBMISSIONS
    assert {(row["state"], row["attempts"]) for row in snapshot["outbox"]} == {("sent", 2)}
