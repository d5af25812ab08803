"""Locations are data: staff add one in the admin and it gets its full set of pages."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages.models import Location

pytestmark = pytest.mark.django_db


def test_seeded_locations_exist_in_order():
    assert list(Location.objects.active().values_list("slug", flat=True)) == ["bellevue", "gretna"]
    assert str(Location.objects.get(slug="gretna")) == "Gretna"


def test_a_location_added_by_staff_gets_all_pages_with_only_its_own_name(client, make_location):
    make_location("Papillion", sort_order=30)
    for path in ("/papillion/", "/papillion/isotretinoin/"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Papillion" in html
        assert "Bellevue" not in html
        assert "Gretna" not in html
    html = client.get("/papillion/isotretinoin/").content.decode()
    assert 'href="/papillion/consultation/"' in html
    assert "iPLEDGE" in html
    assert "/papillion/" in client.get("/").content.decode()


@pytest.mark.parametrize(("slug", "other"), [("bellevue", "Gretna"), ("gretna", "Bellevue")])
def test_location_pages_never_name_another_location(client, slug, other):
    for path in (f"/{slug}/", f"/{slug}/isotretinoin/"):
        html = client.get(path).content.decode()
        assert other.lower() not in html.lower()


@pytest.mark.parametrize("slug", ["admin", "consultation", "static", "healthz", "sitemap.xml"])
def test_a_location_cannot_take_a_slug_the_site_uses(slug):
    location = Location(name=f"Clinic {slug}", slug=slug)
    with pytest.raises(ValidationError) as excinfo:
        location.full_clean()
    assert "slug" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("path", "most"),
    [
        # Home: a few clinics with their hours and closures (open now), their count, the
        # footer's few, which of them book online.
        ("/", 6),
        # A location, its opening hours, its closure dates, and whether it books online.
        ("/bellevue/", 4),
        # The same, its latest clinical review, and (none yet) its content date.
        ("/bellevue/isotretinoin/", 6),
        ("/es/bellevue/isotretinoina/", 6),
        # Counts (one file or an index?), lists and lastmods, for each language.
        ("/sitemap.xml", 12),
        # The states (one grouped count) and the first page of clinics, the footer.
        ("/locations/", 3),
        # The same and which clinics book online (their cards' "Book a time").
        ("/locations/?state=NE", 4),
        # Distances from plain values, then the nearest ten, the clinics with no address
        # yet (never silently missing), the cards' hours and closures; the footer; which
        # book online.
        ("/locations/?q=68005", 7),
        # A page of results: its count and its rows, their hours and closures, the footer,
        # which book online.
        ("/locations/?q=town", 6),
    ],
)
def test_page_queries_do_not_grow_with_the_number_of_locations(
    client, make_location, django_assert_max_num_queries, path, most
):
    def render_uncached():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    # One clinic that every search finds from the start: a page with results reads its
    # cards' hours (a fixed two queries), one without results does not.
    make_location("Town start", slug="town-start", postal_code="68005")
    baseline = render_uncached()
    for n in range(25):
        make_location(f"Town {n}", slug=f"town-{n}", postal_code="68005")
    cache.clear()
    with django_assert_max_num_queries(baseline):
        client.get(path)
    assert baseline <= most, f"{path} needs {baseline} queries"


def test_cached_page_is_served_without_touching_the_database(
    client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 60
    first = client.get("/bellevue/isotretinoin/")
    with django_assert_num_queries(0):
        second = client.get("/bellevue/isotretinoin/")
    assert second.content == first.content


def test_editing_a_location_clears_cached_pages(client, settings, bellevue):
    settings.PAGE_CACHE_SECONDS = 60
    assert "(402) 555-0199" not in client.get("/bellevue/").content.decode()
    bellevue.phone = "(402) 555-0199"
    bellevue.save()
    assert "(402) 555-0199" in client.get("/bellevue/").content.decode()


def test_one_locations_cached_page_is_never_served_for_another(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    client.get("/bellevue/isotretinoin/")
    html = client.get("/gretna/isotretinoin/").content.decode()
    assert "<h1" in html
    h1 = html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "Gretna" in h1
    assert "Bellevue" not in h1
