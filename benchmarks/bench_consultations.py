"""Benchmark for consultation requests: patient form submissions, and the staff list, its
filters and the CSV export over many requests. Runs in-process (Django's test client) on a
throwaway database, so it measures our code and the database, not the network.

The staff side is measured twice, at 1,000 and at --rows requests: the list page and each
filter must run the same number of queries, and the export's peak resident memory (RSS)
must stay flat, whatever the number of rows.

    python -m benchmarks.bench_consultations [--rows 100000] [--submissions 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -m benchmarks.bench_consultations

Exits non-zero when a target below is missed.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modsite.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from consultations import antispam  # noqa: E402
from consultations.models import ConsultationRequest  # noqa: E402
from pages.models import Location  # noqa: E402
from tests.form_client import FormClient  # noqa: E402

# Targets: milliseconds (p95) and megabytes.
TARGETS = {
    "submit_p95_ms": 150,
    "changelist_p95_ms": 500,
    "export_peak_mb": 40,
    "export_rss_growth_mb": 40,
    "export_rows_per_s": 10_000,
}
SMALL_ROWS = 1000
CHANGELIST = "/" + settings.ADMIN_URL + "consultations/consultationrequest/"
# The list page and each of its filters, as staff use them.
LIST_VIEWS = {
    "list": {},
    "status": {"status__exact": "new"},
    "location": {"location__id__exact": "LOCATION"},
    "topic": {"topic__exact": "isotretinoin"},
    "received": {"created_at__gte": "2000-01-01 00:00:00+00:00"},
    "open, oldest": {"open": "oldest"},
    "waiting": {"open": "waiting"},
    "search": {"q": "Patient 5"},
}


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench_submit(count):
    settings.CONSULTATION_RATE_LIMIT = "off"
    settings.CONSULTATION_MIN_SECONDS = 0
    settings.CONSULTATION_NOTIFY_EMAIL = "bench@example.invalid"
    client = FormClient()  # URL-encoded, as browsers send the form
    location = Location.objects.active().first()
    data = {
        "location": location.pk,
        "first_name": "Bench",
        "last_name": "Patient",
        "patient_type": "new",
        "contact_method": "email",
        "email": "bench@example.invalid",
        "topic": "general",
        "consent": "on",
    }

    def submit():
        # A fresh page each time: one page can only be sent once.
        data["submission_key"] = str(uuid.uuid4())
        data[antispam.STARTED_FIELD] = antispam.make_token(data["submission_key"])
        response = client.post("/consultation/", data)
        assert response.status_code == 302, response.status_code

    return timed(submit, count)


def staff_client():
    settings.STAFF_REQUIRE_2FA = False
    user = User.objects.create_superuser("bench", password="bench-password-123")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def bench_changelist(client, repeat):
    def load():
        response = client.get(CHANGELIST)
        assert response.status_code == 200

    return timed(load, repeat)


def list_view_queries(client):
    """Queries each list view runs (the second load: the first warms caches)."""
    location = str(Location.objects.active().first().pk)
    counts = {}
    for name, params in LIST_VIEWS.items():
        params = {k: v.replace("LOCATION", location) for k, v in params.items()}
        client.get(CHANGELIST, params)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CHANGELIST, params).status_code == 200
        counts[name] = len(queries)
    return counts


def _status_mb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def rss_growth_mb(fn):
    """How far resident memory rose above its level before fn, at its peak while fn ran.
    Linux resets the process's high-water mark (VmHWM) when asked to."""
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_mb("VmRSS")
    result = fn()
    return result, _status_mb("VmHWM") - before


def export_all(client):
    """ "Select all N requests" and export them to CSV, as staff do; return the row count."""
    first = ConsultationRequest.objects.values_list("pk", flat=True).first()
    data = {"action": "export_csv", "_selected_action": [first], "select_across": "1"}
    response = client.post(CHANGELIST, data)
    return sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1


def bench_export(client):
    """Time one export and its RSS growth, then Python's own peak in a second run
    (tracemalloc slows it down)."""
    start = time.perf_counter()
    rows, growth = rss_growth_mb(lambda: export_all(client))
    seconds = time.perf_counter() - start
    tracemalloc.start()
    export_all(client)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, seconds, growth, peak / 1024 / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=300)
    args = parser.parse_args()

    setup_test_environment()
    settings.DEBUG = False
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    results, problems = {}, []
    try:
        print(f"Database: {connection.vendor}")
        with open(os.devnull, "w") as quiet:
            call_command("seed_requests", str(SMALL_ROWS), stdout=quiet)
        client = staff_client()
        small_queries = list_view_queries(client)
        small_rows, small_growth = rss_growth_mb(lambda: export_all(client))

        call_command("seed_requests", str(args.rows - SMALL_ROWS))
        large_queries = list_view_queries(client)
        print(f"\nQueries per staff list view at {SMALL_ROWS} and {args.rows} requests:")
        for name in LIST_VIEWS:
            small, large = small_queries[name], large_queries[name]
            print(f"  {name:14} {small:>4} {large:>4}")
            if large != small:
                problems.append(f"the {name} view runs {large} queries at {args.rows} rows")

        listing = bench_changelist(client, 30)
        results["changelist_p95_ms"] = percentile(listing, 95)
        print(
            f"Staff list page (30x): median {statistics.median(listing):.1f} ms, "
            f"p95 {results['changelist_p95_ms']:.1f} ms"
        )

        rows, seconds, growth, peak_mb = bench_export(client)
        results["export_rss_growth_mb"] = growth
        results["export_peak_mb"] = peak_mb
        results["export_rows_per_s"] = rows / seconds
        print(
            f"CSV export: {rows} rows in {seconds:.2f} s "
            f"({results['export_rows_per_s']:.0f} rows/s)\n"
            f"  peak RSS above the level before: {small_growth:.1f} MB for {small_rows} rows, "
            f"{growth:.1f} MB for {rows} rows; peak Python memory {peak_mb:.1f} MB"
        )

        submit = bench_submit(args.submissions)
        results["submit_p95_ms"] = percentile(submit, 95)
        print(
            f"Form submission ({args.submissions}x): median {statistics.median(submit):.1f} ms, "
            f"p95 {results['submit_p95_ms']:.1f} ms"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    problems += [
        f"{name} = {results[name]:.1f} (target {target})"
        for name, target in TARGETS.items()
        if (results[name] < target if name.endswith("_per_s") else results[name] > target)
    ]
    for problem in problems:
        print(f"MISSED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
