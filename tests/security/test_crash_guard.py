"""The last-resort guard (modsite/crash.py, modsite.wsgi): a BaseException that is not an
Exception, such as the PanicException a Rust extension raises, never leaves the WSGI
application. The patient gets the site's own 500 page, in their language, with every
security header a normal page has; the log says what and where, never the query string.
These drive the real WSGI application as gunicorn calls it."""

import pytest
import zipcodes
from django.test import RequestFactory

import modsite.wsgi
from modsite.crash import HEADER_MIDDLEWARE, GuardedWSGIHandler
from pages import cache, finder

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = [
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
    "X-Request-ID",
]
PRIVATE_QUERY = {"q": "Zelda Quintero 68005"}


def real_panic():
    """The exception the zipcodes extension really raises when it panics."""
    try:
        zipcodes.matching("\uff16\uff18\uff10\uff10\uff15")
    except BaseException as panic:
        return panic
    raise AssertionError("zipcodes no longer panics on full-width digits")


@pytest.fixture
def panic():
    error = real_panic()
    assert not isinstance(error, Exception)
    return error


def call_wsgi(path, query=None):
    """(status, headers, body) from a fresh GuardedWSGIHandler, as gunicorn would call it.
    The response is not closed: that would close the test's database connection."""
    environ = RequestFactory().get(path, query or {}, secure=True).environ
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=dict(headers))

    response = GuardedWSGIHandler()(environ, start_response)
    body = b"".join(response).decode()
    return started["status"], started["headers"], body


def raise_in_finder(monkeypatch, error):
    def crash(*args, **kwargs):
        raise error

    monkeypatch.setattr(finder, "search", crash)


def test_the_site_runs_behind_the_guard():
    assert isinstance(modsite.wsgi.application, GuardedWSGIHandler)


def test_the_guard_sets_headers_with_the_sites_own_middleware(settings):
    assert set(HEADER_MIDDLEWARE) <= set(settings.MIDDLEWARE)
    order = [name for name in settings.MIDDLEWARE if name in HEADER_MIDDLEWARE]
    assert order == HEADER_MIDDLEWARE


def test_a_panic_in_a_view_is_the_sites_500_page_with_every_security_header(
    production_settings, monkeypatch, panic
):
    _status, normal, _body = call_wsgi("/bellevue/")
    raise_in_finder(monkeypatch, panic)

    status, headers, body = call_wsgi("/locations/", PRIVATE_QUERY)

    assert status.startswith("500")
    assert "Sorry, something went wrong" in body
    for name in SECURITY_HEADERS:
        assert headers.get(name) == normal.get(name) or name == "X-Request-ID", name
        assert headers.get(name), name


def test_the_500_page_after_a_panic_follows_the_language_of_the_address(
    production_settings, monkeypatch, panic
):
    raise_in_finder(monkeypatch, panic)

    status, _headers, body = call_wsgi("/es/clinicas/", PRIVATE_QUERY)

    assert status.startswith("500")
    assert "Lo sentimos, algo salió mal" in body


def test_a_panic_is_logged_by_type_and_place_without_the_query(
    production_settings, monkeypatch, panic, log_lines
):
    raise_in_finder(monkeypatch, panic)

    _status, headers, _body = call_wsgi("/locations/", PRIVATE_QUERY)

    raw, lines = log_lines()
    [line] = [line for line in lines if line["logger"] == "modsite.crash"]
    assert line["level"] == "ERROR"
    assert line["path"] == "/locations/"
    assert line["status"] == 500
    assert line["request_id"] == headers["X-Request-ID"]
    assert "PanicException" in line["message"]
    assert "zipcodes/__init__.py" in line["message"]  # where it was raised
    for private in ("Zelda", "Quintero", "68005", "?q", "char boundary"):
        assert private not in raw


def test_a_panic_in_a_middleware_is_the_500_page_with_the_security_headers(
    production_settings, monkeypatch, panic
):
    def crash(self, request):
        raise panic

    monkeypatch.setattr(cache.PageCacheMiddleware, "__call__", crash)

    status, headers, body = call_wsgi("/bellevue/")

    assert status.startswith("500")
    assert "Sorry, something went wrong" in body
    for name in SECURITY_HEADERS:
        assert headers.get(name), name


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_the_ways_python_stops_a_worker_still_stop_it(monkeypatch, stop):
    raise_in_finder(monkeypatch, stop())

    with pytest.raises(stop):
        call_wsgi("/locations/", PRIVATE_QUERY)
