"""Consultation fixtures, also used by the browser, load and fuzz tests."""

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations import antispam
from consultations.models import ConsultationRequest
from tests import factories

STAFF_PASSWORD = factories.STAFF_PASSWORD


@pytest.fixture(autouse=True)
def _consultation_settings(settings):
    settings.CONSULTATION_NOTIFY_EMAIL = "frontdesk@example.com"
    settings.CONSULTATION_MIN_SECONDS = 3
    settings.CONSULTATION_FORM_MAX_AGE = 3600
    settings.CONSULTATION_RATE_LIMIT = "5/h"
    settings.CONSULTATION_NOTIFY_MAX_ATTEMPTS = 3
    settings.TRUSTED_PROXIES = ["127.0.0.0/8", "::1/128"]
    settings.SITE_URL = "https://www.example.org"
    # Admin tests sign staff in directly; the second factor has its own tests.
    settings.STAFF_REQUIRE_2FA = False


def _aged_token(submission_key, seconds=30):
    return antispam.make_token(submission_key, issued_at=time.time() - seconds)


@pytest.fixture
def aged_token():
    """Makes a form_started token for a page with this submission key, as if it had been
    open `seconds` (default 30)."""
    return _aged_token


@pytest.fixture
def valid_form_data(bellevue):
    """A complete, valid POST for the Bellevue clinic, as if filled in 30 seconds."""
    key = str(uuid.uuid4())
    return {
        "location": str(bellevue.pk),
        "first_name": "Jane",
        "last_name": "Patient",
        "contact_method": "phone",
        "phone": "(402) 555-0123",
        "email": "jane.patient@example.net",
        "best_time": "morning",
        "topic": "isotretinoin",
        "patient_type": "new",
        "message": "Tuesdays do not work for me.",
        "consent": "on",
        "website": "",
        "submission_key": key,
        "source_page": "/bellevue/isotretinoin/",
        antispam.STARTED_FIELD: _aged_token(key),
    }


@pytest.fixture
def make_request(bellevue):
    """Creates a stored request directly (for admin and command tests)."""
    return factories.make_request


@pytest.fixture
def front_desk_user(db):
    """Front desk staff who see every location."""
    return factories.make_staff("frontdesk", "Front desk", every_location=True)


@pytest.fixture
def practice_manager_user(db):
    """A practice manager who sees every location."""
    return factories.make_staff("manager", "Practice manager", every_location=True)


@pytest.fixture
def make_staff(db):
    """Makes staff in a group, seeing every location or only `locations` (maybe none)."""
    return factories.make_staff


@pytest.fixture
def limit_to(db):
    """Takes away every location from `user`, leaving only `locations`."""
    return factories.limit_to


@pytest.fixture
def staff_without_group(db):
    return factories.make_staff("nobody")


@pytest.fixture
def make_timed_request(make_request):
    """Creates a request received at `received` (created_at is auto_now_add otherwise)."""
    return factories.make_timed_request


@pytest.fixture
def seeded_response_times(make_timed_request, bellevue, gretna):
    """Requests with known response figures, as of the returned `now` (see test_metrics):
    Bellevue has 6 in the last 30 days (3 contacted: 30, 90 and 300 business minutes, the
    last one late; 1 overdue; 1 waiting, not yet due; 1 closed uncontacted) and one
    contacted 40 days ago; Gretna has 1, contacted within target in 15 minutes."""
    now = timezone.now()
    hour = timedelta(hours=1)
    Status = ConsultationRequest.Status

    def contacted(location, received, business, after, status=Status.CONTACTED):
        return make_timed_request(
            received,
            location=location,
            status=status,
            due_at=received + 2 * hour,
            first_contacted_at=received + after,
            first_contact_business_minutes=business,
            first_contact_minutes=round(after.total_seconds() / 60),
        )

    day = timedelta(days=1)
    contacted(bellevue, now - 2 * day, 30, timedelta(minutes=30))
    contacted(bellevue, now - 3 * day, 90, timedelta(minutes=90), status=Status.SCHEDULED)
    contacted(bellevue, now - 4 * day, 300, 5 * hour)
    make_timed_request(now - hour, location=bellevue, due_at=now + hour)
    make_timed_request(now - 5 * hour, location=bellevue, due_at=now - 3 * hour)
    contacted(bellevue, now - 40 * day, 1000, 30 * hour)
    make_timed_request(now - day, location=bellevue, status=Status.CLOSED, due_at=now - 20 * hour)
    contacted(gretna, now - day, 15, timedelta(minutes=15))
    return now
