"""`make bench`: how fast a cached patient page is served next to a static file.

Starts gunicorn with production settings (see bench_server.py) and BENCH_LOCATIONS
(1,000) fake clinics besides the two real ones, weighs the home page (target: at most
60 KB), warms the page cache,
checks that a warm page hit makes no database query, then runs wrk for a fixed time
against (a) the hashed site.css served by whitenoise and (b) a location's isotretinoin
page in English and in Spanish, and prints requests per second, each page's ratio to the
static file (target: >= 0.9x) and p50/p99 latency. Loopback only; every step is bounded
in time.

Settings through the environment: BENCH_SECONDS (10), BENCH_THREADS (2),
BENCH_CONNECTIONS (50), BENCH_PAGES (space-separated; "/bellevue/isotretinoin/
/es/bellevue/isotretinoina/"), BENCH_LOCATIONS (1000), BENCH_REDIS_URL.
"""

import gzip
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import ROOT, hashed_static_path, production_server

TARGET_RATIO = 0.9
HOME_PAGE_MAX_KB = 60
LOCATIONS = int(os.environ.get("BENCH_LOCATIONS") or "1000")
SECONDS = int(os.environ.get("BENCH_SECONDS") or "10")
THREADS = int(os.environ.get("BENCH_THREADS") or "2")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS") or "50")
PAGES = (
    os.environ.get("BENCH_PAGES") or "/bellevue/isotretinoin/ /es/bellevue/isotretinoina/"
).split()

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


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: run `bash scripts/install-system-packages.sh`.")
    sys.path.insert(0, str(ROOT))
    with production_server(locations=LOCATIONS) as (base, env):
        css = base + hashed_static_path("css/site.css")
        pages = [base + path for path in PAGES]
        with urllib.request.urlopen(base + "/", timeout=10) as response:  # noqa: S310 loopback
            home = response.read()
        home_kb = len(home) / 1024
        print(
            f"\nHome page with {LOCATIONS + 2} active locations: {home_kb:.1f} KB "
            f"({len(gzip.compress(home)) / 1024:.1f} KB gzipped; target <= {HOME_PAGE_MAX_KB} KB)"
        )
        for url in (css, *pages, *pages):  # the second page hits must come from the cache
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 loopback
                assert response.status == 200, url
        queries = sum(warm_hit_queries(env, path) for path in PAGES)
        cache = "Redis" if env["REDIS_URL"] else "database"
        print(f"\nwrk: {SECONDS} s each, {THREADS} threads, {CONNECTIONS} connections")
        print(f"Page cache: {cache}; database queries on warm page hits: {queries}")
        results = {"static site.css": run_wrk(css)}
        for path, url in zip(PAGES, pages, strict=True):
            results[f"page {path}"] = run_wrk(url)

    print(f"\n{'':36} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'requests':>10}")
    for name, r in results.items():
        print(f"{name:36} {r['rps']:>10.0f} {r['p50']:>9.2f} {r['p99']:>9.2f} {r['requests']:>10}")
        if r["bad"] or r["socket_errors"]:
            print(f"  !! {r['bad']} non-2xx responses; socket errors: {r['socket_errors'] or 0}")
    static, *cached = results.values()
    ratios = [page["rps"] / static["rps"] for page in cached]
    for path, ratio in zip(PAGES, ratios, strict=True):
        verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
        print(f"{path} / static ratio: {ratio:.2f} ({verdict} the target of >= {TARGET_RATIO})")
    if any(r["bad"] for r in results.values()):
        sys.exit("Some requests failed.")
    if min(ratios) < TARGET_RATIO or queries:
        sys.exit("The cached page misses its target (see above).")
    if home_kb > HOME_PAGE_MAX_KB:
        sys.exit(f"The home page weighs {home_kb:.1f} KB, over {HOME_PAGE_MAX_KB} KB.")


if __name__ == "__main__":
    main()
