"""The clinic finder and a location page with every field entered, in real Chromium:
axe (WCAG 2.1 A/AA) at phone and desktop widths, nothing from other hosts, keyboard use,
and the "Open now" line our own script computes in the clinic's time zone."""

import datetime
import zoneinfo
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [360, 1280]
PAGES = {
    "finder": "/locations/",
    "finder-zip": "/locations/?q=68005",
    "finder-unknown-zip": "/locations/?q=00000",
    "finder-city": "/locations/?q=omaha",
    "full-location": "/fulltown/",
    "full-location-treatment": "/fulltown/isotretinoin/",
}


def next_tuesday():
    """A Tuesday in the coming weeks (pages list closures from today on)."""
    today = datetime.datetime.now(zoneinfo.ZoneInfo("America/Chicago")).date()
    return today + datetime.timedelta(days=(1 - today.weekday()) % 7 + 7)


@pytest.fixture(autouse=True)
def full_location(_seed_data):
    """Every field entered: made-up street and number at real ZIP codes."""
    from pages.models import ClosureDate, Location, OpeningHours

    location = Location.objects.create(
        name="Fulltown",
        slug="fulltown",
        street_address="100 Example Street\nSuite 2",
        city="Bellevue",
        state="NE",
        postal_code="68005",
        phone="+14025550100",
        time_zone="America/Chicago",
    )
    for weekday in range(5):
        for opens, closes in [(8, 12), (13, 17)]:
            OpeningHours.objects.create(
                location=location,
                weekday=weekday,
                opens=datetime.time(opens),
                closes=datetime.time(closes),
            )
    ClosureDate.objects.create(location=location, date=next_tuesday(), reason="Staff day")
    Location.objects.create(
        name="Omaha Test", slug="omaha-test", city="Omaha", state="NE", postal_code="68102"
    )
    return location


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_finder_and_full_location_pages_pass_axe_and_load_only_our_files(
    page, live_server, axe_violations, find_foreign_requests, save_screenshot, name, width
):
    page.set_viewport_size({"width": width, "height": 800})
    response = page.goto(live_server.url + PAGES[name])
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    save_screenshot(page, f"{name}-{width}px")
    count, report = axe_violations(page)
    assert count == 0, report
    assert find_foreign_requests(page) == []
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width


def test_keyboard_only_search_by_zip_lists_the_nearest_first(page, live_server):
    page.goto(live_server.url + "/locations/")
    page.keyboard.press("Tab")  # skip link
    box = page.get_by_label("ZIP code, city, state or clinic name")
    while not box.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.type("68005")
    page.keyboard.press("Enter")
    page.wait_for_url("**/locations/?q=68005")
    expect(page.get_by_role("status")).to_contain_text("2 clinics nearest to 68005")
    names = page.locator(".finder-result h3").all_inner_texts()
    # The measured clinics first; then those with no address yet (never silently missing).
    assert names == ["Fulltown", "Omaha Test", "Bellevue", "Gretna"]
    expect(page.locator(".finder-result").first).to_contain_text("Less than 1 mile away")


def test_unknown_zip_says_so(page, live_server):
    page.goto(live_server.url + "/locations/?q=00000")
    expect(page.get_by_role("status")).to_contain_text("could not find the ZIP code 00000")


def at_clinic(*args):
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday 10:00 in Bellevue, before the lunch break.
        (at_clinic(2026, 3, 2, 10, 0), "Open now · closes 12:00 PM"),
        # Monday lunch break.
        (at_clinic(2026, 3, 2, 12, 30), "Closed · opens 1:00 PM"),
        # Monday evening before a closed Tuesday: Wednesday.
        (None, "Closed · opens Wednesday 8:00 AM"),
        # Saturday, read by a visitor whose own clock is in another zone (UTC here).
        (at_clinic(2026, 3, 7, 11, 0), "Closed · opens Monday 8:00 AM"),
        # The Monday after spring forward (2027-03-14): wall-clock hours still 8 to 12.
        (at_clinic(2027, 3, 15, 8, 0), "Open now · closes 12:00 PM"),
        # The Monday after fall back (2026-11-01), a minute before closing.
        (at_clinic(2026, 11, 2, 16, 59), "Open now · closes 5:00 PM"),
    ],
)
@pytest.mark.parametrize("source", ["page offsets", "browser zone data"])
def test_open_now_line_matches_the_hours_in_the_clinics_time_zone(
    page, live_server, full_location, now, expected, source, monkeypatch
):
    from pages import hours, presentation

    if now is None:
        monday = next_tuesday() - datetime.timedelta(days=1)
        now = at_clinic(monday.year, monday.month, monday.day, 18, 0)
    # Same answer as the server's own opening-hours logic.
    schedule = full_location.schedule()
    assert hours.is_open(schedule, now) == expected.startswith("Open")
    if source == "page offsets":
        # The page is served on that day, so its year of offsets covers the moment.
        monkeypatch.setattr(presentation, "timezone", SimpleNamespace(now=lambda: now))
    else:
        # Offsets that end before the moment: the script must ask the browser (Intl).
        monkeypatch.setattr(presentation, "_offsets_json", lambda zone, today: "[]")
    page.clock.set_fixed_time(now)
    page.goto(live_server.url + "/fulltown/")
    expect(page.locator(".opening-status")).to_be_visible()
    expect(page.locator(".opening-status-text")).to_have_text(expected)


def test_without_javascript_the_hours_table_still_tells_everything(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/fulltown/")
        expect(page.locator(".opening-status")).to_be_hidden()
        row = page.get_by_role("row", name="Monday")
        expect(row).to_contain_text("8:00 AM – 12:00 PM, 1:00 PM – 5:00 PM")
        expect(page.get_by_role("row", name="Saturday")).to_contain_text("Closed")
        page.get_by_role("link", name="Find a clinic").click()
        page.wait_for_url("**/locations/")
        page.get_by_label("ZIP code, city, state or clinic name").fill("omaha")
        page.get_by_role("button", name="Find a clinic").click()
        page.wait_for_url("**/locations/?q=omaha")
        expect(page.get_by_role("status")).to_contain_text("1 clinic matches “omaha”")
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_general_form_with_many_clinics_starts_with_an_accessible_finder(
    page, live_server, axe_violations, find_foreign_requests, width
):
    import io

    from django.core.management import call_command

    call_command("seed_locations", 25, stdout=io.StringIO())
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/consultation/?q=Test+Clinic+0003")
    count, report = axe_violations(page)
    assert count == 0, report
    assert find_foreign_requests(page) == []
    page.get_by_role("link", name="Choose Test Clinic 0003 (fake)").click()
    page.wait_for_url("**/test-clinic-0003/consultation/")
    expect(page.locator(".chosen-clinic")).to_contain_text("Test Clinic 0003 (fake)")


def many_clinics():
    """Past one page of clinics: 45 in Nebraska, so the state has three pages."""
    from tests.pages.test_finder_by_state import add_clinics

    add_clinics(45, state="NE")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/locations/", "/locations/?state=NE&page=2", "/es/consulta/"])
def test_with_many_clinics_the_states_and_pages_pass_axe(
    page, live_server, axe_violations, find_foreign_requests, path, width
):
    many_clinics()
    page.set_viewport_size({"width": width, "height": 800})
    assert page.goto(live_server.url + path).status == 200
    count, report = axe_violations(page)
    assert count == 0, report
    assert find_foreign_requests(page) == []
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width


def test_without_javascript_a_patient_browses_a_states_clinics_page_by_page(browser, live_server):
    many_clinics()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/locations/")
        page.get_by_role("link", name="Nebraska").click()
        page.wait_for_url("**/locations/?state=NE")
        expect(page.get_by_role("status")).to_contain_text("47 clinics in Nebraska")
        page.get_by_role("link", name="Next page").click()
        page.wait_for_url("**/locations/?state=NE&page=2")
        expect(page.get_by_text("Page 2 of 3")).to_be_visible()
        assert page.locator(".finder-result").count() == 20
        page.get_by_role("link", name="Previous page").click()
        page.wait_for_url("**/locations/?state=NE")
    finally:
        context.close()
