"""Hours edits drop only that clinic's kept pages; the finder and home page, which list
clinics, are redrawn when any clinic changes."""

import datetime

import pytest

from pages.models import ClosureDate, OpeningHours

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


def test_editing_one_clinics_hours_keeps_other_clinics_pages_warm(
    client, bellevue, gretna, django_assert_num_queries
):
    for path in ("/gretna/", "/gretna/isotretinoin/", "/bellevue/"):
        client.get(path)
    OpeningHours.objects.create(
        location=bellevue, weekday=2, opens=datetime.time(9), closes=datetime.time(15)
    )
    assert "9:00 AM – 3:00 PM" in client.get("/bellevue/").content.decode()
    with django_assert_num_queries(0):
        client.get("/gretna/")
        client.get("/gretna/isotretinoin/")


def test_a_closure_date_redraws_that_clinics_page(client, bellevue):
    OpeningHours.objects.create(
        location=bellevue, weekday=2, opens=datetime.time(9), closes=datetime.time(15)
    )
    client.get("/bellevue/")
    soon = datetime.date.today() + datetime.timedelta(days=3)
    ClosureDate.objects.create(location=bellevue, date=soon, reason="Inventory")
    assert "(Inventory)" in client.get("/bellevue/").content.decode()


def test_finder_and_home_are_redrawn_when_a_clinic_changes(client, make_location):
    omaha = make_location("Omaha Test", slug="omaha-test", city="Omaha", state="NE")
    assert "Omaha Test" in client.get("/locations/", {"q": "omaha"}).content.decode()
    client.get("/")
    omaha.name = "Omaha Downtown Test"
    omaha.save()
    assert "Omaha Downtown Test" in client.get("/locations/", {"q": "omaha"}).content.decode()
    assert "Omaha Downtown Test" in client.get("/").content.decode()


def test_each_search_is_its_own_kept_page(client, make_location):
    make_location("Omaha Test", slug="omaha-test", city="Omaha", state="NE")
    make_location("Denver Test", slug="denver-test", city="Denver", state="CO")
    client.get("/locations/", {"q": "omaha"})
    html = client.get("/locations/", {"q": "denver"}).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Denver Test" in main and "Omaha Test" not in main
