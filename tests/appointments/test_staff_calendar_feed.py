"""The staff calendar feed per clinic (issue 20): a private URL with a long token stored
as a hash, shown once in the admin; rotating it kills the old URL; an iCalendar feed of
the next 60 days as "Online booking", no names or reasons; guessing is rate limited."""

import re

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from appointments import services, staff_feed
from appointments.models import CalendarFeed, hash_token
from tests.appointments.booking_helpers import at, details, key

pytestmark = pytest.mark.django_db
ZONE = "America/Chicago"
MARKER = "ZZ-MARKER-9090 private words"


@pytest.fixture
def booked(make_type, monkeypatch):
    kind = make_type(notice=0)
    now = timezone.now()
    when = (now + timezone.timedelta(days=3)).astimezone(kind.location.zone)
    start = at(ZONE, when.year, when.month, when.day, 10)
    # A weekday window only: take the next Monday-Friday day three or more days away.
    while start.weekday() >= 5:
        start += timezone.timedelta(days=1)
    booking, _token = services.book(
        kind,
        start,
        details(topic="isotretinoin", message=MARKER, first_name="Zelda", interpreter_needed=True),
        key(),
    )
    return booking


@pytest.fixture
def admin(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-123456789")
    client.force_login(user)
    return user


def test_the_feed_lists_bookings_as_online_booking_without_patient_details(client, booked, admin):
    token = staff_feed.create_link(booked.location, admin)
    response = client.get(staff_feed.feed_path(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded
    cal = icalendar.Calendar.from_ical(raw)
    assert "Lincoln" in str(cal["X-WR-CALNAME"])
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Online booking"
    assert event.decoded("DTSTART") == booked.starts_at
    assert f"/appointments/booking/{booked.pk}/change/" in str(event["URL"])
    text = raw.decode().replace("\r\n ", "").lower()  # unfolded: a word may span lines
    for word in (
        "isotretinoin",
        "zz-marker-9090",
        "zelda",
        "booker",
        "ana@example.net",
        "interpret",
        "intérprete",
    ):
        assert word not in text


def test_the_token_is_stored_only_as_a_hash_and_rotation_kills_the_old_url(client, booked, admin):
    old = staff_feed.create_link(booked.location, admin)
    new = staff_feed.create_link(booked.location, admin)
    feed = CalendarFeed.objects.get()
    assert feed.token_hash == hash_token(new) and old not in feed.token_hash
    assert len(new) >= 40
    assert client.get(staff_feed.feed_path(old)).status_code == 404
    assert client.get(staff_feed.feed_path(new)).status_code == 200


def test_cancelled_and_far_away_bookings_are_not_in_the_feed(client, booked, admin):
    token = staff_feed.create_link(booked.location, admin)
    services.cancel(booked, user=admin)
    cal = icalendar.Calendar.from_ical(client.get(staff_feed.feed_path(token)).content)
    assert cal.walk("VEVENT") == []


def test_the_admin_shows_the_new_link_once(client, booked, admin):
    page = client.get("/admin/appointments/calendarfeed/new/")
    assert page.status_code == 200
    response = client.post(
        "/admin/appointments/calendarfeed/new/", {"location": booked.location.pk}
    )
    url = re.search(r'value="(http[^"]+\.ics)"', response.content.decode())[1]
    assert client.get(url.split("testserver", 1)[1]).status_code == 200
    listing = client.get("/admin/appointments/calendarfeed/").content.decode()
    assert url not in listing and "Create calendar feed link" in listing


@override_settings(BOOKING_FEED_RATE_LIMIT="3/h")
def test_guessing_tokens_runs_into_the_rate_limit(client, db):
    codes = [client.get(staff_feed.feed_path(f"guess-{n}")).status_code for n in range(5)]
    assert codes == [404, 404, 404, 429, 429]
