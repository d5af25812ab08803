"""The clinic finder at /locations/: ZIP nearest first, city/state/name, all by state."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages import finder
from pages.models import Location


def main_text(client, path):
    html = client.get(path).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


pytestmark = pytest.mark.django_db


@pytest.fixture
def nebraska(make_location):
    """Clinics at real ZIP codes (made-up names), at known distances from 68005."""
    return {
        "omaha": make_location(
            "Omaha Test", slug="omaha-test", city="Omaha", state="NE", postal_code="68102"
        ),
        "lincoln": make_location(
            "Lincoln Test", slug="lincoln-test", city="Lincoln", state="NE", postal_code="68508"
        ),
        "kearney": make_location(
            "Kearney Test", slug="kearney-test", city="Kearney", state="NE", postal_code="68847"
        ),
        "denver": make_location(
            "Denver Test", slug="denver-test", city="Denver", state="CO", postal_code="80202"
        ),
    }


def result_names(search):
    return [result.location.name for result in search.results]


def test_zip_lists_clinics_nearest_first_with_miles(nebraska):
    search = finder.search("68005")
    assert search.kind == "zip"
    assert result_names(search) == ["Omaha Test", "Lincoln Test", "Kearney Test", "Denver Test"]
    miles = [result.miles for result in search.results]
    assert miles == sorted(miles)
    assert 5 < miles[0] < 15  # Bellevue to downtown Omaha
    assert 40 < miles[1] < 60  # to Lincoln
    assert 450 < miles[3] < 520  # to Denver


def test_zip_plus_four_searches_its_zip(nebraska):
    assert result_names(finder.search("80202-1234"))[0] == "Denver Test"


def test_clinics_without_a_zip_are_left_out_of_distances(nebraska, bellevue):
    assert "Bellevue" not in result_names(finder.search("68005"))


def test_a_clinic_without_an_address_is_listed_after_the_measured_ones(
    client, make_location, gretna
):
    """Searching Gretna's own ZIP once offered only the clinics with coordinates."""
    make_location("Omaha Test", slug="omaha-test", city="Omaha", state="NE", postal_code="68102")
    make_location("Papillion Test", slug="papillion-test", city="Papillion")  # no ZIP
    search = finder.search("68028")
    assert result_names(search) == ["Omaha Test"]
    assert [r.location.name for r in search.unplaced] == ["Bellevue", "Gretna", "Papillion Test"]
    assert all(r.miles is None for r in search.unplaced)
    text = main_text(client, "/locations/?q=68028")
    assert text.index("Omaha Test") < text.index("Gretna") < text.index("Papillion Test")
    assert "Papillion" in text.split("Papillion Test", 1)[1]  # its city, no distance
    assert 'href="/gretna/"' in client.get("/locations/?q=68028").content.decode()


def test_a_clinic_at_the_searched_zip_without_coordinates_comes_first(make_location, gretna):
    make_location("Zed Test", slug="zed-test", postal_code="68028")
    Location.objects.filter(slug="zed-test").update(latitude=None, longitude=None)
    assert [r.location.name for r in finder.search("68028").unplaced][:1] == ["Zed Test"]


def test_unknown_zip_gets_a_clear_answer(client, nebraska):
    assert finder.search("00000").kind == "unknown_zip"
    response = client.get("/locations/", {"q": "00000"})
    assert response.status_code == 200
    text = main_text(client, "/locations/?q=00000")
    assert "could not find the ZIP code 00000" in text


def test_city_search(nebraska):
    assert result_names(finder.search("lincoln")) == ["Lincoln Test"]
    assert result_names(finder.search("Omaha, NE")) == ["Omaha Test"]
    assert result_names(finder.search("Omaha, CO")) == []


def test_state_search_by_code_or_name(nebraska):
    expected = ["Kearney Test", "Lincoln Test", "Omaha Test"]
    assert result_names(finder.search("NE")) == expected
    assert result_names(finder.search("nebraska")) == expected
    assert result_names(finder.search("Colorado")) == ["Denver Test"]


def test_name_search(nebraska, bellevue):
    assert result_names(finder.search("Bellev")) == ["Bellevue"]


def test_inactive_clinics_are_never_found(nebraska):
    nebraska["omaha"].is_active = False
    nebraska["omaha"].save()
    assert "Omaha Test" not in result_names(finder.search("68005"))
    assert "Omaha Test" not in result_names(finder.search("omaha"))


def test_empty_search_lists_every_clinic_grouped_by_state(client, nebraska, bellevue, gretna):
    search = finder.search("")
    assert search.kind == "all"
    assert [state for state, _ in search.groups] == ["Colorado", "Nebraska", None]
    assert search.total == 6
    assert [entry.name for entry in search.groups[1][1]] == [
        "Kearney Test",
        "Lincoln Test",
        "Omaha Test",
    ]
    text = main_text(client, "/locations/").split("All our clinics: 6 clinics", 1)[1]
    assert text.index("Colorado") < text.index("Nebraska") < text.index("Other clinics")


def test_no_js_form_is_a_get_form_with_a_labelled_box_named_q(client, nebraska):
    html = client.get("/locations/?q=68005").content.decode()
    form = re.search(r"<form[^>]*role=\"search\"[^>]*>", html).group(0)
    assert 'method="get"' in form and 'action="/locations/"' in form
    box = re.search(r"<input[^>]*name=\"q\"[^>]*>", html).group(0)
    box_id = re.search(r'id="([^"]+)"', box).group(1)
    assert f'<label class="form-label" for="{box_id}">' in html
    assert 'value="68005"' in box  # the search stays in the box
    # The count is announced; the title says these are search results, not what was typed.
    assert re.search(r'role="status"[^>]*>\s*<h2[^>]*>4 clinics nearest to 68005</h2>', html)
    assert "<title>Clinic search results | MOD Dermatology</title>" in html
    assert "GeoNames" in html  # the data's licence asks for credit


def test_result_links_lead_to_each_clinics_page(client, nebraska):
    html = client.get("/locations/?q=kearney").content.decode()
    assert 'href="/kearney-test/"' in html
    assert "1 clinic matches “kearney”" in html


def test_home_page_has_the_finder_box(client):
    html = client.get("/").content.decode()
    assert 'action="/locations/"' in html and 'name="q"' in html


def test_finder_is_never_served_from_the_page_cache(client, settings, nebraska):
    settings.PAGE_CACHE_SECONDS = 60
    client.get("/locations/")
    assert "Omaha Test" in main_text(client, "/locations/?q=omaha")
    assert "Denver Test" not in main_text(client, "/locations/?q=omaha")


def _queries(client, path):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


PATHS = [
    "/",
    "/locations/",
    "/locations/?state=TX",
    "/locations/?state=TX&page=2",
    "/locations/?state=other",
    "/locations/?q=Texas&page=2",
    "/locations/?q=68005",
    "/locations/?q=Omaha",
    "/locations/?q=NE",
    "/locations/?q=00000",
    "/test-clinic-0001/",
    "/test-clinic-0001/isotretinoin/",
    "/sitemap.xml",
]


# A page that shows result cards reads their hours and closures ("open now"): two
# queries, whatever the number of cards, skipped by Django when there are none.
HOURS_QUERIES = 2


def _queries_and_cards(client, path):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), b"finder-result" in response.content


def test_queries_per_page_are_the_same_with_3_and_300_locations(client):
    Location.objects.all().delete()
    call_command("seed_locations", 3)
    small = {path: _queries_and_cards(client, path) for path in PATHS}
    call_command("seed_locations", 297)
    assert Location.objects.active().count() == 300
    large = {path: _queries_and_cards(client, path) for path in PATHS}
    for path, (count, cards) in large.items():
        small_count, small_cards = small[path]
        extra = HOURS_QUERIES if cards and not small_cards else 0
        assert count == small_count + extra, (path, small[path], large[path])


def test_consultation_form_queries_stay_the_same_past_the_drop_down(client):
    """Up to 20 clinics the general form has a drop-down; past that the finder. Either
    way the queries do not grow with the number of clinics."""
    from consultations.views import CLINIC_SELECT_LIMIT

    paths = [
        "/test-clinic-0001/consultation/",
        "/consultation/",
        "/consultation/?q=68005",
        "/consultation/?state=TX",
    ]
    Location.objects.all().delete()
    call_command("seed_locations", 3)
    few = {path: _queries(client, path) for path in paths}
    call_command("seed_locations", CLINIC_SELECT_LIMIT - 3)
    assert few == {path: _queries(client, path) for path in paths}
    call_command("seed_locations", 1)
    many = {path: _queries(client, path) for path in paths}
    call_command("seed_locations", 300 - CLINIC_SELECT_LIMIT - 1)
    assert many == {path: _queries(client, path) for path in paths}
