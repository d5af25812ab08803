"""`make bench`: how fast a cached patient page is served next to a static file, with
visit counting on and off.

Starts two gunicorns with production settings (see bench_server.py), one counting visits
(VISIT_COUNTS=on, with BENCH_LOCATIONS (1,000) fake clinics besides the two real ones) and
one not; weighs the home page with all those clinics (target: at most 60 KB), warms the
page caches, checks that a warm page hit makes no database query, then runs wrk
BENCH_ROUNDS times, in a rotating order each round, against (a) the hashed site.css
served by whitenoise, (b) a location's isotretinoin page with counting on, (c) the same
page with counting off and (d) its Spanish page with counting on. Every request sends a
phone browser's user agent, so the page views count (robots would not). Prints each
round's requests per second, the median ratio of each page to the static file of its
round (target: the English and the Spanish page with counting on at >= 0.9x the static
file) and p50/p99 latency; afterwards checks that the counting server stored every view
it answered. Loopback only; every step is bounded in time. The figures are only as steady
as the machine: run it on a quiet one.

Settings through the environment: BENCH_SECONDS (6 per run), BENCH_ROUNDS (5),
BENCH_THREADS (2), BENCH_CONNECTIONS (50), BENCH_PAGE (/bellevue/isotretinoin/),
BENCH_SPANISH_PAGE (/es/bellevue/isotretinoina/), BENCH_LOCATIONS (1000), BENCH_REDIS_URL.
"""

import contextlib
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import urllib.request

from benchmarks.bench_server import hashed_static_path, manage, production_server

TARGET_RATIO = 0.9  # the page with counting on, against the static file
HOME_PAGE_MAX_KB = 60
LOCATIONS = int(os.environ.get("BENCH_LOCATIONS") or "1000")
SECONDS = int(os.environ.get("BENCH_SECONDS") or "6")
ROUNDS = int(os.environ.get("BENCH_ROUNDS") or "5")
THREADS = int(os.environ.get("BENCH_THREADS") or "2")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS") or "50")
PAGE = os.environ.get("BENCH_PAGE") or "/bellevue/isotretinoin/"
SPANISH_PAGE = os.environ.get("BENCH_SPANISH_PAGE") or "/es/bellevue/isotretinoina/"

# A phone's browser: counted as a patient's view (see pages/visits.py).
USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def to_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def run_wrk(url):
    command = [
        "wrk",
        f"--threads={THREADS}",
        f"--connections={CONNECTIONS}",
        f"--duration={SECONDS}s",
        "--timeout=5s",
        "--latency",
        f"--header=User-Agent: {USER_AGENT}",
        url,
    ]
    output = subprocess.run(  # noqa: S603 fixed program, our own arguments
        command, capture_output=True, text=True, check=True, timeout=SECONDS + 30
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "bad": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def warm_hit_queries(env, path):
    """Database queries the site makes to serve `path` from a warm cache (in this process,
    with the server's settings, database and cache)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


_READ_VIEWS = """
from django.db.models import Sum
from pages.models import DailyPageViews
print(DailyPageViews.objects.aggregate(views=Sum("count"))["views"] or 0)
"""


def open_url(url):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 loopback
        assert response.status == 200, url


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: run `bash scripts/install-system-packages.sh`.")
    stored = {}

    def count_views(env):
        stored["views"] = int(manage(env, "shell", "-c", _READ_VIEWS).split()[-1])

    with contextlib.ExitStack() as servers:
        base_on, env = servers.enter_context(
            production_server(
                locations=LOCATIONS,
                env_overrides={"VISIT_COUNTS": "on"},
                after_stop=count_views,
            )
        )
        # The page measured shows one clinic: the same page without the fake clinics.
        base_off, _env_off = servers.enter_context(
            production_server(env_overrides={"VISIT_COUNTS": "off"})
        )
        with urllib.request.urlopen(base_on + "/", timeout=10) as response:  # noqa: S310 loopback
            home = response.read()
        home_kb = len(home) / 1024
        print(
            f"\nHome page with {LOCATIONS + 2} active locations: {home_kb:.1f} KB "
            f"({len(gzip.compress(home)) / 1024:.1f} KB gzipped; target <= {HOME_PAGE_MAX_KB} KB)"
        )
        urls = {
            "static": base_on + hashed_static_path("css/site.css"),
            "counting on": base_on + PAGE,
            "counting off": base_off + PAGE,
            "Spanish, counting on": base_on + SPANISH_PAGE,
        }
        for url in urls.values():
            for _ in range(3):  # the later page hits come from the cache
                open_url(url)
        answered = 6  # page views the counting server answered outside wrk (two pages)
        queries = warm_hit_queries(env, PAGE)
        cache = "Redis" if env["REDIS_URL"] else "database"
        print(
            f"\nwrk: {ROUNDS} rounds of {SECONDS} s each, {THREADS} threads, "
            f"{CONNECTIONS} connections"
        )
        print(f"Page cache: {cache}; database queries on a warm page hit: {queries}")
        rounds = []
        names = list(urls)
        for number in range(ROUNDS):
            shift = number % len(names)
            order = names[shift:] + names[:shift]
            results = {name: run_wrk(urls[name]) for name in order}
            answered += results["counting on"]["requests"]
            answered += results["Spanish, counting on"]["requests"]
            rounds.append(results)
            print(
                f"round {number + 1}: "
                + ", ".join(f"{name} {results[name]['rps']:.0f} req/s" for name in names)
            )
    # The counting server has stopped: its workers saved their last counts on the way out.

    print(f"\n{'median of rounds':28} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'requests':>10}")
    for name in names:
        runs = [r[name] for r in rounds]
        print(
            f"{name:28} {statistics.median(r['rps'] for r in runs):>10.0f}"
            f" {statistics.median(r['p50'] for r in runs):>9.2f}"
            f" {statistics.median(r['p99'] for r in runs):>9.2f}"
            f" {sum(r['requests'] for r in runs):>10}"
        )
        for r in runs:
            if r["bad"] or r["socket_errors"]:
                print(
                    f"  !! {r['bad']} non-2xx responses; socket errors: {r['socket_errors'] or 0}"
                )
    ratio = {
        name: statistics.median(r[name]["rps"] / r["static"]["rps"] for r in rounds)
        for name in ("counting on", "counting off", "Spanish, counting on")
    }
    verdict = "meets" if ratio["counting on"] >= TARGET_RATIO else "MISSES"
    print(
        f"\nPage / static ratio (median of {ROUNDS} rounds): counting on "
        f"{ratio['counting on']:.2f} ({verdict} the target of >= {TARGET_RATIO}), "
        f"counting off {ratio['counting off']:.2f}; Spanish page (counting on) "
        f"{ratio['Spanish, counting on']:.2f}"
    )
    # wrk stops counting at its deadline, so a few answers in flight may be stored too:
    # at most one per connection, per run of each counted page (English and Spanish).
    views = stored.get("views", 0)
    counted = answered <= views <= answered + 2 * ROUNDS * CONNECTIONS
    print(f"Views stored by the counting server: {views} of {answered} answered")
    if any(r[name]["bad"] for r in rounds for name in names):
        sys.exit("Some requests failed.")
    if min(ratio["counting on"], ratio["Spanish, counting on"]) < TARGET_RATIO or queries:
        sys.exit("The cached page misses its target (see above).")
    if home_kb > HOME_PAGE_MAX_KB:
        sys.exit(f"The home page weighs {home_kb:.1f} KB, over {HOME_PAGE_MAX_KB} KB.")
    if not counted:
        sys.exit("The counting server did not store every view it answered.")


if __name__ == "__main__":
    main()
