"""A smaller `make loadtest` in the suite: gunicorn with several workers on a database of
the suite's kind, many patients at once; every request stored, queued and e-mailed once.
Counts only: speed belongs to `make loadtest` and `make bench`."""

import pytest

from benchmarks import loadtest
from benchmarks.smtp_sink import SmtpSink

pytestmark = pytest.mark.process  # gunicorn

SUBMISSIONS = 200
CONCURRENCY = 20


def test_concurrent_submissions_are_each_stored_queued_and_emailed_once(
    scratch_database_url, tmp_path
):
    with SmtpSink() as sink:
        env = loadtest.site_env(scratch_database_url, EMAIL_PORT=str(sink.port))
        loadtest.prepare_site(env)
        with loadtest.gunicorn(env, workers=3, threads=4, log_dir=tmp_path) as server:
            outcomes, _seconds = loadtest.run_load(
                server.base_url, SUBMISSIONS, CONCURRENCY, time_limit=120
            )
            log = server.log()
        snapshot = loadtest.database_snapshot(env)
        figures, problems = loadtest.check(outcomes, snapshot, sink.subjects())

    assert problems == []
    assert figures["new_rows"] == SUBMISSIONS
    assert figures["thank_you_pages"] == SUBMISSIONS
    assert figures["server_errors"] == 0
    assert figures["outbox_rows"] == SUBMISSIONS
    assert figures["emails_delivered"] == SUBMISSIONS
    assert {row["state"] for row in snapshot["outbox"]} == {"sent"}
    assert {row["attempts"] for row in snapshot["outbox"]} == {1}
    assert '"level": "ERROR"' not in log
    assert "Traceback" not in log
    assert "Load test request" not in log  # the patients' messages
