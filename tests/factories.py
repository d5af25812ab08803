"""Test data in one place: clinics, consultation requests, bookings in bulk, staff with
their clinic access, and a signed-in client. Plain functions (the conftest fixtures are
thin wrappers around them), so a test, a fixture or a benchmark builds the same rows the
same way.

Staff see no clinic until given one (staff.models): `make_staff(..., every_location=True)`
or `make_staff(..., bellevue, gretna)`.
"""

import datetime
import uuid

from django.contrib.auth.models import Group, User
from django.utils import timezone

from appointments import services as booking_services
from appointments.models import AppointmentType, Booking, hash_token
from consultations.models import ConsultationRequest
from pages.models import Location
from staff.models import StaffAllLocationsAccess, StaffLocationAccess

# Tests sign staff in directly; the sign-in and its second factor have their own tests.
BACKEND = "django.contrib.auth.backends.ModelBackend"
STAFF_PASSWORD = "a-long-test-password"


def clinic(slug):
    """A clinic the migrations made ("bellevue", "gretna"; pages.reference)."""
    return Location.objects.get(slug=slug)


def make_location(name="Omaha", slug=None, **fields):
    return Location.objects.create(name=name, slug=slug or name.lower(), **fields)


def make_request(location=None, **fields):
    """A stored consultation request (for admin, command and figures tests), at Bellevue
    unless another `location` is given."""
    values = {
        "location": location or clinic("bellevue"),
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


def make_timed_request(received, **fields):
    """A request received at `received` (created_at is auto_now_add otherwise)."""
    request = make_request(**fields)
    ConsultationRequest.objects.filter(pk=request.pk).update(created_at=received)
    request.created_at = received
    return request


def add_bookings(locations, count, now=None):
    """`count` bookings shared out over `locations` (a type made for each that has none),
    stored in bulk with their enter-by times as booking keeps them: made 1 to 20 days
    before `now`, visits 5 days after, every status, every third entered an hour after
    booking. For the figures' query-count tests; seats are not held."""
    now = now or timezone.now()
    types = [
        AppointmentType.objects.get_or_create(
            location=location, defaults={"name_en": "Consultation", "name_es": "Consulta"}
        )[0]
        for location in locations
    ]
    statuses = list(Booking.Status)
    bookings = []
    for n in range(count):
        kind = types[n % len(types)]
        made = now - datetime.timedelta(days=1 + n % 20, hours=n % 7)
        starts = made + datetime.timedelta(days=5)
        bookings.append(
            Booking(
                appointment_type=kind,
                location_id=kind.location_id,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=30),
                first_name="Test",
                last_name="Patient",
                contact_method="email",
                email="t@example.invalid",
                patient_type="new",
                status=statuses[n % len(statuses)],
                submission_key=uuid.uuid4(),
                manage_token_hash=hash_token(uuid.uuid4()),
                entered_in_practice_system_at=made + datetime.timedelta(hours=1)
                if n % 3 == 0
                else None,
            )
        )
    made_at = [b.starts_at - datetime.timedelta(days=5) for b in bookings]
    Booking.objects.bulk_create(bookings)
    for booking, when in zip(bookings, made_at, strict=True):
        booking.created_at = when  # auto_now_add: set after the insert
    Booking.objects.bulk_update(bookings, ["created_at"])
    booking_services.backfill_enter_by()
    return bookings


def make_staff(username, group_name=None, *locations, every_location=False, **flags):
    """Staff in `group_name` ("Front desk", "Practice manager"; staff.reference), seeing
    every clinic or only `locations` (maybe none)."""
    user = User.objects.create_user(username, password=STAFF_PASSWORD, is_staff=True, **flags)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    if every_location:
        StaffAllLocationsAccess.objects.create(user=user)
    for location in locations:
        StaffLocationAccess.objects.create(user=user, location=location)
    return user


def make_superuser(username="boss", password=STAFF_PASSWORD, **fields):
    return User.objects.create_superuser(username, password=password, **fields)


def limit_to(user, *locations):
    """Takes away every clinic from `user`, leaving only `locations`."""
    StaffAllLocationsAccess.objects.filter(user=user).delete()
    for location in locations:
        StaffLocationAccess.objects.create(user=user, location=location)
    return user


def signed_in(client, user):
    """`client`, signed in as `user` (no password, no second factor)."""
    client.force_login(user, backend=BACKEND)
    return client
