"""The privacy page's "When you book a time": what a booking keeps, read from the booking
form itself, and for how long, read from BOOKING_RETENTION_DAYS, in English and Spanish."""

import re

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def booking_section(client, path):
    html = client.get(path).content.decode()
    section = html.split('aria-labelledby="privacy-booking">', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).strip(), section


def listed(section):
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", section)]


def test_the_booking_section_lists_the_booking_forms_questions_and_the_days(client, settings):
    settings.BOOKING_RETENTION_DAYS = 200
    text, section = booking_section(client, "/privacy/")
    assert text.startswith("When you book a time")
    assert listed(section) == [
        "First name",
        "Last name",
        "How should we contact you?",
        "Phone number",
        "E-mail address",
        "E-mail me about my appointment",
        "Have you been to MOD Dermatology before?",
        "What would you like to talk about?",
        "Message (optional)",
        "I would like a free interpreter at my visit",
    ]
    assert "We delete your booking 200 days after your visit." in text
    assert "we delete it after 200 days have passed with no change." in text


def test_the_booking_section_leaves_out_hidden_and_antispam_fields(client):
    _text, section = booking_section(client, "/privacy/")
    assert "Leave this box empty" not in section
    from appointments.forms import BookingForm

    form = BookingForm()
    for name in ("appointment_type", "submission_key", "start", "website"):
        label = form.fields[name].label
        assert not label or str(label) not in listed(section)


def test_the_booking_section_follows_the_form_when_a_label_changes(client, monkeypatch):
    from appointments.forms import BookingForm

    monkeypatch.setattr(BookingForm.base_fields["first_name"], "label", "Given name")
    _text, section = booking_section(client, "/privacy/")
    assert listed(section)[0] == "Given name"


def test_the_spanish_page_says_it_in_spanish_with_the_days(client, settings):
    settings.BOOKING_RETENTION_DAYS = 1
    text, section = booking_section(client, "/es/privacidad/")
    assert text.startswith("Cuando usted reserva una hora")
    items = listed(section)
    assert items[:2] == ["Nombre", "Apellido"]
    assert "Quiero un intérprete gratis en mi cita" in items
    assert "Borramos su reserva 1 día después de su cita." in text
    assert "la borramos cuando pasa 1 día sin cambios." in text
    assert "Nunca dicen nada sobre su salud." in text
    settings.BOOKING_RETENTION_DAYS = 30
    cache.clear()  # the page is kept; a new setting comes with a restart, which clears it
    text, _section = booking_section(client, "/es/privacidad/")
    assert "Borramos su reserva 30 días después de su cita." in text
    assert "cuando pasan 30 días sin cambios" in text
