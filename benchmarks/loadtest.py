"""`make loadtest`: many patients send the consultation form at once; nothing may be lost.

Starts gunicorn with production settings on a free loopback port, on a new empty database
(a SQLite file in a temporary folder, or a new PostgreSQL database that is dropped
afterwards), with a local SMTP sink as the mail server. Then N simulated patients
(default 1,000, 50 at a time) each load the form (CSRF cookie, hidden fields) and send it.
Afterwards it checks the database and the mail: exactly N new requests, no server error,
one outbox row per request and one staff e-mail per request. Prints rows, errors, req/s
and p50/p95 latency; exits 1 when a check fails.

    python -m benchmarks.loadtest [--count 1000] [--concurrency 50]
    python -m benchmarks.loadtest --postgres postgres://postgres@127.0.0.1:5432/postgres

Everything is bounded: loopback only, at most MAX_COUNT submissions, a time limit for the
whole run and for each HTTP request. The fault tests in tests/faults reuse these helpers.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from benchmarks.bench_server import gunicorn, manage
from benchmarks.smtp_sink import SmtpSink

MAX_COUNT = 20_000
HTTP_TIMEOUT = 30
FORM_PATH = "/consultation/"
THANKS_PATH = "/consultation/thanks/"
# Subjects read "New consultation request for Bellevue (Request #12)".
REQUEST_NUMBER = re.compile(r"\(Request #(\d+)\)")


# --- Database and site -------------------------------------------------------------------


def is_postgres(url):
    return bool(url) and url.startswith(("postgres://", "postgresql://"))


@contextlib.contextmanager
def scratch_database(like_url=None):
    """Yield the DATABASE_URL of a new, empty database, removed afterwards: on the same
    PostgreSQL server as `like_url` if that is a PostgreSQL URL (its own database is never
    touched), else a SQLite file in a temporary folder."""
    if not is_postgres(like_url):
        folder = tempfile.mkdtemp(prefix="modsite-load-")
        try:
            yield f"sqlite:///{folder}/site.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return

    import psycopg
    from psycopg import sql

    parts = urlsplit(like_url)
    admin_url = parts._replace(path="/postgres").geturl()
    name = f"loadtest_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def site_env(database_url, **overrides):
    """Environment for the site as production runs it, on the loopback, with checks that
    would refuse a load test (rate limit, minimum fill time) turned off."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="modsite.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # No TLS proxy on the loopback; production would redirect to https.
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        # The database cache: no Redis needed, and nothing shared with other runs.
        REDIS_URL="",
        CONSULTATION_RATE_LIMIT="off",
        CONSULTATION_MIN_SECONDS="0",
        CONSULTATION_NOTIFY_EMAIL="frontdesk@example.invalid",
        SITE_URL="https://www.example.invalid",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT="1",  # nothing listens here: mail is "down" unless a sink port is given
        EMAIL_TIMEOUT="5",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def prepare_site(env):
    """Static files (production reads their manifest), tables and the database cache
    (migrate creates its table)."""
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "migrate", "--noinput", "--verbosity", "0")


_SNAPSHOT = """
import json
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from consultations.models import ConsultationRequest
from staff.models import NotificationOutbox
per_request = (
    NotificationOutbox.objects.filter(kind="request", object_id=OuterRef("pk"))
    .order_by().values("object_id").annotate(n=Count("pk")).values("n")
)
rows = list(
    ConsultationRequest.objects.annotate(outbox=Coalesce(Subquery(per_request), 0)).values(
        "pk", "submission_key", "location_id", "first_name", "last_name", "phone", "email",
        "contact_method", "topic", "patient_type", "message", "consent_at", "outbox",
    )
)
outbox = list(NotificationOutbox.objects.values("state", "attempts", request_id=F("object_id")))
print(json.dumps({"rows": rows, "outbox": outbox}, default=str))
"""


def database_snapshot(env):
    """Every stored request (with its number of outbox rows) and every outbox row, read
    through the site's own models in a separate process."""
    return json.loads(manage(env, "shell", "-c", _SNAPSHOT).strip().splitlines()[-1])


# --- Simulated patients ------------------------------------------------------------------


class FormParser(HTMLParser):
    """The consultation form's hidden fields and the clinics offered."""

    def __init__(self):
        super().__init__()
        self.hidden = {}
        self.locations = []
        self._in_location = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.hidden[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._in_location = attrs.get("name") == "location"
        elif tag == "option" and self._in_location and attrs.get("value"):
            self.locations.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._in_location = False


@dataclass
class Outcome:
    number: int
    submission_key: str = ""
    data: dict | None = None
    get_status: int = 0
    post_status: int = 0
    redirect: str = ""
    error: str = ""
    post_ms: float = 0.0
    total_ms: float = 0.0

    @property
    def saved(self):
        """The patient saw the thank-you redirect."""
        return self.post_status == 302 and self.redirect.endswith(THANKS_PATH)

    @property
    def server_error(self):
        return self.get_status >= 500 or self.post_status >= 500


def patient_answers(number, location):
    return {
        "location": location,
        "first_name": "Load",
        "last_name": f"Patient {number}",
        "contact_method": "email",
        "phone": "",
        "email": f"load{number}@example.invalid",
        "best_time": "any",
        "topic": "general",
        "patient_type": "new",
        "message": f"Load test request {number}.",
        "consent": "on",
        "website": "",
    }


class Patient:
    """One simulated browser: a keep-alive connection, reused for many submissions."""

    def __init__(self, base_url):
        parts = urlsplit(base_url)
        if parts.hostname not in {"127.0.0.1", "localhost"}:
            raise ValueError("The load test only talks to the loopback.")
        self.host, self.port = parts.hostname, parts.port
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=HTTP_TIMEOUT)
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            return response, response.read()
        except Exception:
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def open_form(self, path=FORM_PATH):
        """GET the form; return (response, its hidden fields and clinics, cookie header)."""
        response, body = self.request("GET", path)
        form = FormParser()
        form.feed(body.decode(errors="replace"))
        cookies = "; ".join(
            value.split(";", 1)[0] for value in response.headers.get_all("Set-Cookie") or []
        )
        return response, form, cookies

    def send_form(self, data, cookies, path=FORM_PATH):
        return self.request(
            "POST",
            path,
            body=urlencode(data),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies},
        )

    def submit(self, number):
        outcome = Outcome(number)
        start = time.perf_counter()
        try:
            response, form, cookies = self.open_form()
            outcome.get_status = response.status
            if response.status != 200:
                outcome.error = f"form page answered {response.status}"
                return outcome
            data = {**form.hidden, **patient_answers(number, form.locations[0])}
            outcome.submission_key, outcome.data = data.get("submission_key", ""), data
            posted = time.perf_counter()
            response, _body = self.send_form(data, cookies)
            outcome.post_ms = (time.perf_counter() - posted) * 1000
            outcome.post_status = response.status
            outcome.redirect = response.headers.get("Location", "")
        except Exception as error:  # a dropped connection is a result, not a crash
            outcome.error = f"{type(error).__name__}: {error}"
        finally:
            outcome.total_ms = (time.perf_counter() - start) * 1000
        return outcome


def run_load(base_url, count, concurrency, time_limit=300, progress=None):
    """Send `count` submissions, `concurrency` at a time; return (outcomes, seconds).
    `progress`, if given, is called with the number of submissions finished so far."""
    if not 0 < count <= MAX_COUNT:
        raise ValueError(f"count must be between 1 and {MAX_COUNT}.")
    deadline = time.monotonic() + time_limit
    local = threading.local()
    patients = []
    finished = iter(range(1, count + 1))
    finished_lock = threading.Lock()

    def one(number):
        if time.monotonic() > deadline:
            return Outcome(number, error="time limit reached; not sent")
        if not hasattr(local, "patient"):
            local.patient = Patient(base_url)
            patients.append(local.patient)
        outcome = local.patient.submit(number)
        if progress is not None:
            with finished_lock:
                progress(next(finished))
        return outcome

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        outcomes = list(pool.map(one, range(1, count + 1)))
    elapsed = time.perf_counter() - start
    for patient in patients:
        patient.close()
    return outcomes, elapsed


# --- Checks and report -------------------------------------------------------------------


def percentile(values, pct):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def check(outcomes, snapshot, delivered_subjects, rows_before=0):
    """Compare what the patients saw with the database and the mail; return
    (figures, problems)."""
    rows, outbox = snapshot["rows"], snapshot["outbox"]
    stored_keys = {row["submission_key"] for row in rows}
    saved = [o for o in outcomes if o.saved]
    deliveries = Counter(int(m[1]) for s in delivered_subjects if (m := REQUEST_NUMBER.search(s)))
    figures = {
        "submissions": len(outcomes),
        "thank_you_pages": len(saved),
        "new_rows": len(rows) - rows_before,
        "server_errors": sum(o.server_error for o in outcomes),
        "failed_submissions": sum(not o.saved for o in outcomes),
        "outbox_rows": len(outbox),
        "emails_delivered": sum(deliveries.values()),
    }
    problems = []
    if figures["new_rows"] != len(outcomes):
        problems.append(f"{figures['new_rows']} new rows for {len(outcomes)} submissions")
    if figures["server_errors"]:
        problems.append(f"{figures['server_errors']} server errors")
    lost = [o.number for o in saved if o.submission_key not in stored_keys]
    if lost:
        problems.append(f"{len(lost)} thanked patients have no stored request: {lost[:10]}")
    if figures["failed_submissions"]:
        sample = next(o for o in outcomes if not o.saved)
        problems.append(
            f"{figures['failed_submissions']} submissions failed "
            f"(e.g. #{sample.number}: {sample.error or sample.post_status})"
        )
    wrong_outbox = [row["pk"] for row in rows if row["outbox"] != 1]
    if wrong_outbox or len(outbox) != len(rows):
        problems.append(f"requests without exactly one outbox row: {wrong_outbox[:10]}")
    not_once = sorted(row["pk"] for row in rows if deliveries.get(row["pk"], 0) != 1) + sorted(
        set(deliveries) - {row["pk"] for row in rows}
    )
    if not_once:
        problems.append(f"requests not e-mailed exactly once: {not_once[:10]}")
    return figures, problems


def timings(outcomes, elapsed):
    done = [o for o in outcomes if o.post_status]
    return {
        "seconds": round(elapsed, 2),
        "http_requests_per_s": round(
            sum(bool(o.get_status) + bool(o.post_status) for o in outcomes) / elapsed, 1
        ),
        "submissions_per_s": round(len(done) / elapsed, 1),
        "post_p50_ms": round(percentile([o.post_ms for o in done], 50), 1),
        "post_p95_ms": round(percentile([o.post_ms for o in done], 95), 1),
        "submission_p50_ms": round(percentile([o.total_ms for o in done], 50), 1),
        "submission_p95_ms": round(percentile([o.total_ms for o in done], 95), 1),
        "submission_mean_ms": round(statistics.fmean([o.total_ms for o in done] or [0]), 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=int(os.environ.get("LOADTEST_COUNT") or 1000))
    parser.add_argument(
        "--concurrency", type=int, default=int(os.environ.get("LOADTEST_CONCURRENCY") or 50)
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--time-limit", type=int, default=600, metavar="SECONDS")
    parser.add_argument(
        "--postgres",
        default="",
        metavar="URL",
        help="A PostgreSQL server to use (a new database is made there and dropped); "
        "default: a SQLite file.",
    )
    args = parser.parse_args()
    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"Load test on {kind}: {args.count} submissions, {args.concurrency} at a time, "
        f"gunicorn {args.workers} workers x {args.threads} threads."
    )
    with scratch_database(args.postgres) as database_url, SmtpSink() as sink:
        env = site_env(database_url, EMAIL_PORT=str(sink.port))
        prepare_site(env)
        rows_before = len(database_snapshot(env)["rows"])
        with gunicorn(env, workers=args.workers, threads=args.threads) as server:
            outcomes, elapsed = run_load(
                server.base_url, args.count, args.concurrency, args.time_limit
            )
            server_log = server.log()
        figures, problems = check(outcomes, database_snapshot(env), sink.subjects(), rows_before)
    figures.update(timings(outcomes, elapsed))
    figures["server_log_errors"] = server_log.count('"level": "ERROR"')
    print(json.dumps({"database": kind, **figures}, indent=2))
    for problem in problems:
        print(f"FAILED: {problem}")
    if problems:
        return 1
    print("OK: every submission stored once, queued once and e-mailed once.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
