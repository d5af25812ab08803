"""The design system's component page is for staff only (it lives inside the admin)."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.factories import make_staff, signed_in


@pytest.fixture(autouse=True)
def _password_only(settings):
    settings.STAFF_REQUIRE_2FA = False


def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client, db):
    url = reverse("admin:design")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_signed_in_patient_account_without_staff_status_cannot_open_it(client, db):
    user = User.objects.create_user("someone", password="a-long-test-password")
    signed_in(client, user)
    assert client.get(reverse("admin:design")).status_code == 302


def test_staff_see_every_component(client, db):
    signed_in(client, make_staff("designer"))
    response = client.get(reverse("admin:design"))
    assert response.status_code == 200
    html = response.content.decode()
    for marker in (
        "callout-warning",
        "callout-urgent",
        "mod-card-summary",
        "contents-list",
        "summary-list",
        "step-list",
        "visit-or-call",
        "action-link",
        'aria-hidden="true" focusable="false"',
        'href="tel:988"',
    ):
        assert marker in html, marker
    assert 'name="robots" content="noindex"' in html
