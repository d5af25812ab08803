"""The design issue in real Chromium: WCAG 2.2 AA (axe) on the treatment and thank-you
pages at a phone's and a laptop's width in both languages, the next step inside a phone's
first screen, a one-line header on a phone, and no sideways scrolling at 320 px."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from pages.models import Location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
TREATMENT = {"en": "/bellevue/isotretinoin/", "es": "/es/bellevue/isotretinoina/"}
FORM = {"en": "/gretna/consultation/", "es": "/es/gretna/consulta/"}
PHONE = {"width": 390, "height": 844}


def wcag22_violations(page):
    options = {"runOnly": {"type": "tag", "values": WCAG22_AA}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    return results.violations_count, results.generate_report()


@pytest.fixture
def gretna_with_phone(db):
    """A fictional 555 number, so the call buttons show (the seeded clinics have none)."""
    Location.objects.filter(slug="gretna").update(phone="+14025550100")


def send_form(page, url, settings):
    settings.CONSULTATION_MIN_SECONDS = 0
    page.goto(url)
    page.fill("#id_first_name", "Sam")
    page.fill("#id_last_name", "Sample")
    page.check("input[name=contact_method][value=email]")
    page.fill("#id_email", "sam@example.com")
    page.locator("input[name=topic]").first.check()
    page.locator("input[name=patient_type]").first.check()
    page.locator("input[name=consent]").check()
    time.sleep(0.1)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("language", ["en", "es"])
def test_treatment_page_meets_wcag_22_aa(page, live_server, language, width):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(live_server.url + TREATMENT[language])
    count, report = wcag22_violations(page)
    assert count == 0, report


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("language", ["en", "es"])
def test_thanks_page_meets_wcag_22_aa_and_says_when(
    page, live_server, settings, gretna_with_phone, language, width
):
    page.set_viewport_size({"width": width, "height": 844})
    send_form(page, live_server.url + FORM[language], settings)
    expect(page.locator(".contact-by time")).to_be_visible()
    expect(page.locator('a[href="tel:+14025550100"]')).to_be_visible()
    count, report = wcag22_violations(page)
    assert count == 0, report


@pytest.mark.parametrize("language", ["en", "es"])
def test_next_step_is_inside_a_phones_first_screen(page, live_server, gretna_with_phone, language):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + TREATMENT[language].replace("bellevue", "gretna"))
    main = page.locator("main")
    for action in (
        main.locator('a[href$="/consultation/"], a[href$="/consulta/"]').first,
        main.locator('a[href="tel:+14025550100"]').first,
    ):
        box = action.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
        assert box["height"] >= 44 and box["width"] >= 44, box


@pytest.mark.parametrize("path", ["/", "/bellevue/isotretinoin/", "/es/bellevue/isotretinoina/"])
def test_header_is_one_line_on_a_phone_with_the_request_one_tap_away(page, live_server, path):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + path)
    header = page.locator(".site-header-bar").bounding_box()
    assert header["height"] <= 64, header
    tops = [
        page.locator(selector).bounding_box()["y"]
        for selector in (".site-brand", ".site-header-cta", ".site-menu > summary")
    ]
    assert max(tops) - min(tops) <= 8, tops
    expect(page.locator(".site-header-cta")).to_be_visible()
    # The menu opens with no script: a <details>.
    page.locator(".site-menu > summary").click()
    expect(page.locator(".site-menu-panel a.language-link")).to_be_visible()


@pytest.mark.parametrize("width", [320, 390])
@pytest.mark.parametrize("path", ["/bellevue/isotretinoin/", "/es/bellevue/isotretinoina/"])
def test_no_sideways_scrolling_on_small_phones(page, live_server, path, width):
    page.set_viewport_size({"width": width, "height": 700})
    page.goto(live_server.url + path)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, scroll


def test_body_text_lines_stay_under_about_75_characters(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + TREATMENT["en"])
    # The widest paragraph, in characters of its own font (average glyph ~0.5em).
    widest = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('main p')].map(p => {
            const size = parseFloat(getComputedStyle(p).fontSize);
            return p.getBoundingClientRect().width / (size * 0.5);
        }))"""
    )
    assert widest <= 80, widest
