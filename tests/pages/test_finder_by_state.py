"""The clinic finder and the general consultation form never list every clinic: past one
page they list the states, each a link to that state's clinics, a page at a time."""

import gzip
import random
import re
import string

import pytest
from django.core.cache import cache

from pages import cache as page_cache
from pages import finder
from pages.models import Location

pytestmark = pytest.mark.django_db

# The review's cap for a page's gzipped weight at 1,000 clinics.
MAX_GZIPPED_KB = 60


def made_up_town(n):
    """A different town name per clinic, as real ones are (a repeated one would gzip to
    almost nothing and hide a page's weight)."""
    letters = random.Random(n).choices(string.ascii_lowercase, k=9)
    return "".join(letters).title()


def add_clinics(count, state="TX", first=1, **fields):
    """`count` made-up clinics in one state, in one query (no signals: drop kept pages)."""
    Location.objects.bulk_create(
        Location(
            name=f"Fake Clinic {state} {n:04d}",
            slug=f"fake-{state.lower()}-{n:04d}",
            street_address=f"{n} Example Street",
            city=made_up_town(n),
            state=state,
            postal_code="75001",
            phone="+12145550100",
            **fields,
        )
        for n in range(first, first + count)
    )
    page_cache.invalidate()


def main_html(response):
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def result_links(html):
    return re.findall(r'<h3 class="finder-result-title"><a href="([^"]+)"', html)


def test_with_one_page_of_clinics_or_fewer_the_finder_lists_them_at_once(client, db):
    html = main_html(client.get("/locations/"))
    assert "Bellevue" in html and "Gretna" in html
    assert "Choose your state" not in html


def test_past_one_page_the_finder_lists_states_with_links_not_clinics(client, db):
    add_clinics(finder.PAGE_SIZE, state="TX")
    add_clinics(3, state="NE")
    html = main_html(client.get("/locations/"))
    assert "Choose your state" in html
    assert "Fake Clinic" not in html and "Bellevue" not in html
    assert '<a href="?state=NE">Nebraska</a> (3)' in html
    assert '<a href="?state=TX">Texas</a> (20)' in html
    # Bellevue and Gretna have no state entered: "Other clinics", listed last.
    assert html.index("Nebraska") < html.index("Texas") < html.index("Other clinics")
    assert '<a href="?state=other">Other clinics</a> (2)' in html
    assert "All our clinics: 25 clinics" in html


def test_a_state_lists_its_clinics_a_page_at_a_time_with_plain_links(client, db):
    add_clinics(45, state="TX")
    first = main_html(client.get("/locations/?state=TX"))
    assert "45 clinics in Texas" in first
    assert len(result_links(first)) == finder.PAGE_SIZE
    assert "Page 1 of 3" in first
    assert 'rel="next" href="?state=TX&amp;page=2"' in first
    assert 'rel="prev"' not in first
    last = main_html(client.get("/locations/?state=TX&page=3"))
    assert len(result_links(last)) == 5
    assert 'rel="prev" href="?state=TX&amp;page=2"' in last and 'rel="next"' not in last
    everyone = {
        link
        for page in (1, 2, 3)
        for link in result_links(main_html(client.get(f"/locations/?state=TX&page={page}")))
    }
    assert len(everyone) == 45  # every clinic once, on one of the pages


def test_clinics_without_a_state_have_their_own_link(client, db):
    add_clinics(25, state="TX")
    html = main_html(client.get("/locations/?state=other"))
    assert "2 other clinics" in html
    assert result_links(html) == ["/bellevue/", "/gretna/"]


@pytest.mark.parametrize("state", ["ZZ", "<b>x</b>", "other'", "T" * 500])
def test_an_unknown_state_gets_the_list_of_states_and_a_clear_message(client, db, state):
    add_clinics(25, state="TX")
    response = client.get("/locations/", {"state": state})
    assert response.status_code == 200
    html = main_html(response)
    assert "We could not find that state" in html
    assert "Choose your state" in html
    assert state not in html


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99", "9" * 5000, "٢"])
def test_any_page_number_gets_a_page_of_results(client, db, page):
    add_clinics(45, state="TX")
    response = client.get("/locations/", {"state": "TX", "page": page})
    assert response.status_code == 200
    assert result_links(main_html(response))


def test_a_text_search_is_paged_too(client, db):
    add_clinics(25, state="TX")
    first = main_html(client.get("/locations/?q=Fake+Clinic"))
    assert "25 clinics match “Fake Clinic”" in first
    assert len(result_links(first)) == finder.PAGE_SIZE
    assert 'rel="next" href="?q=Fake+Clinic&amp;page=2"' in first
    assert len(result_links(main_html(client.get("/locations/?q=Fake+Clinic&page=2")))) == 5


def test_the_general_form_chooses_a_clinic_by_state_in_both_languages(client, db):
    add_clinics(25, state="TX")
    english = main_html(client.get("/consultation/"))
    assert '<a href="?state=TX">Texas</a> (25)' in english and "Fake Clinic" not in english
    state = main_html(client.get("/consultation/?state=TX"))
    assert "/fake-tx-0001/consultation/" in result_links(state)
    spanish = main_html(client.get("/es/consulta/"))
    assert "Elija su estado" in spanish and "Fake Clinic" not in spanish
    spanish_state = main_html(client.get("/es/consulta/?state=TX&page=2"))
    assert "Página 2 de 2" in spanish_state
    assert all(link.startswith("/es/fake-tx-") for link in result_links(spanish_state))
    assert "Elija su estado" in main_html(client.get("/es/clinicas/"))


def gzipped_kb(client, path):
    cache.clear()
    response = client.get(path)
    assert response.status_code == 200
    return len(gzip.compress(response.content)) / 1024


WEIGHED = ["/", "/locations/", "/es/clinicas/", "/consultation/", "/es/consulta/"]


def test_pages_that_list_clinics_stay_light_at_a_thousand_clinics(client, db):
    states = ["TX", "NE", "CA", "NY", "IA"]
    add_clinics(25, state="TX", first=2001)
    few = {path: gzipped_kb(client, path) for path in WEIGHED}
    for i, state in enumerate(states):
        add_clinics(200, state=state, first=i * 200 + 1)
    assert Location.objects.active().count() == 1027
    many = {path: gzipped_kb(client, path) for path in WEIGHED}
    assert all(kb <= MAX_GZIPPED_KB for kb in many.values()), many
    # No page grows with the number of clinics (a state's line is a few bytes).
    assert all(many[path] - few[path] < 1 for path in WEIGHED), (few, many)
