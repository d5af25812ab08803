"""In real Chromium, no page breaks the Content-Security-Policy: patient pages, the form,
and the staff admin (sign-in with two factors, lists, edit forms)."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations.models import ConsultationRequest
from pages.models import Location

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PATIENT_PAGES = [
    "/",
    "/bellevue/",
    "/bellevue/isotretinoin/",
    "/consultation/",
    "/bellevue/consultation/",
]


@pytest.fixture(autouse=True)
def bellevue():
    """The seeded clinic. Made here as well: serialized_rollback cannot restore it while
    Playwright's event loop runs (Django then hands this test a connection object other
    than the one the migrated data was saved from)."""
    location, _ = Location.objects.get_or_create(
        slug="bellevue", defaults={"name": "Bellevue", "sort_order": 10}
    )
    return location


@pytest.fixture
def csp_violations(page):
    """Everything Chromium refused because of the policy, from the console and from the
    page's own securitypolicyviolation events."""
    seen = []
    page.on(
        "console",
        lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def visit(page, url):
    response = page.goto(url)
    assert response.status < 400, url
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_patient_pages_break_no_rule(page, live_server, csp_violations, path):
    visit(page, live_server.url + path)

    assert page.locator("link[rel=stylesheet]").count() >= 1
    assert csp_violations == []


def test_staff_admin_breaks_no_rule(page, live_server, settings, csp_violations, bellevue):
    settings.STAFF_REQUIRE_2FA = True
    user = User.objects.create_superuser("manager", "manager@example.com", "x" * 16)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    # With a photo, the change form shows its preview (once an inline style attribute).
    Location.objects.filter(pk=bellevue.pk).update(photo="locations/front-desk.jpg")
    request = ConsultationRequest.objects.create(
        location=bellevue,
        first_name="Sam",
        last_name="Sample",
        email="sam@example.net",
        contact_method="email",
        topic="other_acne",
        patient_type="returning",
        consent_at=timezone.now(),
    )
    admin = f"{live_server.url}/{settings.ADMIN_URL}"

    visit(page, admin + "login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "x" * 16)
    page.fill("#id_otp_token", f"{totp(device.bin_key):06d}")
    page.click("input[type=submit][value='Log in']")
    page.wait_for_url(admin)

    for path in [
        "",
        "pages/location/",
        f"pages/location/{bellevue.pk}/change/",
        "pages/location/add/",
        "consultations/consultationrequest/",
        f"consultations/consultationrequest/{request.pk}/change/",
        "otp_totp/totpdevice/",
        f"otp_totp/totpdevice/{device.pk}/change/",
    ]:
        visit(page, admin + path)
        assert "/login/" not in page.url, path

    assert csp_violations == []
