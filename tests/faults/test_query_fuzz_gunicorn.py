"""Fuzzed query strings against real gunicorn with gthread workers (as production runs it):
never a 5xx, and no worker dies. Under gthread a BaseException escaping the application
(a Rust extension's panic on a full-width ZIP) used to end the worker that served it."""

import http.client
import os
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from benchmarks import loadtest
from consultations.views import CLINIC_SELECT_LIMIT
from tests.consultations.test_consultation_fuzz import QUERY_PAGES, query_value

pytestmark = pytest.mark.process

WORKERS = 2
# What we count a connection closed without an answer as: its worker died.
NO_ANSWER = 599
# gunicorn refuses a request line over 4094 bytes itself (400); stay under it.
MAX_QUERY_BYTES = 3000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn --worker-class gthread, production settings, more clinics than the form's
    drop-down (so /consultation/?q= searches), on a scratch database of the suite's kind."""
    with loadtest.scratch_database(os.environ.get("DATABASE_URL")) as url:
        env = loadtest.site_env(url, PAGE_CACHE_SECONDS="0")
        loadtest.prepare_site(env)
        loadtest.manage(env, "seed_locations", str(CLINIC_SELECT_LIMIT))
        log_dir = tmp_path_factory.mktemp("gunicorn")
        with loadtest.gunicorn(
            env, workers=WORKERS, threads=2, worker_class="gthread", log_dir=log_dir
        ) as running:
            yield running


def status_of(base_url, path, name, value):
    url = f"{base_url}{path}?{name}={quote(value, safe='')}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (ConnectionError, http.client.HTTPException):
        return NO_ANSWER


def fits_a_request_line(value):
    return len(quote(value, safe="")) <= MAX_QUERY_BYTES


def test_fuzzed_queries_never_get_a_5xx_nor_end_a_gthread_worker(server):
    workers = sorted(server.worker_pids())
    assert len(workers) == WORKERS
    answers = []

    @settings(
        max_examples=int(os.environ.get("GUNICORN_FUZZ_EXAMPLES", "80")),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    @given(
        path=st.sampled_from(sorted(QUERY_PAGES)),
        which=st.integers(0, 2),
        value=query_value.filter(fits_a_request_line),
    )
    @example(path="/locations/", which=0, value="６８００５")
    @example(path="/es/clinicas/", which=0, value="٦٨٠٠٥")
    @example(path="/consultation/", which=0, value="６８００５-１２３４")
    @example(path="/es/consulta/", which=0, value="Oma\x00ha")
    @example(path="/locations/", which=1, value="N\x00E")
    def one(path, which, value):
        params = QUERY_PAGES[path]  # the GET parameters that page reads
        status = status_of(server.base_url, path, params[which % len(params)], value)
        answers.append(status)
        assert status < 500, (path, value, status)

    one()

    assert answers
    log = server.log()
    assert sorted(server.worker_pids()) == workers, log[-2000:]
    assert "Worker exiting" not in log
    assert log.count("Booting worker") == WORKERS
    assert "panicked" not in log
