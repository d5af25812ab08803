"""Two send_notifications processes run at the same time (two cron hosts, or a slow run
overlapping the next): each staff e-mail goes out exactly once."""

import re
import subprocess
import sys

import pytest

from benchmarks import bench_server, loadtest
from benchmarks.smtp_sink import SmtpSink

pytestmark = pytest.mark.process  # two outbox senders as processes

WAITING = 100

SEED = f"""
from django.utils import timezone
from consultations.models import ConsultationRequest
from staff.models import NotificationOutbox
from pages.models import Location

clinic = Location.objects.active().first()
for n in range({WAITING}):
    request = ConsultationRequest.objects.create(
        location=clinic, first_name="Waiting", last_name=f"Patient {{n}}",
        email=f"waiting{{n}}@example.invalid", contact_method="email", topic="general",
        patient_type="new", consent_at=timezone.now(),
    )
    NotificationOutbox.objects.create_for(request)
"""


def test_two_outbox_senders_at_once_send_each_email_exactly_once(scratch_database_url):
    env = loadtest.site_env(scratch_database_url)
    loadtest.prepare_site(env)
    loadtest.manage(env, "shell", "-c", SEED)

    # A slow mail server, so the two runs overlap for several seconds.
    with SmtpSink(delay=0.05) as sink:
        mail_env = {**env, "EMAIL_PORT": str(sink.port)}
        senders = [
            subprocess.Popen(
                [sys.executable, "manage.py", "send_notifications", "--batch-size", "5"],
                cwd=bench_server.ROOT,
                env=mail_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        reports = [sender.communicate(timeout=120)[0] for sender in senders]
        subjects = sink.subjects()

    sent = [int(re.search(r"Sent (\d+), failed 0\.", report)[1]) for report in reports]
    assert sum(sent) == WAITING
    assert all(sent), f"the two runs did not overlap: {sent}"
    snapshot = loadtest.database_snapshot(env)
    numbers = sorted(int(loadtest.REQUEST_NUMBER.search(s)[1]) for s in subjects)
    assert numbers == sorted(row["pk"] for row in snapshot["rows"])
    assert {(row["state"], row["attempts"]) for row in snapshot["outbox"]} == {("sent", 1)}
