"""The public free-slot feed (SMART Scheduling Links): a manifest at /$bulk-publish, the
same free times as the booking page, no patient data, kept in the cache until bookings
or hours change, with ETag and 304."""

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from appointments import services, slots
from appointments.models import BookingBlock
from tests.appointments.booking_helpers import details, key
from tests.appointments.test_fhir_export import r4_schema, validate  # noqa: F401

pytestmark = pytest.mark.django_db
SITE = "https://clinic.example"
DEEP_LINK = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"
MARKER = "MARKER-MESSAGE-8812"


@pytest.fixture
def kind(make_type, settings):
    settings.SITE_URL = SITE
    return make_type(week="Mon-Sun 09:00-12:00", notice_hours=1, horizon_days=6)


def lines(response):
    return [json.loads(line) for line in response.content.decode().splitlines()]


def get_slots(client, slug="lincoln"):
    response = client.get(f"/slot-feed/slots-{slug}.ndjson")
    assert response.status_code == 200
    return lines(response)


def page_times(client, kind):
    """Every time the booking page offers, day by day over the bookable days."""
    first, last = slots.bookable_days(kind, timezone.now())
    offered = set()
    day = first
    while day <= last:
        page = client.get(f"/lincoln/book/?type={kind.pk}&week={day}&day={day}")
        offered |= set(re.findall(r'name="start" value="([^"]+)"', page.content.decode()))
        day += datetime.timedelta(days=1)
    return offered


def test_the_manifest_lists_location_schedule_and_slot_files_on_the_site_address(client, kind):
    response = client.get("/$bulk-publish")

    manifest = response.json()
    assert manifest["request"] == f"{SITE}/$bulk-publish"
    by_type = {}
    for item in manifest["output"]:
        by_type.setdefault(item["type"], []).append(item["url"])
    assert by_type["Location"] == [f"{SITE}/slot-feed/locations.ndjson"]
    assert by_type["Schedule"] == [f"{SITE}/slot-feed/schedules.ndjson"]
    assert f"{SITE}/slot-feed/slots-lincoln.ndjson" in by_type["Slot"]
    datetime.datetime.fromisoformat(manifest["transactionTime"])
    for urls in by_type.values():
        for url in urls:
            assert client.get(urlsplit(url).path).status_code == 200


def test_the_free_slots_are_exactly_the_times_the_booking_page_offers(client, kind):
    now = timezone.now()
    taken = slots.nearest(kind, now + datetime.timedelta(days=2), now, count=1)[0]
    services.book(kind, taken, details(), key())
    BookingBlock.objects.create(
        location=kind.location, date=taken.date() + datetime.timedelta(days=1)
    )

    feed = get_slots(client)

    free = {slot["start"] for slot in feed if slot["status"] == "free"}
    offered = page_times(client, kind)
    assert offered and free == offered
    busy = {slot["start"] for slot in feed if slot["status"] == "busy"}
    assert taken.isoformat(timespec="seconds") in busy


def test_each_slot_names_its_schedule_and_validates_as_fhir_r4(client, kind, r4_schema):  # noqa: F811
    schedule_ids = {s["id"] for s in lines(client.get("/slot-feed/schedules.ndjson"))}
    location_ids = {loc["id"] for loc in lines(client.get("/slot-feed/locations.ndjson"))}

    feed = get_slots(client)

    assert feed
    for slot in feed:
        validate(r4_schema, slot)
        assert slot["schedule"]["reference"].removeprefix("Schedule/") in schedule_ids
        end = datetime.datetime.fromisoformat(slot["end"])
        assert end - datetime.datetime.fromisoformat(slot["start"]) == datetime.timedelta(
            minutes=30
        )
    for schedule in lines(client.get("/slot-feed/schedules.ndjson")):
        validate(r4_schema, schedule)
        assert schedule["actor"][0]["reference"].removeprefix("Location/") in location_ids


def test_the_deep_link_opens_the_booking_page_with_that_time_chosen(client, kind):
    slot = next(s for s in get_slots(client) if s["status"] == "free")
    (extension,) = slot["extension"]
    assert extension["url"] == DEEP_LINK
    link = urlsplit(extension["valueUrl"])
    assert f"{link.scheme}://{link.netloc}" == SITE

    page = client.get(f"{link.path}?{link.query}").content.decode()

    checked = re.findall(r'name="start" value="([^"]+)"[^>]* checked', page)
    assert checked == [slot["start"]]


def test_a_booking_turns_its_slot_busy_at_once(client, kind):
    free = next(s for s in get_slots(client) if s["status"] == "free")

    services.book(kind, datetime.datetime.fromisoformat(free["start"]), details(), key())

    again = {s["id"]: s for s in get_slots(client)}
    assert again[free["id"]]["status"] == "busy"
    assert "extension" not in again[free["id"]]


def test_a_new_window_reaches_the_feed_at_once(client, kind):
    before = len(get_slots(client))
    kind.windows.create(weekday=0, starts=datetime.time(14), ends=datetime.time(16))
    kind.windows.create(weekday=3, starts=datetime.time(14), ends=datetime.time(16))

    assert len(get_slots(client)) > before


def test_the_feed_has_no_patient_data(client, kind):
    now = timezone.now()
    start = slots.nearest(kind, now + datetime.timedelta(days=2), now, count=1)[0]
    services.book(
        kind,
        start,
        details(
            first_name="Zelda",
            last_name="Quimby",
            email="zelda@example.net",
            phone="+14025550188",
            topic="isotretinoin",
            message=MARKER,
        ),
        key(),
    )
    texts = [client.get("/$bulk-publish").content.decode()]
    for item in json.loads(texts[0])["output"]:
        texts.append(client.get(urlsplit(item["url"]).path).content.decode())

    everything = "\n".join(texts).lower()
    for secret in (MARKER, "zelda", "quimby", "5550188", "isotretinoin", "patient/"):
        assert secret.lower() not in everything


def test_a_kept_file_is_served_without_the_database_and_304_when_unchanged(
    client, kind, django_assert_num_queries
):
    first = client.get("/slot-feed/slots-lincoln.ndjson")

    with django_assert_num_queries(1):  # the slug's clinic id only
        again = client.get("/slot-feed/slots-lincoln.ndjson")
    assert again.content == first.content
    assert first["ETag"] and first["Last-Modified"]

    not_modified = client.get(
        "/slot-feed/slots-lincoln.ndjson", headers={"If-None-Match": first["ETag"]}
    )
    assert not_modified.status_code == 304 and not_modified.content == b""


def test_an_unknown_clinic_or_one_without_booking_has_no_slot_file(client, kind, make_location):
    make_location("Kearney")

    assert client.get("/slot-feed/slots-nowhere.ndjson").status_code == 404
    assert client.get("/slot-feed/slots-kearney.ndjson").status_code == 404
