"""Benchmark for online booking at scale: the time-choice page and the booking POST with
--clinics clinics that have bookable hours and --bookings bookings (bulk_create, with
their seats: benchmarks/booking_seed.py, shared with bench_dashboard). Runs in-process
(Django's test client) on a throwaway database, like bench_locations.py, so it measures
our code and the database, not the network.

    python -m benchmarks.bench_booking [--clinics 1000] [--bookings 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -m benchmarks.bench_booking

Exits non-zero when a target is missed: the time-choice page runs the same number of
queries at 2 clinics as at --clinics, its p95 under 100 ms and its weight at most 60 KB
gzipped; the booking POST p95 under 50 ms. Prints the machine's load average.
"""

import argparse
import gzip
import os
import random
import re
import statistics
import sys
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modsite.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.base import Template  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    _TestState,
    setup_test_environment,
)

from benchmarks.booking_seed import make_bookable, seed_upcoming  # noqa: E402
from tests.form_client import FormClient  # noqa: E402  (URL-encoded posts, as browsers)

PAGE_MAX_KB = 60  # gzipped
PAGE_P95_MS = 100
POST_P95_MS = 50


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def page_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries), response.content


def time_choice(client, slugs, repeat):
    times, weights = [], []
    for i in range(repeat):
        path = f"/{slugs[i % len(slugs)]}/book/"
        cache.clear()
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
        weights.append(len(gzip.compress(response.content)) / 1024)
    return times, weights


def booking_posts(client, kinds, repeat):
    """Time only the POST: the page that offers the time is fetched first, untimed."""
    from appointments.forms import SALT
    from staff import antispam

    times = []
    for i in range(repeat):
        kind = kinds[i % len(kinds)]
        path = f"/{kind.location.slug}/book/"
        page = client.get(path).content.decode()
        start_value = re.search(r'name="start" value="([^"]+)"', page)[1]
        key = str(uuid.uuid4())
        data = {
            "appointment_type": kind.pk,
            "start": start_value,
            "first_name": "Ana",
            "last_name": "Booker",
            "contact_method": "email",
            "email": "ana@example.net",
            "phone": "",
            "patient_type": "new",
            "topic": "",
            "message": "",
            "website": "",
            "submission_key": key,
            "form_started": antispam.make_token(SALT, key, issued_at=time.time() - 60),
        }
        started = time.perf_counter()
        response = client.post(path, data)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, (path, response.status_code)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinics", type=int, default=1000)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--posts", type=int, default=200)
    args = parser.parse_args()

    setup_test_environment()
    Template._render = _TestState.saved_data.template_render
    settings.DEBUG = False
    settings.BOOKING_RATE_LIMIT = "off"
    settings.CONSULTATION_NOTIFY_EMAIL = "desk@example.net"  # the staff e-mail is sent too
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    problems = []
    try:
        from appointments.models import AppointmentType, Booking
        from pages.models import Location

        print(f"Database: {connection.vendor}")
        print("Load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        client = FormClient()
        make_bookable(list(Location.objects.filter(slug__in=["bellevue", "gretna"])))
        small, _ = page_queries(client, "/bellevue/book/")
        with open(os.devnull, "w") as quiet:
            call_command("seed_locations", str(args.clinics - 2), stdout=quiet)
        seeded = list(Location.objects.filter(slug__startswith="test-clinic-"))
        started = time.perf_counter()
        make_bookable(seeded)
        kinds = list(AppointmentType.objects.select_related("location"))
        made = seed_upcoming(kinds, args.bookings)
        print(
            f"Seeded {len(kinds)} bookable clinics and {made} bookings "
            f"({Booking.objects.count()} stored) in {time.perf_counter() - started:.0f} s"
        )
        large, _ = page_queries(client, "/bellevue/book/")
        busy, _ = page_queries(client, f"/{kinds[-1].location.slug}/book/")
        print(f"Time-choice page queries: {small} at 2 clinics, {large} at {len(kinds)}")
        print(f"  (a clinic with {args.bookings // len(kinds)} bookings: {busy})")
        if not small == large == busy:
            problems.append(f"time-choice queries {small} at 2 clinics, {large}/{busy} at scale")

        slugs = [k.location.slug for k in random.Random(1).sample(kinds, min(50, len(kinds)))]
        times, weights = time_choice(client, slugs, args.pages)
        p95, heaviest = percentile(times, 95), max(weights)
        print(
            f"Time-choice page, uncached ({len(times)}x, in-process): median "
            f"{statistics.median(times):.1f} ms, p95 {p95:.1f} ms (target < {PAGE_P95_MS} ms); "
            f"heaviest {heaviest:.1f} KB gzipped (target <= {PAGE_MAX_KB} KB)"
        )
        if p95 >= PAGE_P95_MS:
            problems.append(f"time-choice p95 {p95:.1f} ms")
        if heaviest > PAGE_MAX_KB:
            problems.append(f"time-choice page {heaviest:.1f} KB gzipped")

        posts = booking_posts(
            client, random.Random(2).sample(kinds, min(100, len(kinds))), args.posts
        )
        post_p95 = percentile(posts, 95)
        print(
            f"Booking POST ({len(posts)}x, in-process): median {statistics.median(posts):.1f} ms, "
            f"p95 {post_p95:.1f} ms (target < {POST_P95_MS} ms)"
        )
        if post_p95 >= POST_P95_MS:
            problems.append(f"booking POST p95 {post_p95:.1f} ms")
        print("Load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    for problem in problems:
        print(f"MISSED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
