"""The calendar file speaks the patient's page language: a booking made on the Spanish
pages gets a Spanish event title and phone line."""

import pytest

from tests.appointments.booking_helpers import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def kind(make_type, settings):
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 0
    return make_type(week="Mon-Sun 09:00-12:00,13:00-16:00", notice_hours=1)


@pytest.mark.parametrize(
    "url, summary, phone",
    [
        ("/lincoln/book/", "SUMMARY:Appointment at MOD Dermatology Lincoln", "Clinic phone:"),
        ("/es/lincoln/reservar/", "SUMMARY:Cita en MOD Dermatology Lincoln", "Teléfono de la"),
    ],
    ids=["en", "es"],
)
def test_the_calendar_files_title_is_in_the_pages_language(client, kind, url, summary, phone):
    response, _ = book(client, kind, url=url)
    manage = response["Location"].split("?")[0]
    ics = client.get(manage + "appointment.ics").content.decode()
    assert summary in ics
    assert phone in ics.replace("\r\n ", "")
