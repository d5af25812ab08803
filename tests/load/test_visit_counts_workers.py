"""Visit counts with two gunicorn workers (production settings, a database of the suite's
kind): every patient's view is counted exactly once whichever worker served it, kept pages
included, and a browser reloading a page counts once whichever workers served it; robots,
HEAD and missing pages are not; counts reach the database every few
seconds while the workers run (so a killed worker loses only those), and the rest when
they stop. Counting sets no cookie."""

import http.client
import json
import os
import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from benchmarks import loadtest

pytestmark = pytest.mark.process  # gunicorn

BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
ROBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

_READ_COUNTS = """
import json
from pages.models import DailyPageViews

rows = DailyPageViews.objects.values_list("location__slug", "kind", "count")
print(json.dumps(sorted(rows, key=lambda row: (row[0] or "", row[1]))))
"""


def stored_counts(env):
    """{(slug or None, kind): count}, read through the site's models in another process."""
    rows = json.loads(loadtest.manage(env, "shell", "-c", _READ_COUNTS).strip().splitlines()[-1])
    return {(slug, kind): count for slug, kind, count in rows}


def fetch(base_url, method, path, user_agent, address):
    """`address`: the patient's, as our proxy (the loopback) forwards it."""
    url = urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        headers = {"User-Agent": user_agent, "X-Forwarded-For": address}
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, response.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()


def send_all(base_url, requests, start=0):
    """Send (method, path, user agent[, address]) requests, four at a time, each from its
    own patient's address unless given; their answers in order."""
    addressed = [
        (*r, f"198.51.{(start + n) // 250}.{(start + n) % 250 + 1}") if len(r) == 3 else r
        for n, r in enumerate(requests)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda r: fetch(base_url, *r), addressed))


def wait_for_counts(env, expected, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        counts = stored_counts(env)
        if counts == expected or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)


def test_two_workers_count_each_patient_view_once(scratch_database_url, tmp_path):
    env = loadtest.site_env(scratch_database_url, VISIT_FLUSH_SECONDS="1", VISIT_COUNTS="on")
    loadtest.prepare_site(env)
    patients = (
        [("GET", "/bellevue/isotretinoin/", BROWSER)] * 60
        + [("GET", "/gretna/", BROWSER)] * 20
        + [("GET", "/bellevue/consultation/", BROWSER)] * 15
        + [("GET", "/consultation/thanks/", BROWSER)] * 5
    )
    not_counted = (
        [("GET", "/bellevue/isotretinoin/", ROBOT)] * 30
        + [("GET", "/gretna/", "curl/8.5.0")] * 10
        + [("HEAD", "/bellevue/isotretinoin/", BROWSER)] * 10
        + [("GET", "/nowhere/isotretinoin/", BROWSER)] * 10
    )
    # One patient reloading the treatment page: counted once, whichever worker answers.
    reloads = [("GET", "/bellevue/isotretinoin/", BROWSER, "203.0.113.250")] * 30
    # Mixed, so both workers see every kind of request.
    requests = patients + not_counted + reloads
    random.Random(11).shuffle(requests)
    expected = {
        ("bellevue", "treatment"): 61,
        ("gretna", "overview"): 20,
        ("bellevue", "form"): 15,
        (None, "thanks"): 5,
    }

    # Sync workers serve one request at a time each: with four clients both are busy.
    with loadtest.gunicorn(
        env, workers=2, threads=1, worker_class="sync", log_dir=tmp_path
    ) as server:
        answers = send_all(server.base_url, requests)
        # Saved by the workers' own threads while they keep running.
        assert wait_for_counts(env, expected) == expected

        # A worker killed now loses nothing already saved; the others' counts still add up.
        os.kill(min(server.worker_pids()), signal.SIGKILL)
        more = send_all(
            server.base_url, [("GET", "/bellevue/isotretinoin/", BROWSER)] * 20, start=1000
        )
        log = server.log()
    # gunicorn stopped its workers gracefully: each saved what it had left on the way out.
    expected[("bellevue", "treatment")] += 20
    assert stored_counts(env) == expected

    statuses = {
        (method, path, agent): status
        for (method, path, agent, *_), (status, _) in zip(requests, answers, strict=True)
    }
    assert statuses[("GET", "/nowhere/isotretinoin/", BROWSER)] == 404
    assert {status for status, _ in more} == {200}
    assert set(statuses.values()) == {200, 404}
    # No cookie from counting: patient pages set none, the form only its CSRF cookie.
    for (_method, path, *_), (_status, cookies) in zip(requests, answers, strict=True):
        names = {cookie.split("=", 1)[0] for cookie in cookies}
        assert names == ({"csrftoken"} if path.endswith("/consultation/") else set()), path
    assert "Traceback" not in log
    assert "Visit counts not saved" not in log
