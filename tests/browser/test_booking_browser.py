"""Online booking in real Chromium: WCAG 2.2 A/AA (axe) on the time choice and details
page, the form with errors and the confirmation (manage) page, at phone and desktop widths,
in English and Spanish; choosing a time and booking with the keyboard alone; time buttons
at least 44 x 44 px; a screenshot of the times at 390 px to look at."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from appointments.models import Booking
from consultations.models import ConsultationRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [360, 1280]
LANGUAGES = {
    "en": ("/bellevue/book/", "Book this time", "You are booked"),
    "es": ("/es/bellevue/reservar/", "Reservar esta hora", "Su cita está reservada"),
}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


@pytest.fixture(autouse=True)
def bookable_bellevue(settings):
    settings.CONSULTATION_MIN_SECONDS = 0
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 0
    call_command(
        "set_booking_hours",
        "bellevue",
        "Mon-Sun 09:00-12:00,13:00-16:00",
        "--notice-hours=1",
        stdout=io.StringIO(),
    )


def violations(page):
    results = Axe().run(page, options=AXE_OPTIONS)
    return results.violations_count, results.generate_report()


def fill_details(page):
    page.locator("#id_first_name").fill("Ana")
    page.locator("#id_last_name").fill("Booker")
    page.locator("input[name=contact_method][value=email]").check()
    page.locator("#id_email").fill("ana@example.net")
    page.locator("input[name=patient_type][value=new]").check()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_booking_pages_have_no_wcag_22_violations(page, live_server, language, width):
    path, button, booked = LANGUAGES[language]
    page.set_viewport_size({"width": width, "height": 800})
    assert page.goto(live_server.url + path).status == 200
    assert page.get_attribute("html", "lang") == language
    count, report = violations(page)
    assert count == 0, report
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("button", name=button).click()  # nothing filled in: the errors
    expect(page.locator("#form-errors")).to_be_visible()
    count, report = violations(page)
    assert count == 0, report

    page.locator(".booking-time label").first.click()
    fill_details(page)
    page.get_by_role("button", name=button).click()
    expect(page.get_by_text(booked).first).to_be_visible()
    count, report = violations(page)
    assert count == 0, report
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_patient_chooses_a_time_and_books_with_the_keyboard_alone(page, live_server):
    page.goto(live_server.url + "/bellevue/book/")
    first_time = page.locator("input[name=start]").first
    first_time.focus()
    page.keyboard.press("Space")
    expect(first_time).to_be_checked()
    page.keyboard.press("ArrowRight")  # the next time in the same radio group
    chosen = page.locator("input[name=start]").nth(1)
    expect(chosen).to_be_checked()
    value = chosen.get_attribute("value")

    for selector, text in (("#id_first_name", "Ana"), ("#id_last_name", "Booker")):
        page.locator(selector).focus()
        page.keyboard.type(text)
    page.locator("input[name=contact_method][value=email]").focus()
    page.keyboard.press("Space")
    page.locator("#id_email").focus()
    page.keyboard.type("ana@example.net")
    page.locator("input[name=patient_type][value=new]").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Book this time").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("You are booked").first).to_be_visible()
    booking = Booking.objects.get()
    assert booking.local_start().isoformat() == value  # the second time, as chosen


def test_enter_in_a_text_box_books_the_chosen_time(page, live_server):
    # The request form's button comes after the booking form: Enter presses "Book this time".
    page.goto(live_server.url + "/bellevue/book/")
    page.locator(".booking-time label").first.click()
    fill_details(page)
    page.locator("#id_email").press("Enter")

    expect(page.get_by_text("You are booked").first).to_be_visible()
    assert Booking.objects.count() == 1 and not ConsultationRequest.objects.exists()


def test_request_a_consultation_carries_the_typed_details_to_the_request_form(page, live_server):
    page.goto(live_server.url + "/bellevue/book/")
    fill_details(page)
    page.locator("#id_phone").fill("(402) 555-0187 x123")
    page.locator("#id_interpreter_needed").check()
    page.get_by_role("button", name="Request a consultation").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Request a consultation")
    assert page.url == live_server.url + "/bellevue/consultation/"  # nothing in the URL
    expect(page.locator("#id_first_name")).to_have_value("Ana")
    expect(page.locator("#id_last_name")).to_have_value("Booker")
    expect(page.locator("#id_phone")).to_have_value("(402) 555-0187 x123")
    expect(page.locator("#id_email")).to_have_value("ana@example.net")
    expect(page.locator("input[name=contact_method][value=email]")).to_be_checked()
    expect(page.locator("#id_interpreter_needed")).to_be_checked()
    expect(page.locator("#form-errors")).to_have_count(0)
    assert not Booking.objects.exists() and not ConsultationRequest.objects.exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_time_and_day_control_is_at_least_44_by_44(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/bellevue/book/")
    controls = page.locator(".booking-time label, .booking-day, .booking-week-link")
    assert controls.count() > 5
    for n in range(controls.count()):
        box = controls.nth(n).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (n, box)


def test_the_time_choice_page_at_390_px_is_saved_to_look_at(page, live_server, save_screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/bellevue/book/")
    path = save_screenshot(page, "booking-times-390")
    assert path.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# Bellevue is in Chicago's zone.
@pytest.mark.parametrize(
    "device_zone, says_elsewhere",
    [("America/Chicago", False), ("Asia/Tokyo", True), ("America/Los_Angeles", True)],
)
def test_a_device_in_another_zone_is_told_times_are_the_clinics_and_nothing_moves(
    browser, live_server, device_zone, says_elsewhere, main_layout_shifts
):
    context = browser.new_context(timezone_id=device_zone, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.add_init_script(main_layout_shifts)
        assert page.goto(live_server.url + "/bellevue/book/").status == 200
        elsewhere = page.get_by_text("Your device is set to another time zone.")
        if says_elsewhere:
            expect(elsewhere).to_be_visible()
        else:
            page.wait_for_load_state("load")
            expect(elsewhere).to_be_hidden()
        shown = ".booking-zone-elsewhere" if says_elsewhere else ".booking-zone-here"
        expect(page.locator(shown)).to_contain_text("All times are the clinic's local time")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__shifts") == []
    finally:
        context.close()
