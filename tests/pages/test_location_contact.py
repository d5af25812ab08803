"""What a location's pages show from its structured data, and its JSON-LD."""

import datetime
import html as html_module
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pages.models import ClosureDate, Location, OpeningHours

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(make_location):
    """A location with every field entered (made-up street and number, real ZIP)."""
    location = make_location(
        "Fulltown",
        street_address="100 Example Street\nSuite 2",
        city="Bellevue",
        state="NE",
        postal_code="68005",
        phone="+14025550100",
        time_zone="America/Chicago",
    )
    for weekday in range(5):
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=datetime.time(8), closes=datetime.time(12)
        )
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=datetime.time(13), closes=datetime.time(17)
        )
    soon = timezone.localdate() + datetime.timedelta(days=10)
    ClosureDate.objects.create(location=location, date=soon, reason="Holiday")
    return location


def json_ld_blocks(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_location_page_shows_address_directions_phone_and_hours(client, full):
    html = client.get("/fulltown/").content.decode()
    assert "100 Example Street<br>Suite 2<br>Bellevue, NE 68005" in html
    directions = re.search(r'<a href="(https://www\.google\.com/maps/search/[^"]+)"', html)
    assert directions and "68005" in directions.group(1)
    assert 'rel="noopener noreferrer">Get directions' in html
    assert '<a class="tel-big" href="tel:+14025550100">(402) 555-0100</a>' in html
    # Each period keeps its line whole on a phone: wraps only between periods.
    assert (
        '<span class="text-nowrap">8:00 AM – 12:00 PM</span>, '
        '<span class="text-nowrap">1:00 PM – 5:00 PM</span>'
    ) in html
    assert "(Holiday)" in html
    assert "Central Time" in html


def hours_rows(html):
    table = re.search(r'<table class="[^"]*hours-table.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr>\s*<th[^>]*>(.*?)</th>\s*<td>(.*?)</td>", table, re.S)
    return [
        (re.sub(r"(<[^>]+>)+", "|", day).strip("|"), re.sub(r"<[^>]+>", "", t)) for day, t in rows
    ]


def test_days_with_the_same_hours_share_one_row(client, full):
    OpeningHours.objects.create(
        location=full, weekday=5, opens=datetime.time(9), closes=datetime.time(13)
    )
    rows = hours_rows(client.get("/fulltown/").content.decode())
    # Seen as "Mon-Fri" (an en dash), heard as "Monday to Friday".
    assert rows == [
        ("Mon–Fri|Monday to Friday", "8:00 AM – 12:00 PM, 1:00 PM – 5:00 PM"),
        ("Sat|Saturday", "9:00 AM – 1:00 PM"),
        ("Sun|Sunday", "Closed"),
    ]


def test_spanish_hours_use_one_24_hour_time_style(client, full):
    rows = hours_rows(client.get("/es/fulltown/").content.decode())
    assert rows[0] == ("lun–vie|lunes a viernes", "8:00 – 12:00, 13:00 – 17:00")
    assert rows[1] == ("sáb–dom|sábado a domingo", "Cerrado")


def attribute(tag, name):
    return html_module.unescape(re.search(rf'{name}="([^"]*)"', tag).group(1))


def test_open_now_line_is_filled_by_our_own_script_from_data_in_the_page(client, full):
    html = client.get("/fulltown/").content.decode()
    status = re.search(r'<p class="opening-status" hidden([^>]*)>', html).group(1)
    hours = json.loads(
        re.search(r'data-opening-hours="([^"]*)"', status).group(1).replace("&quot;", '"')
    )
    # Each row: weekday, opens, closes, and both as the hours table writes them.
    assert [0, "08:00", "12:00", "8:00 AM", "12:00 PM"] in hours
    assert [4, "13:00", "17:00", "1:00 PM", "5:00 PM"] in hours
    day_names = attribute(status, "data-day-names")
    assert json.loads(day_names)[0] == "Monday"
    offsets = json.loads(attribute(status, "data-utc-offsets"))
    assert offsets[0][1] in (-360, -300) and offsets[-1][1] is None
    assert 'data-time-zone="America/Chicago"' in status
    closed = json.loads(
        re.search(r'data-closed-dates="([^"]*)"', status).group(1).replace("&quot;", '"')
    )
    assert closed == [(timezone.localdate() + datetime.timedelta(days=10)).isoformat()]
    assert '<script src="/static/js/opening-hours.js" defer></script>' in html
    # No inline script: only JSON-LD data blocks.
    for script in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html):
        assert 'type="application/ld+json"' in script


def test_a_location_without_hours_has_no_hours_section_nor_script(client, bellevue):
    html = client.get("/bellevue/").content.decode()
    assert "opening-status" not in html
    assert "opening-hours.js" not in html
    assert "Get directions" not in html


def test_json_ld_carries_every_entered_field(client, full):
    html = client.get("/fulltown/").content.decode()
    clinic = next(b for b in json_ld_blocks(html) if b["@type"] == "MedicalClinic")
    assert clinic["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "100 Example Street, Suite 2",
        "addressLocality": "Bellevue",
        "addressRegion": "NE",
        "postalCode": "68005",
        "addressCountry": "US",
    }
    assert clinic["telephone"] == "+14025550100"
    assert clinic["geo"]["@type"] == "GeoCoordinates"
    assert clinic["geo"]["latitude"] == pytest.approx(41.15, abs=0.05)
    specs = clinic["openingHoursSpecification"]
    monday = [s for s in specs if s.get("dayOfWeek") == "https://schema.org/Monday"]
    assert [(s["opens"], s["closes"]) for s in monday] == [("08:00", "12:00"), ("13:00", "17:00")]
    closure = [s for s in specs if "validFrom" in s]
    assert closure and closure[0]["opens"] == closure[0]["closes"] == "00:00"


def test_json_ld_on_the_treatment_page_names_the_same_clinic(client, full):
    html = client.get("/fulltown/isotretinoin/").content.decode()
    page = next(b for b in json_ld_blocks(html) if b["@type"] == "MedicalWebPage")
    assert page["provider"]["address"]["postalCode"] == "68005"


def test_json_ld_with_only_a_zip_has_geo_and_postal_code_only(client, make_location):
    make_location("Ziponly", postal_code="68028")
    html = client.get("/ziponly/").content.decode()
    clinic = next(b for b in json_ld_blocks(html) if b["@type"] == "MedicalClinic")
    assert clinic["address"] == {
        "@type": "PostalAddress",
        "postalCode": "68028",
        "addressCountry": "US",
    }
    assert "geo" in clinic
    assert "telephone" not in clinic and "openingHoursSpecification" not in clinic


def test_overnight_row_in_json_ld_closes_next_day(client, make_location):
    location = make_location("Nightly")
    OpeningHours.objects.create(
        location=location, weekday=4, opens=datetime.time(20), closes=datetime.time(2)
    )
    html = client.get("/nightly/").content.decode()
    clinic = next(b for b in json_ld_blocks(html) if b["@type"] == "MedicalClinic")
    assert clinic["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Friday",
            "opens": "20:00",
            "closes": "02:00",
        }
    ]


def test_treatment_page_call_to_action_shows_national_phone(client, full):
    html = client.get("/fulltown/isotretinoin/").content.decode()
    # The visit-or-call block's big phone link, in national format.
    assert re.search(r'<a [^>]*href="tel:\+14025550100">\(402\) 555-0100</a>', html)
    assert 'href="/fulltown/#hours-heading-fulltown"' in html


def test_consultation_form_keeps_its_clinic_and_shows_its_phone(client, full):
    """The clinic named by the URL is a summary with a way to change it, not a drop-down;
    its phone is right there for anyone who would rather call."""
    html = client.get("/fulltown/consultation/").content.decode()
    assert "<option" not in html
    assert f'<input type="hidden" name="location" value="{full.pk}"' in html
    summary = html.split('class="mod-card chosen-clinic"', 1)[1].split("</section>", 1)[0]
    assert "<strong><bdi>Fulltown</bdi></strong><br><bdi>Bellevue, NE 68005</bdi>" in summary
    assert 'href="/consultation/">Change<' in summary
    assert '<a class="tel-big" href="tel:+14025550100">' in summary
    assert "(402) 555-0100" in summary
    # Before the form's first question.
    assert html.index("chosen-clinic") < html.index('name="first_name"')


def test_editing_hours_in_the_admin_moves_the_sitemap_lastmod(full):
    before = Location.objects.get(pk=full.pk).updated_at
    OpeningHours.objects.create(
        location=full, weekday=5, opens=datetime.time(9), closes=datetime.time(12)
    )
    assert Location.objects.get(pk=full.pk).updated_at > before


# -- many locations -------------------------------------------------------------------


def test_home_page_and_footer_stay_small_with_many_locations(client):
    call_command("seed_locations", 60)
    html = client.get("/").content.decode()
    home_links = set(re.findall(r'href="/(test-clinic-\d+)/"', html))
    assert 0 < len(home_links) <= 6 + 8
    assert "See all 62 clinics" in html
    footer = html.split("<footer", 1)[1]
    assert len(re.findall(r'href="/test-clinic-\d+/"', footer)) <= 8
    assert 'href="/locations/"' in footer


def test_general_form_with_many_clinics_starts_with_the_finder(client):
    call_command("seed_locations", 30)
    html = client.get("/consultation/").content.decode()
    assert "<option" not in html
    assert 'action="/consultation/"' in html and 'name="q"' in html
    assert "All our clinics: 32 clinics" in html
    html = client.get("/consultation/", {"q": "test clinic 0007"}).content.decode()
    assert 'href="/test-clinic-0007/consultation/"' in html


def test_clinic_form_with_many_clinics_keeps_its_clinic_without_a_drop_down(client):
    call_command("seed_locations", 30)
    location = Location.objects.get(slug="test-clinic-0003")
    html = client.get("/test-clinic-0003/consultation/").content.decode()
    assert "<option" not in html
    assert f'<input type="hidden" name="location" value="{location.pk}"' in html
    assert "<dt>Clinic</dt>\n      <dd><strong><bdi>Test Clinic 0003 (fake)</bdi></strong>" in html


def test_sitemap_lists_every_active_location_with_lastmod(client):
    call_command("seed_locations", 40)
    xml = client.get("/sitemap.xml").content.decode()
    urls = re.findall(r"<url><loc>([^<]+)</loc><lastmod>[^<]+</lastmod>", xml.replace("\n", ""))
    slugs = {url.split("/")[3] for url in urls}
    assert {f"test-clinic-{n:04d}" for n in range(1, 41)} <= slugs
    assert sum(1 for url in urls if url.endswith("/isotretinoin/")) == 42


def test_sitemap_becomes_an_index_past_one_files_limit(client, monkeypatch):
    from pages.sitemaps import SiteSitemap

    call_command("seed_locations", 30)
    monkeypatch.setattr(SiteSitemap, "limit", 25)
    xml = client.get("/sitemap.xml").content.decode()
    assert "<sitemapindex" in xml
    parts = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert "http://testserver/sitemap-locations.xml?p=2" in parts
    # 32 locations, each in English and in Spanish: pages of 25, 25 and 14.
    page_two = client.get("/sitemap-locations.xml", {"p": 2}).content.decode()
    assert len(re.findall(r"<url>", page_two)) == 25
    page_three = client.get("/sitemap-locations.xml", {"p": 3}).content.decode()
    assert len(re.findall(r"<url>", page_three)) == 2 * 32 - 50


def test_seed_locations_makes_clearly_fake_clinics_at_real_zips():
    call_command("seed_locations", 5)
    fake = Location.objects.filter(slug__startswith="test-clinic-")
    assert fake.count() == 5
    for location in fake:
        assert location.name.endswith("(fake)")
        assert "Example Street" in location.street_address
        assert location.latitude is not None  # a real ZIP
        assert location.phone[5:10] == "55501"  # fictional 555-01xx
        assert not location.schedule().is_empty()
        location.full_clean()
    call_command("seed_locations", 2)
    assert Location.objects.filter(slug__startswith="test-clinic-").count() == 7


def test_reverse_url_of_the_finder():
    assert reverse("pages:finder") == "/locations/"
