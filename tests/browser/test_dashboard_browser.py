"""The staff dashboard (admin index) in real Chromium: WCAG 2.1 A/AA with axe, the chart
drawn without scripts or other hosts, every figure reachable as a link, and the tables'
pages of clinics (requests and bookings) reached by keyboard."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from consultations.models import ConsultationRequest
from pages.models import Location
from staff.models import StaffAllLocationsAccess
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def more_clinics_than_a_page():
    """Thirty more clinics (before the requests are made for every clinic), and bookings
    at every clinic: both tables of clinics have a second page."""
    for n in range(30):
        factories.make_location(f"Clinic {n:02}", slug=f"clinic-{n:02}")
    factories.add_bookings(list(Location.objects.all()), 120)


@pytest.fixture
def signed_in_front_desk(page, live_server, settings):
    settings.STAFF_REQUIRE_2FA = False  # the second factor has its own tests
    user = User.objects.create_user("frontdesk", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Front desk"))
    StaffAllLocationsAccess.objects.create(user=user)
    now = timezone.now()
    for n, location in enumerate(Location.objects.all()):
        for hours_ago in (1, 5, 30, 200):
            request = ConsultationRequest.objects.create(
                location=location,
                first_name="Test",
                last_name="Patient",
                email="test@example.invalid",
                contact_method="email",
                topic="general",
                patient_type="new",
                consent_at=now,
                due_at=now - timedelta(hours=hours_ago - 2),
            )
            received = now - timedelta(hours=hours_ago)
            fields = {"created_at": received}
            if hours_ago > 5:
                fields.update(
                    status="contacted",
                    first_contacted_at=received + timedelta(minutes=40 + n * 30),
                    first_contact_business_minutes=40 + n * 30,
                    first_contact_minutes=40 + n * 30,
                )
            ConsultationRequest.objects.filter(pk=request.pk).update(**fields)
    page.goto(live_server.url + "/" + settings.ADMIN_URL)
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


@pytest.mark.parametrize("width", [360, 1280])
def test_dashboard_has_no_wcag_violations(
    signed_in_front_desk, axe_violations, save_screenshot, width
):
    page = signed_in_front_desk
    page.set_viewport_size({"width": width, "height": 900})
    page.get_by_role("heading", name="How fast patients hear from us").wait_for()
    save_screenshot(page, f"staff-dashboard-{width}px")
    count, report = axe_violations(page)
    assert count == 0, report


def test_dashboard_chart_is_an_image_with_a_table_and_figures_link_to_lists(
    signed_in_front_desk, find_foreign_requests
):
    page = signed_in_front_desk
    chart = page.get_by_role("img", name="Requests and median time to first contact per week")
    assert chart.count() == 1
    assert page.get_by_role("table").filter(has_text="Week starting").count() == 1
    assert find_foreign_requests(page) == []
    # The Bellevue overdue count leads to the overdue requests there.
    row = page.get_by_role("row").filter(has_text="Bellevue").first
    row.get_by_role("link", name="⚠ 1").click()
    page.wait_for_url("**/consultationrequest/?*response=overdue*")
    assert page.get_by_text("Overdue by").count() == 1


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_of_clinics_have_no_wcag_violations_and_turn_by_keyboard(
    more_clinics_than_a_page, signed_in_front_desk, axe_violations, save_screenshot, width
):
    page = signed_in_front_desk
    page.set_viewport_size({"width": width, "height": 900})
    bookings = page.get_by_role("navigation", name="Pages of clinics in the booking figures")
    bookings.wait_for()
    assert page.get_by_role("navigation", name="Pages of clinics", exact=True).count() == 1
    save_screenshot(page, f"staff-dashboard-paged-{width}px")
    count, report = axe_violations(page)
    assert count == 0, report
    # The booking table scrolls sideways on a phone: its region takes the focus.
    region = page.get_by_role("region", name="Bookings by clinic")
    region.focus()
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == (
        "Bookings by clinic"
    )
    page.keyboard.press("Tab")  # then the link to its next clinics
    assert page.evaluate("() => document.activeElement.textContent") == "Next clinics"
    page.keyboard.press("Enter")
    page.wait_for_url("**bookings_page=2**")
    page.get_by_text("Clinics 26–").wait_for()
    count, report = axe_violations(page)
    assert count == 0, report
