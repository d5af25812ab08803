"""Where patients find online booking: "Book a time" on the home page's clinic cards and
the finder's results for clinics with bookable hours (one query for the whole list, however
many clinics), and the booking page's way out to the clinic's own request form."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinics(make_type, make_location):
    """Lincoln books online; Kearney does not."""
    make_location("Kearney")
    return make_type("Lincoln")


def book_links(html):
    return re.findall(r'href="([^"]*/book/)"', html)


@pytest.mark.parametrize("path", ["/", "/locations/?q=Lincoln", "/locations/?q=Kearney"])
def test_clinic_cards_offer_book_a_time_only_for_clinics_with_bookable_hours(client, clinics, path):
    html = client.get(path).content.decode()
    assert book_links(html) == ([] if "Kearney" in path else ["/lincoln/book/"])


def test_the_spanish_finder_offers_the_spanish_booking_page(client, clinics):
    html = client.get("/es/clinicas/?q=Lincoln").content.decode()
    assert "/es/lincoln/reservar/" in html and "Reserve una hora en" in html


def booking_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        html = client.get(path).content.decode()
    assert book_links(html)
    return sum("appointments_appointmenttype" in q["sql"] for q in queries.captured_queries)


def test_the_booking_links_cost_one_query_however_many_clinics_book(client, make_type, settings):
    settings.PAGE_CACHE_SECONDS = 0
    make_type("Lincoln")
    make_type("Norfolk")
    few = booking_queries(client, "/locations/?q=o"), booking_queries(client, "/")
    for name in ("Kearney", "Hastings", "Columbus", "Scottsbluff"):
        make_type(name)
    assert (booking_queries(client, "/locations/?q=o"), booking_queries(client, "/")) == few
    assert few == (1, 1)


def test_a_new_bookable_clinic_appears_on_the_kept_home_page(client, make_type, settings):
    settings.PAGE_CACHE_SECONDS = 60
    make_type("Lincoln")
    client.get("/")
    make_type("Kearney")
    assert set(book_links(client.get("/").content.decode())) == {
        "/lincoln/book/",
        "/kearney/book/",
    }


def test_the_booking_page_leads_to_the_clinics_own_request_form_with_nothing_else_in_the_link(
    client, make_type
):
    make_type("Lincoln")
    html = client.get("/lincoln/book/").content.decode()
    link = re.search(r'<a href="([^"]+)">Request a consultation</a>', html)[1]
    assert link == "/lincoln/consultation/"
    form = client.get(link).content.decode()
    assert "Lincoln" in form


@pytest.mark.parametrize(
    ("path", "book_path"),
    [
        ("/lincoln/", "/lincoln/book/"),
        ("/lincoln/isotretinoin/", "/lincoln/book/"),
        ("/es/lincoln/isotretinoina/", "/es/lincoln/reservar/"),
    ],
)
def test_book_a_time_sits_with_the_other_next_steps_at_a_bookable_clinic(
    client, clinics, path, book_path
):
    html = client.get(path).content.decode()
    rows = re.findall(r'<div class="action-row">(.*?)</div>', html, flags=re.S)
    assert rows and all(f'href="{book_path}"' in row for row in rows)
    kearney = client.get(path.replace("lincoln", "kearney")).content.decode()
    assert "/book/" not in kearney and "/reservar/" not in kearney
