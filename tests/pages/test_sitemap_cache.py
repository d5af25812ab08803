"""The sitemaps are built once and kept (shared cache), dropped when a location or its
hours change, and answered with ETag/Last-Modified and 304 to a crawler that has them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from pages import sitemaps
from pages.models import OpeningHours

pytestmark = pytest.mark.django_db

PATHS = ["/sitemap.xml", "/sitemap-locations.xml", "/sitemap-isotretinoin.xml"]


def built(client, path, **headers):
    """(response, True when it was built for this request: it read the database)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    return response, len(queries) > 0


def locs(response):
    return set(re.findall(r"<loc>([^<]+)</loc>", response.content.decode()))


@pytest.mark.parametrize("path", PATHS)
def test_a_sitemap_is_built_once_then_served_as_kept(client, db, path):
    first, was_built = built(client, path)
    assert first.status_code == 200 and was_built
    again, was_built = built(client, path)
    assert again.status_code == 200 and not was_built
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["X-Robots-Tag"] == first["X-Robots-Tag"]


def test_a_location_edit_drops_the_kept_sitemap(client, gretna, make_location):
    assert "http://testserver/gretna/" in locs(client.get("/sitemap.xml"))
    make_location("Papillion")
    assert "http://testserver/papillion/" in locs(client.get("/sitemap.xml"))
    gretna.is_active = False
    gretna.save()
    assert "http://testserver/gretna/" not in locs(client.get("/sitemap-locations.xml"))
    assert "http://testserver/gretna/" not in locs(client.get("/sitemap.xml"))


def test_an_opening_hours_edit_drops_it_too(client, bellevue):
    client.get("/sitemap.xml")
    OpeningHours.objects.create(
        location=bellevue, weekday=0, opens=datetime.time(8), closes=datetime.time(17)
    )
    assert built(client, "/sitemap.xml")[1]


def test_the_drop_is_repeated_after_the_edit_commits(
    client, gretna, django_capture_on_commit_callbacks
):
    client.get("/sitemap.xml")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        gretna.save()
    client.get("/sitemap.xml")  # built in between: could have read the old row
    for callback in callbacks:
        callback()
    assert built(client, "/sitemap.xml")[1]


@pytest.mark.parametrize("path", PATHS)
def test_a_crawler_that_has_the_sitemap_gets_304(client, db, path):
    first = client.get(path)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    unchanged, was_built = built(client, path, if_none_match=etag)
    assert unchanged.status_code == 304 and not unchanged.content and not was_built
    assert unchanged["ETag"] == etag
    assert client.get(path, headers={"if_modified_since": modified}).status_code == 304
    assert client.get(path, headers={"if_none_match": '"other"'}).status_code == 200
    long_ago = http_date(0)
    assert client.get(path, headers={"if_modified_since": long_ago}).status_code == 200


def test_after_an_edit_the_old_etag_gets_the_new_sitemap(client, gretna):
    etag = client.get("/sitemap.xml")["ETag"]
    gretna.name = "Gretna West"
    gretna.slug = "gretna-west"
    gretna.save()
    response = client.get("/sitemap.xml", headers={"if_none_match": etag})
    assert response.status_code == 200
    assert "http://testserver/gretna-west/" in locs(response)


def test_each_host_gets_its_own_addresses_without_site_url(client, db, settings):
    settings.SITE_URL = ""
    assert "http://testserver/" in locs(client.get("/sitemap.xml"))
    other = client.get("/sitemap.xml", headers={"host": "localhost"})
    assert locs(other) and all(loc.startswith("http://localhost/") for loc in locs(other))


@pytest.mark.parametrize(
    "path", ["/sitemap-nothing.xml", "/sitemap-locations.xml?p=abc", "/sitemap.xml?p=9"]
)
def test_a_sitemap_that_does_not_exist_is_404_and_kept_nowhere(client, db, path):
    assert client.get(path).status_code == 404
    assert built(client, path)[0].status_code == 404


class DownCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_with_the_cache_down_the_sitemap_is_still_served(client, db, monkeypatch):
    monkeypatch.setattr(sitemaps, "cache", DownCache())
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert "http://testserver/bellevue/" in locs(response)
