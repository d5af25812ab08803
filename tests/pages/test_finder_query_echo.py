"""What someone typed into a finder link is shown only as the patient's own words (quoted,
shortened, never in the title) and never kept in the page cache."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages import finder
from tests.pages.test_finder_by_state import add_clinics, main_html

pytestmark = pytest.mark.django_db

MESSAGE = "All clinics are closed today, call 1-900-555-0199 to book now"


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


def rendered(client, path):
    """True when the page was drawn for this request (it read the database), False when
    the page cache served it."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries) > 0


def test_the_heading_quotes_and_shortens_a_long_search(client, db):
    html = client.get("/locations/", {"q": MESSAGE}).content.decode()
    heading = re.search(r'<h2[^>]*id="results-heading">([^<]*)</h2>', html).group(1)
    shown = MESSAGE[: finder.SHOWN_QUERY_LENGTH - 1].rstrip() + "…"
    assert heading == f"0 clinics match “{shown}”"
    assert len(shown) <= finder.SHOWN_QUERY_LENGTH
    assert "1-900-555-0199" not in heading


@pytest.mark.parametrize("query", [MESSAGE, "Omaha", "68005", "00000"])
def test_the_title_never_repeats_the_search(client, db, query):
    html = client.get("/locations/", {"q": query}).content.decode()
    title = re.search(r"<title>([^<]*)</title>", html).group(1)
    assert title == "Clinic search results | MOD Dermatology"


def test_a_short_search_is_shown_whole_in_quotes(client, db):
    html = client.get("/locations/", {"q": "Bellevue"}).content.decode()
    assert "1 clinic matches “Bellevue”" in html


def test_the_spanish_heading_shortens_it_too(client, db):
    html = client.get("/es/clinicas/", {"q": MESSAGE}).content.decode()
    assert "0 clínicas coinciden con “All clinics are closed today, call 1-90…”" in html


@pytest.mark.parametrize(
    "path",
    [
        f"/locations/?q={MESSAGE}",
        "/locations/?q=Omaha",
        "/es/clinicas/?q=Omaha",
        "/locations/?q=Omaha&page=2",
        "/locations/?state=NE&q=x",
        "/locations/?state=ne",  # not the link we print: ?state=NE
        "/locations/?state=NE&page=1",
        "/locations/?state=NE&state=NE",
        "/locations/?state=ZZ",
        # The same page spelled another way, or with a parameter we ignore: each would
        # be one more kept page if kept by its query string.
        "/locations/?state=N%45",
        "/locations/?page=2&state=NE",
        "/locations/?state=NE&utm_source=1",
    ],
)
def test_a_search_or_crafted_query_is_drawn_each_time_never_kept(client, page_cache_on, path):
    add_clinics(25, state="NE")
    assert rendered(client, path)
    assert rendered(client, path)


def test_a_search_is_never_answered_with_the_kept_overview(client, page_cache_on):
    client.get("/locations/")
    html = main_html(client.get("/locations/?q=Bellevue"))
    assert "Bellevue" in html and "Gretna" not in html


@pytest.mark.parametrize(
    "path", ["/locations/", "/locations/?q=", "/locations/?state=NE", "/locations/?state=NE&page=2"]
)
def test_the_pages_our_links_lead_to_are_kept(client, page_cache_on, path):
    add_clinics(25, state="NE")
    assert rendered(client, path)
    assert not rendered(client, path)


def test_the_general_form_with_a_search_is_never_kept(client, page_cache_on):
    add_clinics(25, state="NE")
    assert rendered(client, "/consultation/?q=Fake")
    assert rendered(client, "/consultation/?q=Fake")
