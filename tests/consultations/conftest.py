"""Consultation fixtures, also used by the browser, load and fuzz tests."""

import time
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from consultations import antispam
from consultations.models import ConsultationRequest
from staff.models import StaffAllLocationsAccess, StaffLocationAccess

STAFF_PASSWORD = "a-long-test-password"


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

    def make(**fields):
        values = {
            "location": bellevue,
            "first_name": "Sam",
            "last_name": "Sample",
            "email": "sam@example.net",
            "contact_method": "email",
            "topic": "other_acne",
            "patient_type": "returning",
            "consent_at": timezone.now(),
        }
        values.update(fields)
        return ConsultationRequest.objects.create(**values)

    return make


def _staff(username, group_name=None, every_location=False, **flags):
    user = User.objects.create_user(username, password=STAFF_PASSWORD, is_staff=True, **flags)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    if every_location:
        StaffAllLocationsAccess.objects.create(user=user)
    return user


@pytest.fixture
def front_desk_user(db):
    """Front desk staff who see every location."""
    return _staff("frontdesk", "Front desk", every_location=True)


@pytest.fixture
def practice_manager_user(db):
    """A practice manager who sees every location."""
    return _staff("manager", "Practice manager", every_location=True)


@pytest.fixture
def make_staff(db):
    """Makes staff in a group, seeing every location or only `locations` (maybe none)."""

    def make(username, group_name, *locations, every_location=False):
        user = _staff(username, group_name, every_location=every_location)
        for location in locations:
            StaffLocationAccess.objects.create(user=user, location=location)
        return user

    return make


@pytest.fixture
def limit_to(db):
    """Takes away every location from `user`, leaving only `locations`."""

    def limit(user, *locations):
        StaffAllLocationsAccess.objects.filter(user=user).delete()
        for location in locations:
            StaffLocationAccess.objects.create(user=user, location=location)
        return user

    return limit


@pytest.fixture
def staff_without_group(db):
    return _staff("nobody")


@pytest.fixture
def make_timed_request(make_request):
    """Creates a request received at `received` (created_at is auto_now_add otherwise)."""

    def make(received, **fields):
        request = make_request(**fields)
        ConsultationRequest.objects.filter(pk=request.pk).update(created_at=received)
        request.created_at = received
        return request

    return make


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
