"""The whole-page cache never shows one visitor's or one location's page to someone else,
and staff edits in the admin reach patients at once."""

import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from location_admin_forms import location_admin_data

from pages import cache as page_cache
from tests.factories import make_superuser, signed_in

PUBLIC_PATHS = ["/", "/bellevue/", "/bellevue/isotretinoin/"]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def staff_client(client, db):
    return signed_in(client, make_superuser("cachestaff"))


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_cached_pages_carry_no_per_visitor_data(client, db, path):
    client.get(path)
    response = client.get(path)
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_page_seen_by_signed_in_staff_shows_patients_nothing_of_theirs(staff_client, path):
    staff_client.get(path)
    staff_client.logout()
    html = staff_client.get(path).content.decode()
    assert "cachestaff" not in html


def test_deactivating_a_location_in_the_admin_takes_its_cached_pages_down(staff_client, gretna):
    assert staff_client.get("/gretna/isotretinoin/").status_code == 200
    assert "/gretna/" in staff_client.get("/").content.decode()

    change_url = f"/{django_settings.ADMIN_URL}pages/location/{gretna.pk}/change/"
    form = location_admin_data(gretna)
    del form["is_active"]  # the box is unticked
    response = staff_client.post(change_url, form)
    assert response.status_code == 302, response.content.decode()[:2000]

    assert staff_client.get("/gretna/isotretinoin/").status_code == 404
    assert "/gretna/" not in staff_client.get("/").content.decode()


def _change_phone_behind_the_caches_back(location, phone):
    # update() sends no signal: only the page cache's own rules decide what is served.
    type(location).objects.filter(pk=location.pk).update(phone=phone)


def _fake_clock(monkeypatch):
    clock = [time.monotonic()]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    page_cache.reset()
    return clock


def test_a_kept_page_is_served_until_the_generation_changes(client, bellevue):
    client.get("/bellevue/")
    _change_phone_behind_the_caches_back(bellevue, "(402) 555-0111")
    assert "(402) 555-0111" not in client.get("/bellevue/").content.decode()

    page_cache.invalidate()
    assert "(402) 555-0111" in client.get("/bellevue/").content.decode()


def test_another_workers_edit_is_seen_once_the_recheck_time_has_passed(
    client, settings, bellevue, monkeypatch
):
    settings.PAGE_CACHE_RECHECK_SECONDS = 5
    clock = _fake_clock(monkeypatch)
    client.get("/bellevue/")
    _change_phone_behind_the_caches_back(bellevue, "(402) 555-0122")
    # Another worker saved the edit: the shared token changed, this process was not told.
    cache.set(page_cache.GENERATION_KEY, "set-by-another-worker", timeout=None)

    clock[0] += 4
    assert "(402) 555-0122" not in client.get("/bellevue/").content.decode()
    clock[0] += 2
    assert "(402) 555-0122" in client.get("/bellevue/").content.decode()


def test_kept_pages_expire_after_page_cache_seconds(client, bellevue, monkeypatch):
    clock = _fake_clock(monkeypatch)
    client.get("/bellevue/")
    _change_phone_behind_the_caches_back(bellevue, "(402) 555-0133")
    clock[0] += 59
    assert "(402) 555-0133" not in client.get("/bellevue/").content.decode()
    clock[0] += 2
    assert "(402) 555-0133" in client.get("/bellevue/").content.decode()


def test_signed_in_staff_always_get_a_fresh_page(staff_client, bellevue):
    staff_client.get(f"/{django_settings.ADMIN_URL}")  # the admin gives the staff marker
    staff_client.get("/bellevue/")
    _change_phone_behind_the_caches_back(bellevue, "(402) 555-0144")
    assert "(402) 555-0144" in staff_client.get("/bellevue/").content.decode()


def test_pages_are_still_served_when_the_cache_is_down(client, db, monkeypatch):
    def cache_down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(cache, "get", cache_down)
    response = client.get("/bellevue/isotretinoin/")
    assert response.status_code == 200
    assert "iPLEDGE" in response.content.decode()


def test_a_kept_page_keeps_its_headers_and_gets_a_fresh_request_id(client, db):
    first = client.get("/bellevue/isotretinoin/")
    second = client.get("/bellevue/isotretinoin/")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["X-Frame-Options"] == "DENY"
    assert second["X-Request-ID"] != first["X-Request-ID"]


def test_staff_can_save_a_location_while_the_cache_is_down(bellevue, monkeypatch):
    def cache_down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(cache, "set", cache_down)
    bellevue.phone = "(402) 555-0155"
    bellevue.save()
    bellevue.refresh_from_db()
    assert bellevue.phone == "(402) 555-0155"
