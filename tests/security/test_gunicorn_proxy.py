"""gunicorn as production runs it (gunicorn.conf.py, production settings): TRUSTED_PROXIES
alone decides which callers may say a request came over https, and HEAD answers make
gunicorn log nothing."""

import http.client
from urllib.parse import urlsplit

import pytest

from benchmarks import loadtest

pytestmark = pytest.mark.process  # gunicorn

PATH = "/bellevue/isotretinoin/"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"


def ask(base_url, method, path, **headers):
    url = urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, headers={"User-Agent": BROWSER, **headers})
        response = conn.getresponse()
        return response.status, response.getheader("Location"), response.read()
    finally:
        conn.close()


@pytest.fixture
def start(tmp_path):
    """Start gunicorn with `env` overrides over a fresh SQLite database; answers redirect
    to https as in production."""

    def start(**overrides):
        env = loadtest.site_env(
            f"sqlite:///{tmp_path / 'site.sqlite3'}", SECURE_SSL_REDIRECT="true", **overrides
        )
        loadtest.prepare_site(env)
        return loadtest.gunicorn(env, workers=1, threads=1, worker_class="sync", log_dir=tmp_path)

    return start


@pytest.mark.parametrize(
    "claim", [{"X-Forwarded-Proto": "https"}, {"X-Forwarded-Ssl": "on"}], ids=["proto", "ssl"]
)
def test_a_loopback_caller_outside_trusted_proxies_cannot_skip_the_https_redirect(start, claim):
    with start(TRUSTED_PROXIES="10.0.0.0/8") as server:
        status, location, _ = ask(server.base_url, "GET", PATH, **claim)
    assert status == 301
    assert location.startswith("https://")


def test_the_trusted_proxys_https_header_is_still_believed_and_head_logs_nothing(start):
    with start(TRUSTED_PROXIES="127.0.0.0/8") as server:
        assert ask(server.base_url, "GET", PATH)[0] == 301  # plain http: redirected
        status, _, body = ask(server.base_url, "GET", PATH, **{"X-Forwarded-Proto": "https"})
        assert status == 200
        assert b"iPLEDGE" in body
        # HEAD, kept page or not: headers only, and no warning in the log for each.
        for _ in range(3):
            status, _, body = ask(server.base_url, "HEAD", PATH, **{"X-Forwarded-Proto": "https"})
            assert (status, body) == (200, b"")
        log = server.log()
    assert "WARNING" not in log, log
    assert "Traceback" not in log, log
