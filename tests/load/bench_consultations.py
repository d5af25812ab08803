"""Benchmark for consultation requests: patient form submissions, and the staff list and
CSV export over many requests. Runs in-process (Django's test client) on a throwaway
database, so it measures our code and the database, not the network.

    python tests/load/bench_consultations.py [--rows 100000] [--submissions 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python tests/load/bench_consultations.py

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

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modsite.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from consultations import antispam  # noqa: E402
from consultations.models import ConsultationRequest  # noqa: E402
from pages.models import Location  # noqa: E402

# Targets: milliseconds (p95) and megabytes.
TARGETS = {
    "submit_p95_ms": 150,
    "changelist_p95_ms": 500,
    "export_peak_mb": 40,
    "export_rows_per_s": 10_000,
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
    client = Client()
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
        data[antispam.STARTED_FIELD] = antispam.make_token()
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
        response = client.get("/" + settings.ADMIN_URL + "consultations/consultationrequest/")
        assert response.status_code == 200

    return timed(load, repeat)


def bench_export(client):
    """Time one export, then measure peak memory in a second (tracemalloc slows it down)."""
    # "Select all N requests" in the admin: one id plus select_across.
    first = ConsultationRequest.objects.values_list("pk", flat=True).first()
    url = "/" + settings.ADMIN_URL + "consultations/consultationrequest/"
    data = {"action": "export_csv", "_selected_action": [first], "select_across": "1"}

    def export():
        response = client.post(url, data)
        return sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1

    start = time.perf_counter()
    rows = export()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    export()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, seconds, peak / 1024 / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=300)
    args = parser.parse_args()

    setup_test_environment()
    settings.DEBUG = False
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        print(f"Database: {connection.vendor}; {args.rows} requests seeded")
        with open(os.devnull, "w") as quiet:
            call_command("seed_requests", str(args.rows), stdout=quiet)
        results = {}

        submit = bench_submit(args.submissions)
        results["submit_p95_ms"] = percentile(submit, 95)
        print(
            f"Form submission ({args.submissions}x): median {statistics.median(submit):.1f} ms, "
            f"p95 {results['submit_p95_ms']:.1f} ms"
        )

        client = staff_client()
        listing = bench_changelist(client, 30)
        results["changelist_p95_ms"] = percentile(listing, 95)
        print(
            f"Staff list page (30x): median {statistics.median(listing):.1f} ms, "
            f"p95 {results['changelist_p95_ms']:.1f} ms"
        )

        rows, seconds, peak_mb = bench_export(client)
        results["export_peak_mb"] = peak_mb
        results["export_rows_per_s"] = rows / seconds
        print(
            f"CSV export: {rows} rows in {seconds:.2f} s "
            f"({results['export_rows_per_s']:.0f} rows/s), peak Python memory {peak_mb:.1f} MB"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    missed = [
        name
        for name, target in TARGETS.items()
        if (results[name] < target if name.endswith("_per_s") else results[name] > target)
    ]
    for name in missed:
        print(f"MISSED: {name} = {results[name]:.1f} (target {TARGETS[name]})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
