"""Whole journeys in real Chromium: a patient finding their clinic and asking for a visit
(with the mouse, then with the keyboard only), a form sent with mistakes, and staff
handling the request in the admin."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from consultations.models import ConsultationRequest
from staff.models import StaffAllLocationsAccess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The most Tab presses any control on the form may need; a loop means it is unreachable.
MAX_TABS = 60
# The thank-you page (a fragment such as #main from the skip link may follow).
THANKS = re.compile(r"/consultation/thanks/(#.*)?$")


@pytest.fixture(autouse=True)
def _quick_patients(settings):
    # A script fills the form faster than the robot check allows a person to.
    settings.CONSULTATION_MIN_SECONDS = 0
    settings.CONSULTATION_NOTIFY_EMAIL = "frontdesk@example.com"


def focused(page):
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {id: el.id, tag: el.tagName.toLowerCase(), name: el.name || '',
                  value: el.value || '', text: (el.innerText || '').trim(),
                  outline: style.outlineStyle, shadow: style.boxShadow};
        }"""
    )


def tab_to(page, matches, key="Tab"):
    """Press Tab until the focused element matches; each stop must show a focus ring."""
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        element = focused(page)
        assert element["outline"] != "none" or element["shadow"] != "none", element
        assert element["id"] != "id_website", "the robot trap must never take focus"
        if matches(element):
            return element
    raise AssertionError(f"Could not reach the element with {key} in {MAX_TABS} presses")


def test_patient_goes_from_home_to_their_clinics_form_and_sends_it(page, live_server):
    page.goto(live_server.url + "/")
    page.locator("#locations").get_by_role("link", name="Gretna", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("MOD Dermatology Gretna")
    page.get_by_role("link", name="Isotretinoin for severe acne").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("isotretinoin", ignore_case=True)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gretna")
    page.get_by_role("link", name="Request a consultation in Gretna").first.click()

    page.wait_for_url("**/gretna/consultation/")
    expect(page.locator(".chosen-clinic dd strong")).to_have_text("Gretna")
    page.get_by_label("First name").fill("Pat")
    page.get_by_label("Last name").fill("Journey")
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("E-mail address").fill("pat.journey@example.net")
    page.get_by_label("Isotretinoin", exact=True).check()
    page.get_by_label("New patient").check()
    page.get_by_label("I agree that MOD Dermatology staff may contact me").check()
    page.get_by_role("button", name="Send request").click()

    page.wait_for_url(THANKS)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    saved = ConsultationRequest.objects.get()
    assert (saved.location.slug, saved.email, saved.topic) == (
        "gretna",
        "pat.journey@example.net",
        "isotretinoin",
    )
    assert "pat.journey" not in page.url and "Journey" not in page.url


def test_patient_sends_the_form_with_the_keyboard_only(page, live_server):
    page.goto(live_server.url + "/bellevue/consultation/")

    skip = tab_to(page, lambda el: el["tag"] == "a")
    assert skip["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    tab_to(page, lambda el: el["id"] == "id_first_name")
    page.keyboard.type("Kim")
    tab_to(page, lambda el: el["id"] == "id_last_name")
    page.keyboard.type("Keyboard")
    # Into the contact group: the first choice, "Phone call", takes focus; Space picks it.
    tab_to(page, lambda el: el["name"] == "contact_method")
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["id"] == "id_phone")
    page.keyboard.type("402 555 0147")
    # Back one step and forward again: Shift+Tab returns to the chosen contact method.
    back = tab_to(page, lambda el: el["name"] == "contact_method", key="Shift+Tab")
    assert back["value"] == "phone"
    tab_to(page, lambda el: el["id"] == "id_phone")
    tab_to(page, lambda el: el["name"] == "topic")
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["name"] == "patient_type")
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["id"] == "id_consent")
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["value"] == "Send request")
    page.keyboard.press("Enter")

    page.wait_for_url(THANKS)
    saved = ConsultationRequest.objects.get()
    assert (saved.location.slug, saved.full_name, saved.phone, saved.contact_method) == (
        "bellevue",
        "Kim Keyboard",
        "+14025550147",
        "phone",
    )


def test_with_the_keyboard_only_a_patient_goes_from_each_error_to_its_field(page, live_server):
    page.goto(live_server.url + "/bellevue/consultation/")
    tab_to(page, lambda el: el["id"] == "id_first_name")
    page.keyboard.type("Kim")
    tab_to(page, lambda el: el["value"] == "Send request")
    page.keyboard.press("Enter")  # the rest left empty

    expect(page.locator("#form-errors")).to_be_focused()
    first_link = tab_to(page, lambda el: el["tag"] == "a")
    assert first_link["text"].startswith("Last name")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_last_name"
    page.keyboard.type("Keyboard")
    # Back to the summary with Shift+Tab, on to the next error.
    tab_to(page, lambda el: el["text"].startswith("Last name"), key="Shift+Tab")
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "a"
    page.keyboard.press("Enter")
    assert focused(page)["id"] != "id_last_name"
    assert ConsultationRequest.objects.count() == 0


@pytest.mark.parametrize("width", [360, 1280])
def test_error_summary_takes_focus_and_links_each_error_to_its_field(
    page, live_server, axe_violations, save_screenshot, width
):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/bellevue/consultation/")
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("E-mail address").fill("not an address")
    page.get_by_role("button", name="Send request").click()

    expect(page.locator("#form-errors")).to_be_focused()
    save_screenshot(page, f"consultation-errors-{width}px")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    count, report = axe_violations(page)
    assert count == 0, report

    links = page.locator("#form-errors a")
    targets = [href.lstrip("#") for href in links.evaluate_all("els => els.map(a => a.hash)")]
    assert {"id_first_name", "id_email", "id_topic_0", "id_consent"} <= set(targets)
    for index, target in enumerate(targets):
        links.nth(index).click()
        assert focused(page)["id"] == target
        field = page.locator(f"#{target}")
        assert field.get_attribute("aria-invalid") == "true"
    assert ConsultationRequest.objects.count() == 0


def test_staff_find_a_new_request_mark_it_contacted_and_export_it(page, live_server, settings):
    settings.STAFF_REQUIRE_2FA = False  # the second factor has its own tests
    manager = User.objects.create_user("manager", password="a-long-test-password", is_staff=True)
    manager.groups.add(Group.objects.get(name="Practice manager"))
    StaffAllLocationsAccess.objects.create(user=manager)
    page.goto(live_server.url + "/gretna/consultation/")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Request")
    page.get_by_label("Phone call").check()
    page.get_by_label("Phone number").fill("(402) 555-0188")
    page.get_by_label("General skin concern").check()
    page.get_by_label("Returning patient").check()
    page.get_by_label("I agree that MOD Dermatology staff may contact me").check()
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url(THANKS)
    request = ConsultationRequest.objects.get()

    page.goto(live_server.url + "/" + settings.ADMIN_URL)
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("rowheader").get_by_role("link", name="Consultation requests").click()
    page.locator("#searchbar").fill("Robin")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text="Robin Request")
    expect(row).to_have_count(1)
    row.get_by_role("checkbox").check()
    action = page.get_by_role("combobox", name="Action")
    action.select_option(label="Mark selected requests as contacted")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist .success")).to_contain_text("1 request")
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.CONTACTED

    page.get_by_role("row").filter(has_text="Robin Request").get_by_role("checkbox").check()
    action.select_option(label="Export selected requests to CSV")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Go").click()
    text = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2, rows
    assert {"Robin", "Request", "Contacted"} <= set(rows[1]), rows
