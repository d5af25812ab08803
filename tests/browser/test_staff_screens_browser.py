"""Staff screens at laptop (1,280 px) and tablet (1,024 px) widths in real Chromium: the
request list fits without sideways scrolling, a request's page leads with when it is due
and how to reach the patient, the location editor labels every field, and axe-core finds
no WCAG 2.2 A/AA violation on any of them."""

import datetime
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from consultations.models import ConsultationRequest
from pages.models import ClosureDate, Location, OpeningHours
from staff.models import AuditEvent, StaffAllLocationsAccess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LIST_COLUMNS = ["Who", "Location", "Received", "Status", "First contact due"]


@pytest.fixture
def axe_22():
    """axe-core with the WCAG 2.2 A/AA tags (the shared fixture runs the 2.1 ones)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}

    def run(page):
        results = axe.run(page, options=options)
        return results.violations_count, results.generate_report()

    return run


def add_requests():
    """Per clinic: one overdue, one due soon, two contacted; long names and addresses, as
    real ones can be, so the columns are tested with text that wraps."""
    now = timezone.now()
    made = []
    for n, location in enumerate(Location.objects.order_by("pk")):
        for hours_ago in (1, 5, 30, 200):
            request = ConsultationRequest.objects.create(
                location=location,
                first_name="Maria-Guadalupe",
                last_name="Hernandez-Villanueva",
                email="maria.hernandez.villanueva@example.invalid",
                phone="+14025550123",
                contact_method="phone" if hours_ago % 2 else "email",
                preferred_language="es",
                interpreter_needed=hours_ago == 5,
                topic="general",
                patient_type="new",
                consent_at=now,
                due_at=now - timedelta(hours=hours_ago - 2),
            )
            fields = {"created_at": now - timedelta(hours=hours_ago)}
            if hours_ago > 5:
                fields.update(
                    status="contacted",
                    first_contacted_at=now - timedelta(hours=hours_ago - 1),
                    first_contact_business_minutes=40 + n * 30,
                    first_contact_minutes=40 + n * 30,
                )
            ConsultationRequest.objects.filter(pk=request.pk).update(**fields)
            made.append(request)
    return made


def sign_in(page, live_server, settings, username):
    settings.STAFF_REQUIRE_2FA = False  # the second factor has its own tests
    page.goto(live_server.url + "/" + settings.ADMIN_URL)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/" + settings.ADMIN_URL)
    return page


@pytest.fixture
def front_desk(page, live_server, settings):
    user = User.objects.create_user("frontdesk", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Front desk"))
    StaffAllLocationsAccess.objects.create(user=user)
    page.made = add_requests()
    return sign_in(page, live_server, settings, "frontdesk")


@pytest.fixture
def location_editor(page, live_server, settings):
    User.objects.create_superuser("editor", password=PASSWORD)
    bellevue = Location.objects.get(slug="bellevue")
    OpeningHours.objects.filter(location=bellevue).delete()
    for day in range(5):
        OpeningHours.objects.create(
            location=bellevue, weekday=day, opens=datetime.time(8), closes=datetime.time(12)
        )
        OpeningHours.objects.create(
            location=bellevue, weekday=day, opens=datetime.time(13), closes=datetime.time(17)
        )
    ClosureDate.objects.create(
        location=bellevue, date=datetime.date(2030, 12, 25), reason="Holiday"
    )
    page.bellevue = bellevue
    return sign_in(page, live_server, settings, "editor")


def go(page, live_server, url, width, height=900):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + url)


def right_edges(page, names):
    """{header text: its right edge in px} for the results table's column headers."""
    return page.evaluate(
        """(names) => {
            const edges = {};
            for (const th of document.querySelectorAll('#result_list thead th')) {
                const text = th.textContent.trim();
                if (names.includes(text)) edges[text] = th.getBoundingClientRect().right;
            }
            return edges;
        }""",
        names,
    )


@pytest.mark.parametrize("width", [1280, 1024])
def test_request_list_shows_its_five_columns_without_sideways_scrolling(
    front_desk, live_server, save_screenshot, width
):
    page = front_desk
    go(page, live_server, reverse("admin:consultations_consultationrequest_changelist"), width)
    save_screenshot(page, f"staff-request-list-{width}px")
    edges = right_edges(page, LIST_COLUMNS)
    assert sorted(edges) == sorted(LIST_COLUMNS)
    assert all(edge <= width for edge in edges.values()), edges
    scroll = page.evaluate(
        """() => {
            const box = document.querySelector('#changelist .results');
            return [box.scrollWidth, box.clientWidth, document.documentElement.scrollWidth];
        }"""
    )
    assert scroll[0] <= scroll[1] and scroll[2] <= width, scroll


def test_request_list_marks_overdue_rows_with_a_class_and_words(front_desk, live_server):
    page = front_desk
    go(page, live_server, reverse("admin:consultations_consultationrequest_changelist"), 1280)
    overdue = page.locator("#result_list tr.overdue-row")
    # One overdue request per clinic: received 5 hours ago, due 3 hours ago, not contacted.
    assert overdue.count() == Location.objects.count()
    for n in range(overdue.count()):
        assert "Overdue by" in overdue.nth(n).inner_text()
    assert page.locator("#result_list tbody tr:not(.overdue-row)", has_text="Overdue").count() == 0


def test_request_list_has_no_wcag_22_violations(front_desk, live_server, axe_22):
    page = front_desk
    go(page, live_server, reverse("admin:consultations_consultationrequest_changelist"), 1280)
    count, report = axe_22(page)
    assert count == 0, report


def overdue_request(page):
    return next(r for r in page.made if r.location.slug == "bellevue" and r.interpreter_needed)


@pytest.mark.parametrize("width", [1280, 1024])
def test_request_page_leads_with_due_time_contact_links_and_mark_contacted(
    front_desk, live_server, axe_22, save_screenshot, width
):
    page = front_desk
    request = overdue_request(page)
    url = reverse("admin:consultations_consultationrequest_change", args=[request.pk])
    go(page, live_server, url, width)
    save_screenshot(page, f"staff-request-page-{width}px")
    summary = page.locator(".request-summary")
    assert "Overdue by 3 h" in summary.inner_text()
    assert summary.get_by_role("link", name="(402) 555-0123").get_attribute("href") == (
        "tel:+14025550123"
    )
    assert summary.get_by_role("link", name=request.email).get_attribute("href") == (
        f"mailto:{request.email}"
    )
    # The summary comes before the form's fields.
    assert page.evaluate(
        "() => document.querySelector('.request-summary').compareDocumentPosition("
        "document.querySelector('#consultationrequest_form')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    count, report = axe_22(page)
    assert count == 0, report


def test_mark_contacted_is_one_click(front_desk, live_server):
    page = front_desk
    request = overdue_request(page)
    url = reverse("admin:consultations_consultationrequest_change", args=[request.pk])
    go(page, live_server, url, 1280)
    page.get_by_role("button", name="Mark contacted").click()
    page.get_by_text(f"Marked Request #{request.pk} contacted.").wait_for()
    request.refresh_from_db()
    assert request.status == "contacted" and request.first_contacted_at is not None
    assert AuditEvent.objects.filter(action="change", detail="contacted").count() == 1
    assert "Contacted after" in page.locator(".request-summary").inner_text()
    assert page.get_by_role("button", name="Mark contacted").count() == 0


def test_location_editor_labels_every_field(location_editor, live_server, axe_22, save_screenshot):
    page = location_editor
    url = reverse("admin:pages_location_change", args=[page.bellevue.pk])
    go(page, live_server, url, 1280)
    save_screenshot(page, "staff-location-editor-1280px")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter((el) => !['hidden', 'submit', 'button'].includes(el.type))
            .filter((el) => el.offsetParent !== null)
            .filter((el) => !el.labels.length && !el.getAttribute('aria-label'))
            .map((el) => el.name)"""
    )
    assert unlabelled == []
    monday = page.get_by_label("Monday opening time, row 2")
    assert monday.input_value() == "13:00:00"
    count, report = axe_22(page)
    assert count == 0, report


@pytest.mark.parametrize("width", [1280, 1024])
def test_dashboard_has_no_wcag_22_violations_and_leads_with_the_work(
    front_desk, live_server, axe_22, save_screenshot, width
):
    page = front_desk
    go(page, live_server, reverse("admin:index"), width)
    page.get_by_role("heading", name="How fast patients hear from us").wait_for()
    save_screenshot(page, f"staff-dashboard-glance-{width}px")
    # The two actions staff take most are the first and the biggest things on the page.
    overdue = page.get_by_role("link", name="overdue requests", exact=False).first
    waiting = page.get_by_role("link", name="waiting for first contact", exact=False).first
    for action in (overdue, waiting):
        box = action.bounding_box()
        assert box["y"] + box["height"] <= 900, box  # inside the first screen
        assert box["height"] >= 44
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert "%" not in page.locator(".funnel").inner_text().replace("90%", "")
    count, report = axe_22(page)
    assert count == 0, report
