"""The consultation form in real Chromium: a patient can fill it in and send it, and the
error state is accessible too."""

import pytest
from playwright.sync_api import expect

from consultations.models import ConsultationRequest
from staff.models import NotificationOutbox

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _quick_patients(settings):
    # A script fills the form faster than the robot check allows a person to.
    settings.CONSULTATION_MIN_SECONDS = 0
    settings.CONSULTATION_NOTIFY_EMAIL = "frontdesk@example.com"


def test_patient_fills_in_and_sends_the_form(page, live_server, make_location):
    # Its own location: with Playwright's fixtures active, serialized_rollback does not
    # bring back the migration-made locations on PostgreSQL after an earlier flush.
    make_location("Omaha")
    page.goto(live_server.url + "/omaha/consultation/")
    # The clinic named by the address: a summary with a way to change it, sent hidden.
    expect(page.locator(".chosen-clinic")).to_contain_text("Omaha")
    assert page.locator("input[name=location]").input_value() != ""
    expect(page.get_by_label("Leave this box empty")).to_be_hidden()
    page.get_by_label("First name").fill("Browser")
    page.get_by_label("Last name").fill("Patient")
    page.get_by_label("Phone call").check()
    page.get_by_label("Phone number").fill("402 555 0123")
    page.get_by_label("Afternoon").check()
    page.get_by_label("Other acne treatment").check()
    page.get_by_label("New patient").check()
    page.get_by_label("I agree that MOD Dermatology staff may contact me").check()
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/consultation/thanks/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    saved = ConsultationRequest.objects.get()
    assert (saved.location.slug, saved.last_name, saved.phone, saved.topic) == (
        "omaha",
        "Patient",
        "+14025550123",
        "other_acne",
    )
    # Reloading the thank-you page stores nothing more.
    page.reload()
    assert ConsultationRequest.objects.count() == 1
    assert NotificationOutbox.objects.get().state == NotificationOutbox.State.SENT


def test_form_with_errors_explains_them_accessibly(page, live_server, axe_violations):
    page.goto(live_server.url + "/consultation/")
    page.get_by_role("button", name="Send request").click()
    summary = page.get_by_role("alert").filter(has_text="Please check your answers")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name="First name").click()
    expect(page.get_by_label("First name")).to_be_focused()
    count, report = axe_violations(page)
    assert count == 0, report
    assert ConsultationRequest.objects.count() == 0
