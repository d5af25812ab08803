"""What an edit drops from the page cache, and when: one location's edit redraws only the
pages that show it, after the admin's transaction commits; kept pages are keyed on the
canonical host and the least recently used page makes room."""

import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from pages import cache as page_cache

LOCATION_PAGES = ["/{slug}/", "/{slug}/isotretinoin/"]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60
    page_cache.reset()
    yield
    page_cache.reset()


def behind_the_caches_back(location, **fields):
    # update() sends no signal: only the page cache's own rules decide what is served.
    type(location).objects.filter(pk=location.pk).update(**fields)


def pages_of(location):
    return [path.format(slug=location.slug) for path in LOCATION_PAGES]


def warm(client, paths):
    for path in paths:
        assert client.get(path).status_code == 200
        assert client.get(path).status_code == 200


def fake_clock(monkeypatch):
    clock = [time.monotonic()]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    return clock


# --- Issue 10, item 7: an edit drops only the pages that show the location ---


def test_editing_bellevue_keeps_gretnas_pages_warm_and_redraws_bellevues_and_the_home_page(
    client, bellevue, gretna, django_capture_on_commit_callbacks
):
    warm(client, ["/", *pages_of(bellevue), *pages_of(gretna)])
    behind_the_caches_back(gretna, phone="(402) 555-0301")

    with django_capture_on_commit_callbacks(execute=True):
        bellevue.phone = "(402) 555-0302"
        bellevue.save()

    for path in pages_of(gretna):
        assert "(402) 555-0301" not in client.get(path).content.decode(), path  # still kept
    assert "(402) 555-0302" in client.get("/bellevue/").content.decode()
    home = client.get("/").content.decode()
    assert "(402) 555-0302" in home  # the home page lists every location: redrawn
    assert "(402) 555-0301" in home


def test_a_new_location_redraws_the_pages_that_list_locations_only(client, bellevue, make_location):
    warm(client, ["/", *pages_of(bellevue)])
    behind_the_caches_back(bellevue, phone="(402) 555-0311")
    make_location("Papillion")
    assert "/papillion/" in client.get("/").content.decode()
    assert "(402) 555-0311" not in client.get("/bellevue/").content.decode()


def test_another_workers_edit_reaches_this_worker_within_the_recheck_time_scoped(
    client, settings, bellevue, gretna, monkeypatch
):
    settings.PAGE_CACHE_RECHECK_SECONDS = 5
    clock = fake_clock(monkeypatch)
    warm(client, [*pages_of(bellevue), *pages_of(gretna)])
    behind_the_caches_back(bellevue, phone="(402) 555-0321")
    behind_the_caches_back(gretna, phone="(402) 555-0322")
    # Another worker saved Bellevue: the shared tokens changed, this process was not told.
    told = page_cache._reading
    page_cache.invalidate(page_cache.location_tag(bellevue), page_cache.LISTS_LOCATIONS)
    page_cache._reading = told

    clock[0] += 4
    assert "(402) 555-0321" not in client.get("/bellevue/").content.decode()
    clock[0] += 2
    assert "(402) 555-0321" in client.get("/bellevue/").content.decode()
    assert "(402) 555-0321" in client.get("/bellevue/isotretinoin/").content.decode()
    assert "(402) 555-0322" not in client.get("/gretna/").content.decode()


def test_a_warm_hit_makes_no_cache_call_and_a_recheck_makes_one(
    client, settings, bellevue, monkeypatch
):
    settings.PAGE_CACHE_RECHECK_SECONDS = 5
    clock = fake_clock(monkeypatch)
    warm(client, ["/bellevue/"])
    calls = []
    depth = [0]

    def counted(name, real):
        def call(*args, **kwargs):
            if not depth[0]:  # calls from page_cache, not the backend's own (get_many -> get)
                calls.append(name)
            depth[0] += 1
            try:
                return real(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for name in ("get", "get_many", "set", "add", "set_many"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))

    for _ in range(5):
        assert client.get("/bellevue/").status_code == 200
    assert calls == []
    clock[0] += 6  # past the recheck time, nothing edited: the same one read as before tags
    client.get("/bellevue/")
    assert calls == ["get_many"]


# --- Issue 9, item 13: dropped after commit, not only inside the transaction ---


def test_saving_a_location_drops_its_pages_again_after_the_commit(
    bellevue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bellevue.save()
    assert callbacks, "no page-cache drop is queued for after the commit"


def test_a_page_rendered_between_the_save_and_the_commit_is_not_served_afterwards(
    client, bellevue, django_capture_on_commit_callbacks
):
    warm(client, ["/bellevue/"])
    with django_capture_on_commit_callbacks(execute=True):
        bellevue.phone = "(402) 555-0331"
        bellevue.save()  # signal: pages dropped inside the admin's transaction
        # Another request renders now and still reads the committed row (the old phone):
        behind_the_caches_back(bellevue, phone="(402) 555-0330")
        assert "(402) 555-0330" in client.get("/bellevue/").content.decode()
        # ... then the admin's transaction commits the new phone.
        behind_the_caches_back(bellevue, phone="(402) 555-0331")
    assert "(402) 555-0331" in client.get("/bellevue/").content.decode()


# --- Issue 9, item 14: the canonical host, and LRU eviction ---


def test_with_site_url_every_host_and_port_shares_one_kept_page(client, settings, bellevue):
    settings.SITE_URL = "https://www.example.com"
    settings.ALLOWED_HOSTS = ["www.example.com", "testserver"]
    warm(client, ["/bellevue/"])
    behind_the_caches_back(bellevue, phone="(402) 555-0341")
    for host in ("testserver:8001", "www.example.com:9999", "www.example.com"):
        html = client.get("/bellevue/", HTTP_HOST=host).content.decode()
        assert "(402) 555-0341" not in html, host
        assert 'href="https://www.example.com/bellevue/"' in html


def test_without_site_url_the_default_port_is_the_same_host(client, bellevue):
    warm(client, ["/bellevue/"])
    behind_the_caches_back(bellevue, phone="(402) 555-0351")
    html = client.get("/bellevue/", HTTP_HOST="testserver:80").content.decode()
    assert "(402) 555-0351" not in html
    assert 'href="http://testserver/bellevue/"' in html  # the canonical link agrees


@pytest.mark.parametrize("site_url", ["", "https://www.example.com"])
def test_a_host_outside_allowed_hosts_is_refused_even_when_the_page_is_kept(
    client, settings, bellevue, site_url
):
    settings.SITE_URL = site_url
    warm(client, ["/bellevue/"])
    assert client.get("/bellevue/", HTTP_HOST="evil.example").status_code == 400


class FakeSite:
    """Stands for the rest of the stack: counts renders of each path."""

    def __init__(self, **attributes):
        self.renders = []
        self.attributes = attributes

    def __call__(self, request):
        self.renders.append(request.get_full_path())
        response = HttpResponse(f"render {len(self.renders)}")
        response.same_for_everyone = True
        response.cache_tags = frozenset(self.attributes.get("tags", [page_cache.EVERY_PAGE]))
        response.cache_query_params = tuple(self.attributes.get("query_params", ()))
        return response


def serve(middleware, path):
    return middleware(RequestFactory().get(path)).content.decode()


def test_when_full_the_least_recently_used_page_goes_and_the_rest_stay(db, settings):
    settings.PAGE_CACHE_MAX_PAGES = 2
    site = FakeSite()
    middleware = page_cache.PageCacheMiddleware(site)
    for path in ["/a/", "/b/", "/a/", "/c/"]:  # /a/ used again just before /c/ comes
        serve(middleware, path)
    assert site.renders == ["/a/", "/b/", "/c/"]
    serve(middleware, "/a/")
    serve(middleware, "/c/")
    assert site.renders == ["/a/", "/b/", "/c/"]  # both still kept
    serve(middleware, "/b/")
    assert site.renders == ["/a/", "/b/", "/c/", "/b/"]  # /b/ was the one evicted


def test_many_ports_cannot_empty_the_cache(db, settings):
    settings.PAGE_CACHE_MAX_PAGES = 3
    settings.ALLOWED_HOSTS = ["testserver"]
    site = FakeSite()
    middleware = page_cache.PageCacheMiddleware(site)
    serve(middleware, "/home/")
    for port in range(8000, 8020):
        middleware(RequestFactory().get("/other/", HTTP_HOST=f"testserver:{port}"))
        serve(middleware, "/home/")  # patients keep reading the home page
    assert site.renders.count("/home/") == 1


def test_a_page_that_declares_nothing_is_dropped_by_any_edit(db):
    site = FakeSite()
    middleware = page_cache.PageCacheMiddleware(site)
    serve(middleware, "/untagged/")
    page_cache.invalidate(page_cache.location_tag(12345))
    serve(middleware, "/untagged/")
    assert site.renders == ["/untagged/", "/untagged/"]


def test_a_tagged_page_stays_through_other_locations_edits(db):
    site = FakeSite(tags=[page_cache.location_tag(1)])
    middleware = page_cache.PageCacheMiddleware(site)
    serve(middleware, "/one/")
    page_cache.invalidate(page_cache.location_tag(2))
    serve(middleware, "/one/")
    assert site.renders == ["/one/"]
    page_cache.invalidate(page_cache.location_tag(1))
    serve(middleware, "/one/")
    assert site.renders == ["/one/", "/one/"]


def test_query_strings_are_ignored_unless_the_view_names_its_parameters(db):
    plain = FakeSite()
    middleware = page_cache.PageCacheMiddleware(plain)
    assert serve(middleware, "/page/") == serve(middleware, "/page/?utm_source=mail")
    assert plain.renders == ["/page/"]

    # A named parameter changes the page: such a request is rendered, never kept.
    finder = FakeSite(tags=[page_cache.LISTS_LOCATIONS], query_params=["q"])
    middleware = page_cache.PageCacheMiddleware(finder)
    serve(middleware, "/locations/?q=68005")
    serve(middleware, "/locations/?q=68005")
    serve(middleware, "/locations/")
    serve(middleware, "/locations/?utm_source=x")  # the kept page without a search
    serve(middleware, "/locations/?q=68005")
    assert finder.renders == ["/locations/?q=68005"] * 2 + ["/locations/", "/locations/?q=68005"]


def test_a_page_that_raced_with_an_edit_is_served_but_not_kept(db, monkeypatch):
    site = FakeSite(tags=[page_cache.location_tag(1)])

    def render_while_staff_save(request):
        response = site(request)
        page_cache.invalidate(page_cache.location_tag(1))  # committed mid-render
        return response

    middleware = page_cache.PageCacheMiddleware(render_while_staff_save)
    serve(middleware, "/one/")
    middleware.get_response = site
    serve(middleware, "/one/")
    assert site.renders == ["/one/", "/one/"]  # the raced copy was not kept
    serve(middleware, "/one/")
    assert site.renders == ["/one/", "/one/"]
