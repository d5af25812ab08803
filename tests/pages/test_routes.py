"""Every public route answers with the right status and template."""

import datetime
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/", "pages/home.html"),
        ("/bellevue/", "pages/location_detail.html"),
        ("/gretna/", "pages/location_detail.html"),
        ("/bellevue/isotretinoin/", "pages/isotretinoin.html"),
        ("/gretna/isotretinoin/", "pages/isotretinoin.html"),
    ],
)
def test_public_page_renders_its_template(client, path, template):
    response = client.get(path)
    assert response.status_code == 200
    assert template in [t.name for t in response.templates]
    assert "base.html" in [t.name for t in response.templates]


def test_location_urls_come_from_the_model(bellevue):
    assert bellevue.get_absolute_url() == "/bellevue/"
    assert bellevue.get_isotretinoin_url() == "/bellevue/isotretinoin/"
    assert reverse("pages:isotretinoin", kwargs={"slug": "gretna"}) == "/gretna/isotretinoin/"


@pytest.mark.parametrize("path", ["/nowhere/", "/nowhere/isotretinoin/", "/bellevue/nothing/"])
def test_unknown_paths_get_the_friendly_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "can't find that page" in response.content.decode()


@pytest.mark.parametrize("path", ["/gretna/", "/gretna/isotretinoin/"])
def test_inactive_location_pages_are_not_found(client, gretna, path):
    gretna.is_active = False
    gretna.save()
    assert client.get(path).status_code == 404


def test_inactive_location_leaves_home_page_and_footer(client, gretna):
    gretna.is_active = False
    gretna.save()
    html = client.get("/").content.decode()
    assert "Gretna" not in html
    assert "Bellevue" in html


def test_home_links_to_each_location_and_the_consultation_form(client, bellevue, gretna):
    html = client.get("/").content.decode()
    for location in (bellevue, gretna):
        assert f'href="{location.get_absolute_url()}"' in html
        assert f'href="{location.get_isotretinoin_url()}"' in html
    assert f'href="{reverse("consultations:create")}"' in html


def test_footer_lists_every_active_location_on_general_pages(client, bellevue, gretna):
    for path in ("/", "/no-such-page/"):
        html = client.get(path).content.decode()
        footer = html[html.index("<footer") :]
        assert 'href="/bellevue/"' in footer
        assert 'href="/gretna/"' in footer


def test_footer_on_a_location_page_links_its_clinic_and_all_clinics(client):
    html = client.get("/gretna/isotretinoin/").content.decode()
    footer = html[html.index("<footer") :]
    assert 'href="/gretna/"' in footer
    assert 'href="/#locations"' in footer
    assert 'href="/gretna/consultation/"' in footer


def test_location_page_shows_only_contact_details_staff_entered(client, bellevue):
    html = client.get("/bellevue/").content.decode()
    assert "Phone" not in html
    assert "Address" not in html
    assert "Hours" not in html
    bellevue.phone = "+14025550100"
    bellevue.street_address = "1 Example Street"
    bellevue.save()
    bellevue.opening_hours.create(weekday=0, opens=datetime.time(8), closes=datetime.time(17))
    html = client.get("/bellevue/").content.decode()
    assert "(402) 555-0100" in html
    assert 'href="tel:+14025550100"' in html
    assert "8:00 AM – 5:00 PM" in html
    assert "Get directions" in html


def test_health_endpoint_reports_database_and_cache_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_server_error_page_renders_without_a_database(django_assert_num_queries):
    from django.template import loader

    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "something went wrong" in html.lower()
    assert "911" in html


@pytest.mark.parametrize("path", ["/gretna/", "/gretna/isotretinoin/"])
def test_on_a_clinics_pages_every_consultation_link_keeps_that_clinic(client, db, path):
    html = client.get(path).content.decode()
    links = set(re.findall(r'href="([^"]*consultation[^"]*)"', html))
    assert links == {"/gretna/consultation/"}


def test_the_outage_page_gives_the_phones_the_home_page_showed_when_the_cache_is_down_too(
    client, bellevue, rf, monkeypatch
):
    from django.db import OperationalError

    from pages import outage

    bellevue.phone = "+14025550100"  # stored as the admin stores it
    bellevue.save()
    monkeypatch.setattr(outage, "_last_known", [])  # a worker that never saw the save
    client.get("/")

    def cache_in_the_database_that_is_down(*args, **kwargs):
        raise OperationalError("the database is down")

    monkeypatch.setattr(outage.cache, "get", cache_in_the_database_that_is_down)
    try:
        raise OperationalError("the database is down")
    except OperationalError:
        response = outage.server_error(rf.post("/consultation/"))
    html = response.content.decode()
    assert response.status_code == 503
    assert '<a href="tel:+14025550100">(402) 555-0100</a>' in html
    assert "was not saved" in html


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/bellevue/",
        "/bellevue/isotretinoin/",
        "/consultation/",
        "/bellevue/consultation/",
        "/consultation/thanks/",
        "/no-such-page/",
    ],
)
def test_every_page_has_one_h1_a_main_landmark_and_a_skip_link(client, path):
    html = client.get(path).content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert html.count("<main") == 1
    assert 'href="#main"' in html
