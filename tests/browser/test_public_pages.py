"""Every public page in real Chromium: WCAG 2.2 A/AA (axe), phone and desktop widths,
200% zoom, and no requests to any host but the site itself."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every page a patient can reach without filling anything in, and its HTTP status.
PUBLIC_PAGES = {
    "home": ("/", 200),
    "bellevue": ("/bellevue/", 200),
    "gretna": ("/gretna/", 200),
    "bellevue-isotretinoin": ("/bellevue/isotretinoin/", 200),
    "gretna-isotretinoin": ("/gretna/isotretinoin/", 200),
    "consultation": ("/consultation/", 200),
    "bellevue-consultation": ("/bellevue/consultation/", 200),
    "thanks": ("/consultation/thanks/", 200),
    "nondiscrimination": ("/nondiscrimination/", 200),
    "language-assistance": ("/language-assistance/", 200),
    "privacy": ("/privacy/", 200),
    "privacy-es": ("/es/privacidad/", 200),
    "not-found": ("/no-such-page/", 404),
}
WIDTHS = [360, 1280]
HEIGHT = 800

# Elements sticking out of the viewport sideways, or clipped by an overflow:hidden box.
FIND_CUT_OFF_CONTENT = (Path(__file__).parent / "find_cut_off_content.js").read_text()


def open_page(page, live_server, name):
    path, status = PUBLIC_PAGES[name]
    response = page.goto(live_server.url + path)
    assert response.status == status
    return page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_page_has_no_wcag_violations(page, live_server, axe_violations, name, width):
    page.set_viewport_size({"width": width, "height": HEIGHT})
    open_page(page, live_server, name)
    count, report = axe_violations(page)
    assert count == 0, report


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_page_fits_the_screen_without_sideways_scrolling(
    page, live_server, save_screenshot, name, width
):
    page.set_viewport_size({"width": width, "height": HEIGHT})
    open_page(page, live_server, name)
    save_screenshot(page, f"{name}-{width}px")
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width
    assert page.evaluate(FIND_CUT_OFF_CONTENT) == []


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_page_zoomed_to_200_percent_cuts_nothing_off(browser, live_server, save_screenshot, name):
    # Zooming a 1280x800 window to 200% leaves 640x400 CSS pixels at twice the density.
    context = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    try:
        page = context.new_page()
        open_page(page, live_server, name)
        save_screenshot(page, f"{name}-zoom-200")
        assert page.evaluate("document.documentElement.scrollWidth") <= 640
        assert page.evaluate(FIND_CUT_OFF_CONTENT) == []
    finally:
        context.close()


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_page_loads_nothing_from_other_hosts(page, live_server, find_foreign_requests, name):
    open_page(page, live_server, name)
    page.wait_for_load_state("networkidle")
    assert any(url.endswith(".css") for url in page.requested_urls), page.requested_urls
    assert find_foreign_requests(page) == []


def test_a_request_to_another_host_is_noticed(page, live_server, find_foreign_requests):
    open_page(page, live_server, "home")
    # What an embedded font, map or tracker would do. The name cannot resolve (no network).
    with page.expect_request("https://fonts.example.invalid/a.woff2"):
        page.evaluate("new Image().src = 'https://fonts.example.invalid/a.woff2'")
    assert find_foreign_requests(page) == ["https://fonts.example.invalid/a.woff2"]
    page.requested_urls.clear()  # noticed; let the fixture's own check pass
