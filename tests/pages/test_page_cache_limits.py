"""What a caller controls cannot grow the page cache or skip it (issue 16, item 11): kept
pages are capped in bytes, keyed without the Host port or the query string, served to
HEAD, and skipped only by signed-in staff, not by any cookie value."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from pages import cache as page_cache
from pages import staff_marker
from tests.factories import make_staff, signed_in


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60
    page_cache.reset()
    yield
    page_cache.reset()


class FakeSite:
    """Stands for the rest of the stack: counts renders; each page is `size` bytes."""

    def __init__(self, size=100, query_params=()):
        self.renders = []
        self.size = size
        self.query_params = query_params

    def __call__(self, request):
        self.renders.append(request.get_full_path())
        response = HttpResponse(b"x" * self.size)
        response["Content-Length"] = str(self.size)
        return page_cache.keep_for_everyone(response, query_params=self.query_params)


def get(middleware, path, method="get", **extra):
    return middleware(getattr(RequestFactory(), method)(path, **extra))


def test_kept_pages_never_add_up_to_more_than_page_cache_max_bytes(db, settings):
    settings.PAGE_CACHE_MAX_BYTES = 3 * (10_000 + page_cache.PAGE_OVERHEAD_BYTES)
    site = FakeSite(size=10_000)
    middleware = page_cache.PageCacheMiddleware(site)
    for path in ["/a/", "/b/", "/c/", "/d/", "/e/"]:
        get(middleware, path)
    assert middleware.bytes <= settings.PAGE_CACHE_MAX_BYTES
    assert len(middleware.pages) == 2  # each also counts its headers: two fit
    get(middleware, "/e/")
    get(middleware, "/a/")  # the least recently used: evicted, rendered again
    assert site.renders == ["/a/", "/b/", "/c/", "/d/", "/e/", "/a/"]


def test_a_page_bigger_than_the_whole_cap_is_served_but_not_kept(db, settings):
    settings.PAGE_CACHE_MAX_BYTES = 5_000
    site = FakeSite(size=10_000)
    middleware = page_cache.PageCacheMiddleware(site)
    assert len(get(middleware, "/big/").content) == 10_000
    get(middleware, "/big/")
    assert site.renders == ["/big/", "/big/"]
    assert middleware.bytes == 0


def test_each_search_spelling_is_rendered_not_kept(db):
    site = FakeSite(query_params=["q"])
    middleware = page_cache.PageCacheMiddleware(site)
    for n in range(50):
        get(middleware, f"/locations/?q=6800{n}")
        get(middleware, f"/locations/?q=6800{n}&utm_source={n}")
    assert len(middleware.pages) == 0
    assert len(site.renders) == 100


def test_without_site_url_every_port_of_a_host_shares_one_kept_page(client, bellevue):
    assert client.get("/bellevue/").status_code == 200
    type(bellevue).objects.filter(pk=bellevue.pk).update(phone="(402) 555-0361")
    for port in (8001, 8002, 65535):
        html = client.get("/bellevue/", HTTP_HOST=f"testserver:{port}").content.decode()
        assert "(402) 555-0361" not in html, port  # the kept page, not a new one


def test_head_is_answered_from_the_kept_page_with_its_headers_and_no_body(db):
    site = FakeSite(size=1234)
    middleware = page_cache.PageCacheMiddleware(site)
    full = get(middleware, "/page/")
    head = get(middleware, "/page/", method="head")
    assert site.renders == ["/page/"]
    assert head.status_code == 200
    assert head.content == b""
    assert dict(head.headers) == dict(full.headers)
    assert head["Content-Length"] == "1234"


def test_head_of_a_real_page_keeps_it_for_the_next_get(client, bellevue):
    assert client.head("/bellevue/isotretinoin/").status_code == 200
    type(bellevue).objects.filter(pk=bellevue.pk).update(phone="(402) 555-0362")
    assert "(402) 555-0362" not in client.get("/bellevue/isotretinoin/").content.decode()


@pytest.mark.parametrize(
    "cookie", ["sessionid", staff_marker.STAFF_COOKIE], ids=["session", "staff-marker"]
)
def test_a_made_up_cookie_does_not_skip_the_kept_page(db, settings, cookie):
    site = FakeSite()
    middleware = page_cache.PageCacheMiddleware(site)
    get(middleware, "/page/")
    for value in ("1", "anything", "1:1tXyZa:forged"):
        get(middleware, "/page/", HTTP_COOKIE=f"{cookie}={value}")
    assert site.renders == ["/page/"]


def test_signed_in_staff_with_the_admins_marker_skip_the_kept_page(client, bellevue, settings):
    client.get("/bellevue/")
    type(bellevue).objects.filter(pk=bellevue.pk).update(phone="(402) 555-0363")
    signed_in(client, make_staff("marked"))
    client.get(f"/{settings.ADMIN_URL}")
    # The browser sends the marker, not the session (its path is the admin's).
    del client.cookies[settings.SESSION_COOKIE_NAME]
    assert "(402) 555-0363" in client.get("/bellevue/").content.decode()
