"""The outbox screen: staff who may see the outbox are not necessarily staff who may see a
patient, so a patient mail's recipient is shown masked (in its error too), staff mails'
as they are, and neither search nor a filter in the address bar finds a patient by their
e-mail address."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import notify
from staff.admin import masked_address
from staff.models import NotificationOutbox
from tests.factories import make_request, make_staff, signed_in

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:staff_notificationoutbox_changelist")
PATIENT = "sofia.marquez@example.org"
DESK = "desk@clinic.example.com"
Sent = NotificationOutbox.State.SENT


@pytest.fixture
def rows(bellevue):
    """A request's staff mail and its patient acknowledgement, both sent, and an
    acknowledgement the patient's mail server refused."""
    request = make_request(location=bellevue, email=PATIENT, email_ack=True)
    sent = {"state": Sent, "sent_at": timezone.now()}
    staff = NotificationOutbox.objects.create_for(request, recipient=DESK, **sent)
    patient = NotificationOutbox.objects.create_for(
        request, kind=notify.ACK, recipient=PATIENT, **sent
    )
    refused = NotificationOutbox.objects.create_for(
        request,
        kind=notify.ACK,
        state=NotificationOutbox.State.FAILED,
        last_error=f"SMTPRecipientsRefused: {{'{PATIENT}': (550, b'<{PATIENT}>: no mailbox')}}",
    )
    return staff, patient, refused


@pytest.fixture
def manager(client, bellevue):
    return signed_in(client, make_staff("outbox-manager", "Practice manager", bellevue))


def listed(response):
    return {row.pk for row in response.context["cl"].result_list}


def test_a_patient_mails_recipient_is_masked_and_a_staff_mails_shown(manager, rows):
    staff, patient, refused = rows
    html = manager.get(CHANGELIST).content.decode()
    assert PATIENT not in html and "sofia" not in html
    assert "The patient (s•••@example.org)" in html
    assert DESK in html

    for row in (patient, refused):
        url = reverse("admin:staff_notificationoutbox_change", args=[row.pk])
        page = manager.get(url).content.decode()
        assert PATIENT not in page and "sofia" not in page, row.kind
        assert "The patient" in page
    refused_page = manager.get(
        reverse("admin:staff_notificationoutbox_change", args=[refused.pk])
    ).content.decode()
    assert "SMTPRecipientsRefused" in refused_page and "s•••@example.org" in refused_page
    staff_page = manager.get(
        reverse("admin:staff_notificationoutbox_change", args=[staff.pk])
    ).content.decode()
    assert DESK in staff_page


@pytest.mark.parametrize("term", [PATIENT, "sofia", "marquez", "example.org"])
def test_search_never_finds_a_patient_by_e_mail(manager, rows, term):
    assert listed(manager.get(CHANGELIST, {"q": term})) == set()


def test_search_finds_staff_mails_by_recipient_and_rows_by_record_number(manager, rows):
    staff, patient, refused = rows
    assert listed(manager.get(CHANGELIST, {"q": "desk@clinic"})) == {staff.pk}
    assert listed(manager.get(CHANGELIST, {"q": str(staff.object_id)})) == {
        staff.pk,
        patient.pk,
        refused.pk,
    }


@pytest.mark.parametrize(
    "lookup",
    ["recipient", "recipient__icontains", "recipient__startswith", "last_error__contains"],
)
def test_a_filter_typed_in_the_address_bar_cannot_look_for_a_patients_address(
    manager, rows, lookup
):
    response = manager.get(CHANGELIST, {lookup: PATIENT})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "address, masked",
    [("sofia@example.org", "s•••@example.org"), ("x@y", "x•••@y"), ("no-at-sign", "•••")],
)
def test_masked_address_keeps_the_first_letter_and_the_domain(address, masked):
    assert masked_address(address) == masked
