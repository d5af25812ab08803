"""The bookings admin: scoped to the staff member's clinics, every list, search and opening
audited, every change made through the services and kept as history, a printable day
sheet per clinic and day, and staff e-mails without patient details."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from appointments import services
from appointments.models import Booking, BookingChange
from staff import outbox
from staff.models import AuditEvent, StaffLocationAccess
from tests.appointments.booking_helpers import at, details, key

pytestmark = pytest.mark.django_db
ZONE = "America/Chicago"
NOW = at(ZONE, 2027, 3, 1, 8)
SLOT = at(ZONE, 2027, 3, 10, 9, 30)  # a Wednesday
LIST = "admin:appointments_booking_changelist"


@pytest.fixture
def two_clinics(make_type):
    """A booking at Lincoln (seen) and one at Kearney (another clinic's)."""
    lincoln = make_type("Lincoln")
    kearney = make_type("Kearney")
    ours, _ = services.book(lincoln, SLOT, details(last_name="Ours"), key(), now=NOW)
    theirs, _ = services.book(kearney, SLOT, details(last_name="Theirs"), key(), now=NOW)
    return ours, theirs


@pytest.fixture
def desk(client, two_clinics):
    """Lincoln's front desk, allowed to view and change bookings, signed in."""
    user = get_user_model().objects.create_user("lincoln-desk", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="appointments", codename__in=["view_booking", "change_booking"]
        )
    )
    StaffLocationAccess.objects.create(user=user, location=two_clinics[0].location)
    client.force_login(user)
    client.user = user
    return client


def change_url(booking):
    return reverse("admin:appointments_booking_change", args=[booking.pk])


def sheet_url(booking, day="2027-03-10"):
    return reverse("admin:appointments_booking_day_sheet", args=[booking.location_id]) + (
        f"?date={day}"
    )


def test_the_bookings_list_shows_only_the_staff_members_clinics_and_is_audited(desk, two_clinics):
    ours, _theirs = two_clinics
    page = desk.get(reverse(LIST)).content.decode()
    assert "Ours" in page and "Theirs" not in page

    event = AuditEvent.objects.get(
        action=AuditEvent.Action.LIST, record_type="appointments.booking"
    )
    assert event.object_ids == [ours.pk] and event.username == "lincoln-desk"


def test_a_search_is_audited_with_its_text_and_never_finds_another_clinics_booking(
    desk, two_clinics
):
    _ours, _theirs = two_clinics
    page = desk.get(reverse(LIST), {"q": "Theirs"}).content.decode()
    assert "Ana Theirs" not in page and "0 results" in page

    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert event.search == "Theirs" and event.object_ids == []


def test_opening_a_booking_is_audited_and_another_clinics_booking_cannot_be_opened(
    desk, two_clinics
):
    ours, theirs = two_clinics
    assert desk.get(change_url(ours)).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_ids=[ours.pk]).exists()

    response = desk.get(change_url(theirs))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_ids=[theirs.pk])


def _post(desk, booking, **fields):
    form = {"status": booking.status, "move_to": "", "history-TOTAL_FORMS": "0"}
    form.update({"history-INITIAL_FORMS": "0", "history-MIN_NUM_FORMS": "0"})
    form.update({"history-MAX_NUM_FORMS": "1000", **fields})
    return desk.post(change_url(booking), form)


def test_a_status_change_goes_through_the_services_and_is_kept_as_history(desk, two_clinics):
    ours, _ = two_clinics
    _post(desk, ours, status=Booking.Status.ATTENDED)

    ours.refresh_from_db()
    assert ours.status == Booking.Status.ATTENDED
    change = ours.history.get(action=BookingChange.Action.STATUS)
    assert (change.by, change.from_status, change.to_status) == (
        "lincoln-desk",
        "booked",
        "attended",
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE, object_ids=[ours.pk])


def test_a_move_is_checked_like_a_booking_and_kept_as_history(desk, two_clinics, monkeypatch):
    ours, _ = two_clinics
    monkeypatch.setattr(services, "timezone", SimpleNamespace(now=lambda: NOW))
    _post(desk, ours, move_to="2027-03-10 10:30")

    ours.refresh_from_db()
    assert ours.starts_at == at(ZONE, 2027, 3, 10, 10, 30) and ours.sequence == 1
    moved = ours.history.get(action=BookingChange.Action.MOVED)
    assert (moved.by, moved.from_starts_at, moved.to_starts_at) == (
        "lincoln-desk",
        SLOT,
        ours.starts_at,
    )


def test_a_move_to_a_time_not_offered_changes_nothing_and_says_why(desk, two_clinics, monkeypatch):
    ours, _ = two_clinics
    monkeypatch.setattr(services, "timezone", SimpleNamespace(now=lambda: NOW))
    response = _post(desk, ours, move_to="2027-03-10 12:30")  # the lunch gap
    ours.refresh_from_db()
    assert ours.starts_at == SLOT
    assert not ours.history.filter(action=BookingChange.Action.MOVED).exists()
    assert "Not moved" in desk.get(response.url).content.decode()


def test_entered_in_the_practice_system_records_who_and_when_once(desk, two_clinics):
    ours, _ = two_clinics
    _post(desk, ours, entered="on")
    _post(desk, ours, entered="on")

    ours.refresh_from_db()
    assert ours.entered_in_practice_system_by == desk.user
    assert ours.entered_in_practice_system_at is not None
    assert ours.history.filter(action=BookingChange.Action.ENTERED).count() == 1


def test_the_day_sheet_lists_the_clinics_day_is_audited_and_printable(desk, two_clinics):
    ours, _ = two_clinics
    page = desk.get(sheet_url(ours)).content.decode()
    assert "Ours" in page and "9:30 AM" in page and "Theirs" not in page
    assert "@media print" in page and 'class="no-print"' in page
    event = AuditEvent.objects.get(detail="day sheet 2027-03-10")
    assert event.object_ids == [ours.pk]


def test_another_clinics_day_sheet_is_not_found_and_a_bad_date_is_refused(desk, two_clinics):
    ours, theirs = two_clinics
    assert desk.get(sheet_url(theirs)).status_code == 404
    assert desk.get(sheet_url(ours, day="2027-02-30")).status_code == 400
    assert not AuditEvent.objects.filter(detail__startswith="day sheet").exists()


def test_the_bookings_list_links_each_clinic_and_day_to_its_day_sheet(desk, two_clinics):
    ours, _ = two_clinics
    page = desk.get(reverse(LIST)).content.decode()
    assert sheet_url(ours).replace("&", "&amp;") in page


def test_the_staff_email_about_a_booking_has_no_patient_details(two_clinics, settings):
    settings.CONSULTATION_NOTIFY_EMAIL = "desk@example.net"
    ours, _ = two_clinics
    message = services.book(
        ours.appointment_type,
        at(ZONE, 2027, 3, 10, 10),
        details(
            first_name="Zelda",
            last_name="Quill",
            email="zq@example.net",
            phone="4025550111",
            phone_extension="77",
            topic="isotretinoin",
            message="my rash",
            interpreter_needed=True,
        ),
        key(),
        now=NOW,
    )[0]
    outbox.send_due()
    sent = [m for m in mail.outbox if str(message.pk) in m.body or "booking" in m.subject.lower()]
    assert sent
    for email in sent:
        text = email.subject + email.body
        for secret in ("Zelda", "Quill", "zq@example.net", "5550111", "sotretinoin", "rash"):
            assert secret not in text
        assert "interpret" not in text.lower() and "ext. 77" not in text
        assert "10:00" not in text and "Mar" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("group", "may_set_up"), [("Front desk", False), ("Practice manager", True)]
)
def test_the_staff_groups_may_work_bookings_and_managers_set_up_hours(
    client, bellevue, group, may_set_up
):
    """appointments 0003: without it only superusers could open a booking."""
    from tests.factories import make_staff, signed_in

    signed_in(client, make_staff(f"{group}-user", group, bellevue))
    bookings = client.get(reverse("admin:appointments_booking_changelist"))
    assert bookings.status_code == 200
    set_up = client.get(reverse("admin:appointments_appointmenttype_add"))
    assert (set_up.status_code == 200) is may_set_up
