"""Benchmark for the public free-slot feed at many clinics: every clinic (seed_locations)
gets bookable hours (Mon-Fri 09:00-12:00,13:00-16:00, 30-minute visits, 30 days ahead,
bulk_create), then the manifest and every clinic's Slot file are fetched cold (built) and
warm (kept). Prints sizes, times and the machine's load average. In-process (Django's
test client) on a throwaway database.

    python -m benchmarks.bench_slotfeed [--locations 1000] [--warm 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -m benchmarks.bench_slotfeed
"""

import argparse
import datetime
import io
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modsite.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from appointments.models import AppointmentType, BookableWindow  # noqa: E402
from pages.models import Location  # noqa: E402

HOURS = [(datetime.time(9), datetime.time(12)), (datetime.time(13), datetime.time(16))]


def seed_hours():
    kinds = AppointmentType.objects.bulk_create(
        AppointmentType(location=location, name_en="New patient consultation", name_es="Consulta")
        for location in Location.objects.active()
    )
    BookableWindow.objects.bulk_create(
        BookableWindow(appointment_type=kind, weekday=day, starts=starts, ends=ends)
        for kind in kinds
        for day in range(5)
        for starts, ends in HOURS
    )
    return len(kinds)


def fetch_all(client, paths):
    sizes, times = [], []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
        sizes.append(len(response.content))
    return sizes, times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--locations", type=int, default=1000)
    parser.add_argument("--warm", type=int, default=200)
    args = parser.parse_args()
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://clinic.example"
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        print("Load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        call_command("seed_locations", str(args.locations), stdout=io.StringIO())
        clinics = seed_hours()
        cache.clear()
        client = Client()
        started = time.perf_counter()
        manifest = client.get("/$bulk-publish")
        manifest_s = time.perf_counter() - started
        paths = [item["url"].removeprefix(settings.SITE_URL) for item in manifest.json()["output"]]
        slot_paths = [p for p in paths if "/slots-" in p]
        sizes, cold = fetch_all(client, paths)
        # Each file again right after building it: the test settings' local-memory cache
        # keeps only 300 entries, so the 1,000 files fetched above are partly gone.
        warm = []
        for path in slot_paths[: args.warm]:
            client.get(path)
            warm.extend(fetch_all(client, [path])[1])
        slot_sizes = sizes[2:]
        print(f"Clinics with bookable hours: {clinics}; files in the manifest: {len(paths)}")
        print(
            f"Manifest: {len(manifest.content) / 1024:.0f} KB, built in {manifest_s * 1000:.0f} ms"
        )
        print(
            f"Location + Schedule files: {(sizes[0] + sizes[1]) / 1024:.0f} KB, "
            f"built in {(cold[0] + cold[1]) * 1000:.0f} ms"
        )
        print(
            f"Slot files: {sum(slot_sizes) / 1024 / 1024:.1f} MB in all, "
            f"median {statistics.median(slot_sizes) / 1024:.0f} KB a clinic; cold build "
            f"{sum(cold[2:]):.1f} s in all, median {statistics.median(cold[2:]) * 1000:.0f} ms "
            f"a clinic; warm (kept) median {statistics.median(warm) * 1000:.2f} ms"
        )
        print("Load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
