"""The thank-you page tells the truth about timing: the request's own business-hours due
time, in the clinic's time zone, from a signed cookie that only the thank-you page gets
(the address carries nothing)."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from consultations import views
from consultations.models import ConsultationRequest
from pages.models import OpeningHours

DENVER = zoneinfo.ZoneInfo("America/Denver")
# A Friday at 4:30 PM in Denver: half an hour of Friday's hours is left.
FRIDAY_AFTERNOON = datetime.datetime(2026, 3, 6, 16, 30, tzinfo=DENVER)


@pytest.fixture
def denver_clinic(bellevue):
    """Bellevue moved to Denver's zone (the server's is Chicago), open weekdays 8-5, with a
    two-hour target, and a phone for anyone who would rather call."""
    bellevue.time_zone = "America/Denver"
    bellevue.response_target_hours = 2
    bellevue.phone = "+14025550100"
    bellevue.save()
    for weekday in range(5):
        OpeningHours.objects.create(
            location=bellevue,
            weekday=weekday,
            opens=datetime.time(8),
            closes=datetime.time(17),
        )
    return bellevue


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FRIDAY_AFTERNOON.astimezone(datetime.UTC))


def send(client, data, url="/bellevue/consultation/"):
    response = client.post(url, data)
    assert response.status_code == 302
    return response


def test_thanks_page_says_the_due_time_in_the_clinics_zone(
    client, denver_clinic, fixed_clock, valid_form_data
):
    response = send(client, valid_form_data)
    # Half an hour on Friday, an hour and a half on Monday: Monday 9:30 AM, Denver time.
    saved = ConsultationRequest.objects.get()
    assert saved.due_at == datetime.datetime(2026, 3, 9, 9, 30, tzinfo=DENVER)
    assert response["Location"] == "/consultation/thanks/"
    html = client.get(response["Location"]).content.decode()
    assert "We aim to contact you by" in html
    assert ">Monday, March 9, 9:30 AM</time> (<bdi>Bellevue</bdi> time)" in html
    assert 'href="tel:+14025550100"' in html
    assert "a few working days" not in html


def test_spanish_thanks_page_says_the_due_time_in_spanish(
    client, denver_clinic, fixed_clock, valid_form_data
):
    valid_form_data["preferred_language"] = "es"
    response = send(client, valid_form_data, url="/es/bellevue/consulta/")
    html = client.get(response["Location"]).content.decode()
    assert "Queremos contactarle antes del" in html
    # Spanish times are written one way everywhere (24-hour, as the hours table).
    assert ">lunes 9 de marzo, 9:30</time> (hora de <bdi>Bellevue</bdi>)" in html


def test_the_thanks_address_carries_nothing_and_the_cookie_no_health_data(
    client, denver_clinic, fixed_clock, valid_form_data
):
    response = send(client, valid_form_data)
    assert "?" not in response["Location"]
    cookie = response.cookies[views.THANKS_COOKIE]
    assert cookie["path"] == "/consultation/thanks/"
    assert cookie["httponly"]
    for private in ("isotretinoin", "Jane", "Patient", "555-0123", "Tuesdays", "morning"):
        assert private.lower() not in cookie.value.lower()


def test_a_forged_or_missing_cookie_gives_the_plain_page(client, denver_clinic):
    client.cookies[views.THANKS_COOKIE] = f"{denver_clinic.pk}|2026-03-09T09:30:00-07:00"
    html = client.get("/consultation/thanks/").content.decode()
    assert "We aim to contact you by" not in html
    assert "will contact you" in html
    client.cookies.clear()
    assert "We aim to contact you by" not in client.get("/consultation/thanks/").content.decode()


def test_a_clinic_without_a_phone_shows_no_call_button(client, bellevue, valid_form_data):
    response = send(client, valid_form_data)
    html = client.get(response["Location"]).content.decode()
    assert "We aim to contact you by" in html
    assert 'href="tel:+1' not in html
