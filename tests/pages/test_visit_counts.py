"""Visit counts: each patient's browser is counted once per page per day (kept pages
too), robots, staff, HEAD and failed answers are not, nothing about the visitor is kept,
and counting sets no cookie."""

import datetime
import os
import subprocess
import sys
import threading
import time
import zoneinfo
from pathlib import Path

import pytest
from django.core import signing
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client, RequestFactory
from django.utils import timezone

from pages import visits
from pages.models import DailyPageViews
from tests.factories import make_staff, signed_in
from tests.form_client import FormClient

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
ROBOTS = [
    "",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Go-http-client/1.1",
    "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
    "+https://openai.com/gptbot)",
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/125.0.6422.175 Mobile Safari/537.36 (compatible; "
    "Google-InspectionTool/1.0;)",
]
PEOPLE = [
    BROWSER,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
    "Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
]


@pytest.fixture(autouse=True)
def _counting(settings):
    settings.VISIT_COUNTS = True
    settings.PAGE_CACHE_SECONDS = 60  # as in production: repeat views come from memory
    visits.counts.take()  # nothing left over from other tests
    visits.counts.forget_visitors()  # the cache, which holds the day's salt, was cleared
    yield
    visits.counts.take()


@pytest.fixture
def patient(db):
    return FormClient(HTTP_USER_AGENT=BROWSER)


def browser(n, user_agent=BROWSER):
    """The headers of the n-th patient's browser, with its own address (each browser counts
    once per page and day). One test client for all: each client has its own page cache."""
    return {"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": f"198.51.100.{n}"}


def saved():
    """Flush, then every stored row as {(location_id, kind): count} for today."""
    visits.flush()
    today = timezone.localdate()
    return {
        (row.location_id, row.kind): row.count for row in DailyPageViews.objects.filter(day=today)
    }


def test_each_view_of_a_location_page_is_counted_kept_pages_included(patient, bellevue, gretna):
    for n in range(3):
        assert patient.get("/bellevue/isotretinoin/", **browser(n)).status_code == 200
    patient.get("/bellevue/")
    patient.get("/gretna/isotretinoin/")

    assert saved() == {
        (bellevue.pk, "treatment"): 3,
        (bellevue.pk, "overview"): 1,
        (gretna.pk, "treatment"): 1,
    }


def test_counts_of_several_flushes_add_up(patient, bellevue):
    patient.get("/bellevue/isotretinoin/")
    assert saved() == {(bellevue.pk, "treatment"): 1}
    patient.get("/bellevue/isotretinoin/", **browser(1))
    patient.get("/bellevue/isotretinoin/", **browser(2))
    assert saved() == {(bellevue.pk, "treatment"): 3}
    assert DailyPageViews.objects.count() == 1


def test_a_kept_page_is_counted_though_its_view_does_not_run(patient, bellevue, monkeypatch):
    patient.get("/bellevue/isotretinoin/")
    # From here on the view would fail: only the page cache can answer.
    monkeypatch.setattr("pages.views.IsotretinoinView.get", lambda *a, **k: 1 / 0)
    assert patient.get("/bellevue/isotretinoin/", **browser(1)).status_code == 200
    assert saved() == {(bellevue.pk, "treatment"): 2}


def test_counting_a_kept_page_adds_no_database_query(patient, bellevue, django_assert_num_queries):
    patient.get("/bellevue/isotretinoin/")
    with django_assert_num_queries(0):
        assert patient.get("/bellevue/isotretinoin/", **browser(1)).status_code == 200
        assert patient.get("/bellevue/isotretinoin/").status_code == 200  # a repeat
    assert len(visits.counts.unchecked) == 2  # counted, in memory
    assert saved() == {(bellevue.pk, "treatment"): 2}


def test_the_form_is_counted_when_shown_not_when_sent(patient, bellevue):
    patient.get("/bellevue/consultation/")
    patient.get("/consultation/")
    # A sent form that comes back with errors (200) is not a view of the form.
    sent = patient.post(
        "/bellevue/consultation/",
        "first_name=",
        content_type="application/x-www-form-urlencoded",
    )
    assert sent.status_code == 200
    patient.get("/consultation/thanks/")

    assert saved() == {(bellevue.pk, "form"): 1, (None, "form"): 1, (None, "thanks"): 1}


@pytest.mark.parametrize("user_agent", ROBOTS)
def test_robots_are_not_counted(db, bellevue, user_agent):
    robot = Client(HTTP_USER_AGENT=user_agent) if user_agent else Client()
    robot.get("/bellevue/isotretinoin/")
    robot.get("/bellevue/isotretinoin/")
    robot.get("/bellevue/consultation/")
    assert saved() == {}


@pytest.mark.parametrize("user_agent", PEOPLE)
def test_peoples_browsers_are_counted(db, bellevue, user_agent):
    Client(HTTP_USER_AGENT=user_agent).get("/bellevue/isotretinoin/")
    assert saved() == {(bellevue.pk, "treatment"): 1}


def test_head_redirects_and_missing_pages_are_not_counted(patient, bellevue):
    assert patient.head("/bellevue/isotretinoin/").status_code == 200
    assert patient.get("/bellevue/isotretinoin").status_code == 301
    assert patient.get("/nowhere/isotretinoin/").status_code == 404
    bellevue.is_active = False
    bellevue.save()
    assert patient.get("/bellevue/isotretinoin/").status_code == 404
    assert saved() == {}


def test_signed_in_staff_are_not_counted_on_patient_pages(patient, bellevue, settings):
    signed_in(patient, make_staff("reader"))
    admin = patient.get(f"/{settings.ADMIN_URL}")
    assert admin.status_code == 200
    marker = admin.cookies[visits.STAFF_COOKIE]
    assert marker.value.startswith("1:")  # "1", a date and a signature: no identifier
    assert marker["path"] == "/"
    assert marker["httponly"]
    assert marker["max-age"] == settings.SESSION_COOKIE_AGE

    # The browser sends the marker, not the session cookie (limited to the admin path).
    del patient.cookies[settings.SESSION_COOKIE_NAME]
    patient.get("/bellevue/isotretinoin/")
    patient.get("/bellevue/consultation/")
    assert saved() == {}


def test_staff_are_counted_again_once_signed_out(patient, bellevue, settings):
    signed_in(patient, make_staff("reader"))
    patient.get(f"/{settings.ADMIN_URL}")
    signed_out = patient.post(f"/{settings.ADMIN_URL}logout/")
    marker = signed_out.cookies[visits.STAFF_COOKIE]
    assert (marker.value, marker["max-age"], marker["path"]) == ("", 0, "/")

    # The browser drops the cookies the answer expired (the test client does not).
    for name, cookie in list(patient.cookies.items()):
        if cookie["max-age"] == 0:
            del patient.cookies[name]
    patient.get("/bellevue/isotretinoin/")
    assert saved() == {(bellevue.pk, "treatment"): 1}


@pytest.mark.parametrize("value", ["1", "anything", "1:1tXyZa:forged-signature"])
def test_a_made_up_staff_marker_or_session_cookie_does_not_stop_counting(
    db, bellevue, settings, value
):
    for n, cookie in enumerate([visits.STAFF_COOKIE, settings.SESSION_COOKIE_NAME]):
        browser = FormClient(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"198.51.100.{n + 1}")
        browser.cookies[cookie] = value
        browser.get("/bellevue/isotretinoin/")
    assert saved() == {(bellevue.pk, "treatment"): 2}


def test_an_expired_staff_marker_does_not_stop_counting(patient, bellevue, settings, monkeypatch):
    signed_in(patient, make_staff("reader"))
    patient.get(f"/{settings.ADMIN_URL}")
    del patient.cookies[settings.SESSION_COOKIE_NAME]
    # Later than the session's idle time, without the admin renewing the marker.
    later = time.time() + settings.SESSION_COOKIE_AGE + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    patient.get("/bellevue/isotretinoin/")
    assert saved() == {(bellevue.pk, "treatment"): 1}


def test_patients_get_no_staff_marker(patient, bellevue, settings):
    response = patient.get(f"/{settings.ADMIN_URL}login/")
    assert visits.STAFF_COOKIE not in response.cookies


@pytest.mark.parametrize(
    "path", ["/", "/bellevue/", "/bellevue/isotretinoin/", "/consultation/thanks/"]
)
def test_counted_pages_set_no_cookie(patient, bellevue, path):
    first, kept = patient.get(path), patient.get(path)
    assert first.status_code == kept.status_code == 200
    assert not first.cookies
    assert not kept.cookies
    assert "Set-Cookie" not in first.headers


@pytest.mark.parametrize("path", ["/consultation/", "/bellevue/consultation/"])
def test_the_form_sets_only_its_csrf_cookie(patient, bellevue, settings, path):
    response = patient.get(path)
    assert response.status_code == 200
    assert set(response.cookies) == {settings.CSRF_COOKIE_NAME}
    assert saved()  # and it was counted


def test_only_day_location_kind_and_count_are_stored(patient, bellevue):
    patient.get("/bellevue/isotretinoin/")
    saved()
    fields = {field.name for field in DailyPageViews._meta.concrete_fields}
    assert fields == {"id", "day", "location", "kind", "count"}


def test_counting_can_be_turned_off(patient, bellevue, settings):
    settings.VISIT_COUNTS = False
    patient.get("/bellevue/isotretinoin/")
    patient.get("/bellevue/isotretinoin/")
    assert saved() == {}


def test_counts_wait_in_memory_while_the_database_is_down(patient, bellevue, monkeypatch):
    patient.get("/bellevue/isotretinoin/")
    patient.get("/bellevue/isotretinoin/", **browser(1))

    def down(batch):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(visits, "store", down)
        assert visits.flush() == 0
    patient.get("/bellevue/isotretinoin/", **browser(2))
    assert saved() == {(bellevue.pk, "treatment"): 3}


def test_a_view_is_counted_on_the_local_date(monkeypatch, settings):
    settings.TIME_ZONE = "America/Chicago"
    # 05:30 UTC on 8 March is still 7 March in Chicago.
    instant = datetime.datetime(2026, 3, 8, 5, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(visits.timezone, "now", lambda: instant)
    monkeypatch.setattr(visits.time, "time", instant.timestamp)
    counts = visits.Counts()
    assert counts.today() == datetime.date(2026, 3, 7)
    # At local midnight the next day starts.
    midnight = datetime.datetime(2026, 3, 8, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))
    monkeypatch.setattr(visits.timezone, "now", lambda: midnight)
    monkeypatch.setattr(visits.time, "time", midnight.timestamp)
    assert counts.today() == datetime.date(2026, 3, 8)


# --- totals() ----------------------------------------------------------------------------


def seed(location, kind, day, count):
    DailyPageViews.objects.create(location=location, kind=kind, day=day, count=count)


def test_totals_add_up_the_days_asked_for_both_ends_included(bellevue, gretna):
    day = datetime.date(2026, 5, 10)
    for offset, count in [(-1, 1000), (0, 1), (1, 20), (2, 300), (3, 4000)]:
        seed(bellevue, "treatment", day + datetime.timedelta(days=offset), count)
    seed(bellevue, "form", day, 7)
    seed(gretna, "treatment", day, 50)
    seed(None, "thanks", day, 9)

    end = day + datetime.timedelta(days=2)
    assert visits.totals([bellevue.pk], day, end) == {
        (bellevue.pk, "treatment"): 321,
        (bellevue.pk, "form"): 7,
    }
    assert visits.totals([bellevue.pk, gretna.pk, None], day, day) == {
        (bellevue.pk, "treatment"): 1,
        (bellevue.pk, "form"): 7,
        (gretna.pk, "treatment"): 50,
        (None, "thanks"): 9,
    }
    assert visits.totals([], day, end) == {}
    assert visits.totals([gretna.pk], end, day) == {}


def test_totals_take_one_query_however_many_locations(make_location, django_assert_num_queries):
    day = datetime.date(2026, 5, 10)
    locations = [make_location(f"Town {n}") for n in range(40)]
    for location in locations:
        seed(location, "treatment", day, 2)
        seed(location, "overview", day, 1)
    ids = [location.pk for location in locations]

    with django_assert_num_queries(1):
        few = visits.totals(ids[:1], day, day)
    with django_assert_num_queries(1):
        many = visits.totals([*ids, None], day, day)
    with django_assert_num_queries(1):
        by_queryset = visits.totals(type(locations[0]).objects.all(), day, day)
    assert few == {(ids[0], "treatment"): 2, (ids[0], "overview"): 1}
    assert len(many) == 80
    assert by_queryset == many


@pytest.mark.process
@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [("VISIT_COUNTS", "maybe", "true or false"), ("VISIT_FLUSH_SECONDS", "0", "1 or more")],
)
def test_a_mistyped_visit_counts_setting_stops_the_site_from_starting(name, value, expected):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "modsite.settings.test", name: value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert name in result.stderr
    assert expected in result.stderr


def test_counts_for_a_location_deleted_before_the_flush_do_not_hold_up_the_others(
    patient, bellevue, make_location
):
    omaha = make_location("Omaha")
    patient.get("/omaha/isotretinoin/")
    patient.get("/bellevue/isotretinoin/")
    omaha.delete()
    assert visits.flush() == 1
    assert saved() == {(bellevue.pk, "treatment"): 1}
    assert visits.counts.pending == {}


def test_a_stopping_worker_waits_for_a_flush_already_under_way(monkeypatch, settings, bellevue):
    """The flush thread takes the counts, then stores them: a worker stopping in between
    must not exit before the store is done (gunicorn stopping a worker lost 20 views so)."""
    settings.VISIT_FLUSH_AUTOMATICALLY = True
    settings.VISIT_FLUSH_SECONDS = 0.01
    storing, stored = threading.Event(), []

    def slow_store(batch):
        storing.set()
        time.sleep(0.3)
        stored.append(sum(batch.values()))
        return stored[-1]

    monkeypatch.setattr(visits, "store", slow_store)
    monkeypatch.setattr(visits, "counts", visits.Counts())
    visits.counts.add(bellevue.pk, "treatment")
    assert storing.wait(5)
    visits._flush_at_exit()
    assert stored == [1]


# --- Once per browser, page and day (issue 16, item 12) ------------------------------------


def test_one_browser_reloading_a_page_is_counted_once(patient, bellevue):
    for _ in range(40):
        assert patient.get("/bellevue/isotretinoin/").status_code == 200
        patient.get("/es/bellevue/isotretinoina/")  # the same page in Spanish
    patient.get("/bellevue/")
    assert saved() == {(bellevue.pk, "treatment"): 1, (bellevue.pk, "overview"): 1}
    patient.get("/bellevue/isotretinoin/")  # after a flush too
    assert saved() == {(bellevue.pk, "treatment"): 1, (bellevue.pk, "overview"): 1}


def test_browsers_differing_in_address_or_user_agent_count_apart(patient, bellevue):
    patient.get("/bellevue/isotretinoin/", **browser(1))
    patient.get("/bellevue/isotretinoin/", **browser(2))
    patient.get("/bellevue/isotretinoin/", **browser(1, user_agent=PEOPLE[1]))
    assert saved() == {(bellevue.pk, "treatment"): 3}


def test_patients_behind_our_proxy_are_told_apart_by_their_forwarded_address(db, bellevue):
    # Loopback is a trusted proxy by default: X-Forwarded-For names the patient.
    for address in ("203.0.113.7", "203.0.113.8", "203.0.113.7"):
        FormClient(HTTP_USER_AGENT=BROWSER, HTTP_X_FORWARDED_FOR=address).get("/bellevue/")
    assert saved() == {(bellevue.pk, "overview"): 2}


def test_another_worker_does_not_count_the_same_browser_again(patient, bellevue):
    patient.get("/bellevue/isotretinoin/")
    assert saved() == {(bellevue.pk, "treatment"): 1}
    # A second worker: its own memory, the same shared cache (and so the same salt).
    other = visits.Counts()
    request = RequestFactory().get("/bellevue/isotretinoin/", HTTP_USER_AGENT=BROWSER)
    visitor = other.visitor(request, bellevue.pk, "treatment")
    assert visitor == visits.counts.visitor(request, bellevue.pk, "treatment")
    other.add(bellevue.pk, "treatment", visitor=visitor)
    assert other.take() == {}


def test_the_same_browser_counts_again_the_next_day_with_a_new_salt(patient, bellevue):
    patient.get("/bellevue/isotretinoin/")
    saved()
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    today = visits.counts.visitor(request, bellevue.pk, "treatment")
    # Midnight: the day's salt is gone from memory and from the cache with the day.
    visits.counts._day = (visits.counts.today(), 0.0)
    visits.counts._salt = (None, b"", 0.0)
    cache.delete(visits.SALT_KEY_PREFIX + visits.counts.today().isoformat())
    assert visits.counts.visitor(request, bellevue.pk, "treatment") != today


def test_the_salt_is_random_shared_through_the_cache_and_expires(patient, bellevue, monkeypatch):
    timeouts = {}
    real_add = cache.add

    def add(key, value, timeout=None, **kwargs):
        timeouts[key] = timeout
        return real_add(key, value, timeout=timeout, **kwargs)

    monkeypatch.setattr(cache, "add", add)
    patient.get("/bellevue/isotretinoin/")
    saved()
    key = visits.SALT_KEY_PREFIX + timezone.localdate().isoformat()
    assert len(cache.get(key)) == 64  # 32 random bytes, hex
    assert 0 < timeouts[key] <= 24 * 3600 + 3600  # gone by the end of the day
    for stored in timeouts:
        assert "198.51" not in stored and "127.0.0.1" not in stored and "Mozilla" not in stored


def test_views_are_counted_when_the_cache_does_not_answer(patient, bellevue, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(cache, "add", down)
    monkeypatch.setattr(cache, "get", down)
    for n in (1, 2):
        assert patient.get("/bellevue/isotretinoin/", **browser(n)).status_code == 200
    assert saved() == {(bellevue.pk, "treatment"): 2}
