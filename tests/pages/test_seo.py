"""What search engines and link previews read: titles, descriptions, canonical, OG, JSON-LD."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/bellevue/", "/gretna/", "/bellevue/isotretinoin/", "/gretna/isotretinoin/"]


class HeadParser(HTMLParser):
    """Collects <title>, <meta>, <link> and JSON-LD blocks, and every URL-bearing attribute."""

    URL_ATTRS = {"href", "src", "action", "srcset", "content", "poster", "data"}

    def __init__(self):
        super().__init__()
        self.title = ""
        self.meta = {}
        self.links = {}
        self.json_ld = []
        self.urls = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in = "title"
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in = "json_ld"
            self.json_ld.append("")
        elif tag == "meta":
            key = attrs.get("name") or attrs.get("property")
            if key:
                self.meta[key] = attrs.get("content", "")
        elif tag == "link":
            self.links[attrs.get("rel")] = attrs.get("href")
        for name, value in attrs.items():
            if name in self.URL_ATTRS and value:
                self.urls.extend(
                    (tag, name, part.strip().split(" ")[0]) for part in value.split(",")
                )

    def handle_endtag(self, tag):
        if tag in ("title", "script"):
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "json_ld":
            self.json_ld[-1] += data


def parse(client, path):
    response = client.get(path)
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


def test_every_page_has_a_unique_title_and_description(client):
    pages = {path: parse(client, path) for path in PUBLIC_PAGES}
    titles = [p.title.strip() for p in pages.values()]
    descriptions = [p.meta["description"] for p in pages.values()]
    assert all(titles) and len(set(titles)) == len(titles)
    assert all(descriptions) and len(set(descriptions)) == len(descriptions)
    for description in descriptions:
        assert len(description) <= 160, description


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_canonical_and_open_graph_point_at_the_page_itself(client, path):
    page = parse(client, path)
    assert page.links["canonical"] == f"http://testserver{path}"
    assert page.meta["og:url"] == f"http://testserver{path}"
    for key in ("og:title", "og:description", "og:type", "og:site_name"):
        assert page.meta.get(key), key


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, "/sitemap.xml", "/robots.txt", "/missing/"])
def test_no_page_loads_or_links_anything_from_another_host(client, path):
    response = client.get(path)
    parser = HeadParser()
    parser.feed(response.content.decode())
    foreign = [
        (tag, attr, url)
        for tag, attr, url in parser.urls
        if urlsplit(url).netloc not in ("", "testserver") and url.startswith(("http", "//"))
    ]
    assert foreign == []
    # Nothing in raw text either (e.g. a CDN URL in inline CSS), apart from schema.org's
    # JSON-LD vocabulary name and the sitemap protocol's namespace, which are identifiers.
    text = response.content.decode()
    hosts = set(re.findall(r"(?:https?:)?//([a-z0-9.-]+\.[a-z]{2,})", text, flags=re.I))
    assert hosts <= {"testserver", "schema.org", "www.sitemaps.org", "www.w3.org"}


def test_staff_entered_map_link_is_a_plain_outbound_link(client, bellevue):
    bellevue.map_url = "https://maps.example.com/?q=clinic"
    bellevue.save()
    html = client.get("/bellevue/").content.decode()
    assert re.search(
        r'<a href="https://maps.example.com/\?q=clinic" rel="noopener noreferrer"', html
    )
    assert "<iframe" not in html


def json_ld(client, path):
    blocks = [json.loads(block) for block in parse(client, path).json_ld]
    return {block["@type"]: block for block in blocks}


def test_location_page_describes_the_clinic_with_only_entered_fields(client, bellevue):
    clinic = json_ld(client, "/bellevue/")["MedicalClinic"]
    assert clinic["name"] == "MOD Dermatology Bellevue"
    assert clinic["url"] == "http://testserver/bellevue/"
    for field in ("address", "telephone", "openingHoursSpecification", "geo", "hasMap", "image"):
        assert field not in clinic

    bellevue.phone = "+14025550100"
    bellevue.city = "Bellevue"
    bellevue.save()
    clinic = json_ld(client, "/bellevue/")["MedicalClinic"]
    assert clinic["telephone"] == "+14025550100"
    assert clinic["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Bellevue",
        "addressCountry": "US",
    }
    for field in ("openingHoursSpecification", "geo"):
        assert field not in clinic


def test_treatment_page_is_a_medical_web_page_with_its_content_date(client):
    page = json_ld(client, "/gretna/isotretinoin/")["MedicalWebPage"]
    # No clinical review recorded: a text update date, and no reviewer.
    assert page["dateModified"] == "2026-11-23"
    assert "lastReviewed" not in page and "reviewedBy" not in page
    assert page["inLanguage"] == "en"
    assert page["url"] == "http://testserver/gretna/isotretinoin/"
    assert page["provider"]["@type"] == "MedicalClinic"
    assert page["provider"]["name"] == "MOD Dermatology Gretna"


def test_json_ld_cannot_be_broken_out_of_by_staff_text(client, bellevue):
    bellevue.street_address = "</script><script>alert(1)</script>"
    bellevue.save()
    html = client.get("/bellevue/").content.decode()
    assert "<script>alert(1)" not in html
    address = json_ld(client, "/bellevue/")["MedicalClinic"]["address"]
    assert address["streetAddress"] == bellevue.street_address


def test_sitemap_lists_every_active_location_and_no_inactive_one(client, gretna, make_location):
    make_location("Papillion")
    gretna.is_active = False
    gretna.save()
    xml = client.get("/sitemap.xml").content.decode()
    locs = set(re.findall(r"<loc>([^<]+)</loc>", xml))
    for slug in ("bellevue", "papillion"):
        assert f"http://testserver/{slug}/" in locs
        assert f"http://testserver/{slug}/isotretinoin/" in locs
    assert not any("gretna" in loc for loc in locs)
    assert "http://testserver/" in locs


def test_site_url_gives_every_public_address_one_origin(client, settings):
    # Asked for by another allowed host (e.g. without "www"), the page still names the one
    # address search engines should keep.
    settings.SITE_URL = "https://www.example.org"
    page = parse(client, "/gretna/isotretinoin/")
    assert page.links["canonical"] == "https://www.example.org/gretna/isotretinoin/"
    assert page.meta["og:url"] == "https://www.example.org/gretna/isotretinoin/"
    data = json_ld(client, "/gretna/isotretinoin/")["MedicalWebPage"]
    assert data["url"] == "https://www.example.org/gretna/isotretinoin/"
    assert data["provider"]["url"] == "https://www.example.org/gretna/"

    locs = set(re.findall(r"<loc>([^<]+)</loc>", client.get("/sitemap.xml").content.decode()))
    assert "https://www.example.org/bellevue/isotretinoin/" in locs
    assert all(loc.startswith("https://www.example.org/") for loc in locs)
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: https://www.example.org/sitemap.xml" in robots


def test_thank_you_page_is_kept_out_of_search_by_noindex_that_robots_can_read(client, db):
    assert (
        '<meta name="robots" content="noindex">'
        in client.get("/consultation/thanks/").content.decode()
    )
    # A robots.txt Disallow would stop crawlers from ever seeing that noindex.
    assert "thanks" not in client.get("/robots.txt").content.decode()
