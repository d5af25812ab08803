"""Benchmark for many clinics: the home page's weight and the clinic finder's speed, at the
two real locations and at --locations fake ones (manage.py seed_locations). Runs
in-process (Django's test client) on a throwaway database, so it measures our code and
the database, not the network.

    python -m benchmarks.bench_locations [--locations 1000] [--searches 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -m benchmarks.bench_locations

Exits non-zero when a target below is missed: the home page, the finder and the general
consultation form (both languages) at most 60 KB gzipped, queries per search the same at
both sizes, finder search p95 under 100 ms, and after staff edit one location, every other
sampled location's kept pages still served warm (100%). Also prints the time to serve the
kept (warm) sitemap, median of --sitemaps requests, and the machine's load average.
"""

import argparse
import gzip
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modsite.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.base import Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    _TestState,
    setup_test_environment,
)

PAGE_MAX_KB = 60  # gzipped
# Pages that once listed every clinic, and the home page.
WEIGHED = ["/", "/locations/", "/es/clinicas/", "/consultation/", "/es/consulta/"]
SMALL = 10
FINDER_P95_MS = 100
# A ZIP code, a ZIP+4, a city, a state, a name, an unknown ZIP, and the whole list.
SEARCHES = ["68005", "10001-1234", "Springfield", "Texas", "Clinic 0500", "00000", ""]


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def page_kb(client, path):
    cache.clear()
    response = client.get(path)
    assert response.status_code == 200, path
    body = response.content
    return len(body) / 1024, len(gzip.compress(body)) / 1024


def warm_sitemap_ms(client, repeat):
    """Median time to serve /sitemap.xml once it is kept, and its size in KB."""
    cache.clear()
    start = time.perf_counter()
    size = len(client.get("/sitemap.xml").content) / 1024
    cold = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        assert client.get("/sitemap.xml").status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), cold, size


def search_queries(client):
    counts = {}
    for query in SEARCHES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/locations/", {"q": query}).status_code == 200
        counts[query] = len(queries)
    return counts


def bench_finder(client, repeat):
    times = {query: [] for query in SEARCHES}
    for i in range(repeat):
        query = SEARCHES[i % len(SEARCHES)]
        cache.clear()  # a search nobody made yet: rendered, not served from the page cache
        start = time.perf_counter()
        assert client.get("/locations/", {"q": query}).status_code == 200
        times[query].append((time.perf_counter() - start) * 1000)
    return times


def served_warm(client, path):
    """True when the page came from the page cache: no database query at all."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries) == 0


def warm_share_after_one_edit(client, sample):
    """Share of other locations' kept pages still warm after one location is saved."""
    from pages.models import Location

    locations = list(Location.objects.active().order_by("pk")[:sample])
    edited, others = locations[0], locations[1:]

    def paths(location):
        return [location.get_absolute_url(), location.get_isotretinoin_url()]

    cache.clear()
    for location in locations:
        for path in paths(location):
            client.get(path)
    before = [served_warm(client, path) for location in others for path in paths(location)]
    edited.save()
    after = [served_warm(client, path) for location in others for path in paths(location)]
    edited_fresh = not any(served_warm(client, path) for path in [edited.get_isotretinoin_url()])
    return sum(before) / len(before), sum(after) / len(after), edited_fresh


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locations", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=210)
    parser.add_argument("--warm-sample", type=int, default=200)
    parser.add_argument("--sitemaps", type=int, default=21)
    args = parser.parse_args()

    setup_test_environment()
    # Measure rendering as production does, without the test runner's per-template signal.
    Template._render = _TestState.saved_data.template_render
    settings.DEBUG = False
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    problems = []
    try:
        print(f"Database: {connection.vendor}")
        print("Load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        client = Client()
        small_kb, small_gz = page_kb(client, "/")
        with open(os.devnull, "w") as quiet:
            call_command("seed_locations", str(SMALL), stdout=quiet)
            small_queries = search_queries(client)
            call_command("seed_locations", str(args.locations - SMALL), stdout=quiet)
        total = args.locations + 2
        large_queries = search_queries(client)
        print(f"Home page: {small_kb:.1f} KB ({small_gz:.1f} KB gzipped) at 2 locations")
        print(f"Page weights at {total} locations (target <= {PAGE_MAX_KB} KB gzipped):")
        for path in WEIGHED:
            raw, gzipped = page_kb(client, path)
            print(f"  {path:16} {raw:7.1f} KB, gzipped {gzipped:6.1f} KB")
            if gzipped > PAGE_MAX_KB:
                problems.append(f"{path} {gzipped:.1f} KB gzipped at {total} locations")
        warm, cold, size = warm_sitemap_ms(client, args.sitemaps)
        print(
            f"Sitemap ({size:.0f} KB): built in {cold:.0f} ms, then served kept in "
            f"{warm:.2f} ms (median of {args.sitemaps})"
        )
        print(f"Queries per finder search at {SMALL + 2} and {total} locations:")
        for query in SEARCHES:
            small, large = small_queries[query], large_queries[query]
            print(f"  {query or '(empty)':14} {small:>4} {large:>4}")
            if small != large:
                problems.append(f"search {query!r} runs {large} queries at {total} locations")

        times = bench_finder(client, args.searches)
        every = [t for ts in times.values() for t in ts]
        p95 = percentile(every, 95)
        print(
            f"Finder search, uncached ({len(every)}x, in-process): "
            f"median {statistics.median(every):.1f} ms, "
            f"p95 {p95:.1f} ms (target < {FINDER_P95_MS} ms)"
        )
        for query, ts in times.items():
            print(f"  {query or '(empty)':14} p95 {percentile(ts, 95):6.1f} ms")
        if p95 >= FINDER_P95_MS:
            problems.append(f"finder p95 {p95:.1f} ms")

        before, after, edited_fresh = warm_share_after_one_edit(client, args.warm_sample)
        print(
            f"Kept pages of {args.warm_sample - 1} other locations still warm after one "
            f"location is saved: {after:.0%} (before the edit: {before:.0%}; target 100%); "
            f"the edited location's page redrawn: {'yes' if edited_fresh else 'NO'}"
        )
        if after < 1 or before < 1 or not edited_fresh:
            problems.append(f"warm share after one edit {after:.0%}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    for problem in problems:
        print(f"MISSED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
