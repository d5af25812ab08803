"""gunicorn workers are killed (SIGKILL, as the OOM killer or a crash would) while
patients are sending the form. Afterwards no request is half-written: every stored
request is exactly what a patient sent and has its outbox row, every patient who saw the
thank-you page has a stored request, and the outbox still sends each e-mail once."""

import os
import signal
from collections import Counter

import pytest

from benchmarks import loadtest
from benchmarks.smtp_sink import SmtpSink

pytestmark = pytest.mark.process  # gunicorn

SUBMISSIONS = 150
CONCURRENCY = 8
# Kill the oldest worker (a newer one may still be starting) after these many submissions.
KILL_AFTER = [20, 55, 90]
STORED_FIELDS = ["first_name", "last_name", "email", "message", "contact_method", "topic"]


def test_a_worker_killed_mid_request_leaves_no_half_written_request(scratch_database_url, tmp_path):
    with SmtpSink() as sink:
        env = loadtest.site_env(scratch_database_url, EMAIL_PORT=str(sink.port))
        loadtest.prepare_site(env)
        # Sync workers handle one request each: under this load a killed worker is
        # almost always in the middle of one.
        with loadtest.gunicorn(
            env, workers=2, threads=1, worker_class="sync", log_dir=tmp_path
        ) as server:
            killed = []

            def kill_at_milestones(finished):
                if finished in KILL_AFTER:
                    pid = min(server.worker_pids())
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)

            outcomes, _seconds = loadtest.run_load(
                server.base_url, SUBMISSIONS, CONCURRENCY, 150, progress=kill_at_milestones
            )
            assert len(killed) == len(KILL_AFTER)
            assert not set(killed) & set(server.worker_pids())
            assert server.process.poll() is None
        snapshot = loadtest.database_snapshot(env)
        # Requests whose worker died before e-mailing are still due in the outbox.
        loadtest.manage(env, "send_notifications")
        delivered = Counter(int(loadtest.REQUEST_NUMBER.search(s)[1]) for s in sink.subjects())

    sent = {o.submission_key: o.data for o in outcomes if o.data}
    rows = snapshot["rows"]
    assert any(not o.saved for o in outcomes), "no request was cut off: the test missed"
    assert sum(o.saved for o in outcomes) > SUBMISSIONS // 2  # the site kept serving

    # Every thank-you page stands for a stored request.
    stored = {row["submission_key"]: row for row in rows}
    assert [o.number for o in outcomes if o.saved and o.submission_key not in stored] == []
    # Every stored request is whole: one a patient sent, all its answers, one outbox row.
    for key, row in stored.items():
        assert key in sent
        assert {f: row[f] for f in STORED_FIELDS} == {f: sent[key][f] for f in STORED_FIELDS}
        assert str(row["location_id"]) == sent[key]["location"]
        assert row["consent_at"]
        assert row["outbox"] == 1
    # No e-mail twice; only a request whose worker died mid-send waits for its lease.
    assert max(delivered.values()) == 1
    waiting = {row["pk"] for row in rows} - set(delivered)
    leased = {
        row["request_id"]
        for row in loadtest.database_snapshot(env)["outbox"]
        if row["state"] == "sending"
    }
    assert waiting <= leased
    assert len(waiting) <= len(KILL_AFTER)
