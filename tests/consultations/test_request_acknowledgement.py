"""The request acknowledgement (issue 20): a patient who gives an e-mail address and
ticks "E-mail me that you got my request" gets one e-mail that says we have it and the
due time in the clinic's time, in the page's language; nothing about their health."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from consultations.models import ConsultationRequest
from pages.models import OpeningHours
from staff import outbox

DENVER = zoneinfo.ZoneInfo("America/Denver")
FRIDAY_AFTERNOON = datetime.datetime(2026, 3, 6, 16, 30, tzinfo=DENVER)
MARKER = "ZZ-MARKER-5512 private words"


@pytest.fixture
def denver_clinic(bellevue):
    bellevue.time_zone = "America/Denver"
    bellevue.response_target_hours = 2
    bellevue.save()
    for weekday in range(5):
        OpeningHours.objects.create(
            location=bellevue, weekday=weekday, opens=datetime.time(8), closes=datetime.time(17)
        )
    return bellevue


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FRIDAY_AFTERNOON.astimezone(datetime.UTC))


def patient_mails():
    return [m for m in mail.outbox if m.to == ["jane.patient@example.net"]]


def send(client, data, url="/bellevue/consultation/"):
    assert client.post(url, {**data, "message": MARKER}).status_code == 302
    # The rows' default due time reads the real clock, not the test's fixed one.
    outbox.send_claimed(outbox.claim(now=datetime.datetime.now(datetime.UTC), limit=None))


def assert_private(message):
    text = "\n".join([message.subject, message.body, message.alternatives[0][0]])
    for word in ("isotretinoin", "sotretino", "ZZ-MARKER-5512", "Spanish", "Español", "Jane"):
        assert word.lower() not in text.lower()


def test_the_acknowledgement_says_the_due_time_in_clinic_time_and_nothing_more(
    client, denver_clinic, fixed_clock, valid_form_data
):
    send(client, {**valid_form_data, "email_ack": "on"})
    (message,) = patient_mails()
    assert "We have your request" in message.subject
    assert "Monday, March 9, 9:30 AM (Mountain Time)" in message.body
    assert message.attachments == []
    assert_private(message)


def test_the_acknowledgement_is_in_the_page_language(
    client, denver_clinic, fixed_clock, valid_form_data
):
    send(client, {**valid_form_data, "email_ack": "on"}, url="/es/bellevue/consulta/")
    (message,) = patient_mails()
    assert "Recibimos su solicitud" in message.subject
    assert "hora de la Montaña" in message.body or "Montaña" in message.body
    assert_private(message)


def test_no_acknowledgement_without_the_box(client, denver_clinic, fixed_clock, valid_form_data):
    send(client, valid_form_data)
    assert patient_mails() == []
    assert ConsultationRequest.objects.get().email_ack is False


def test_the_box_without_an_address_asks_for_one(client, bellevue, valid_form_data):
    data = {**valid_form_data, "email": "", "email_ack": "on"}
    response = client.post("/bellevue/consultation/", data)
    assert response.status_code == 200
    assert "so we can send you e-mails" in response.content.decode()
    assert not ConsultationRequest.objects.exists()
