"""The booking form keeps a phone extension apart from the number (as the request form
does) and asks, optionally, for a free interpreter; staff see both (the admin, the day
sheet, a tel: link that dials the extension) and the FHIR export carries both."""

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from appointments import fhir, services
from appointments.models import Booking
from staff.models import StaffAllLocationsAccess
from tests.appointments.booking_helpers import at, book, details, key
from tests.appointments.test_fhir_export import r4_schema, validate  # noqa: F401

pytestmark = pytest.mark.django_db
ZONE = "America/Chicago"
NOW = at(ZONE, 2027, 3, 1, 8)
SLOT = at(ZONE, 2027, 3, 10, 9, 30)  # a Wednesday


@pytest.fixture
def kind(make_type, settings):
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 0
    return make_type(week="Mon-Sun 09:00-12:00,13:00-16:00", notice_hours=1)


@pytest.fixture
def booked(make_type):
    """A booking with a phone extension and an interpreter asked for, made on 1 March."""
    booking, _token = services.book(
        make_type(),
        SLOT,
        details(
            phone="+14025550187",
            phone_extension="123",
            contact_method="phone",
            interpreter_needed=True,
        ),
        key(),
        now=NOW,
    )
    return booking


@pytest.fixture
def boss(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-123456789")
    StaffAllLocationsAccess.objects.create(user=user)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("typed", "extension"),
    [
        ("(402) 555-0187 x123", "123"),
        ("(402) 555-0187 ext. 12345", "12345"),
        ("402-555-0187 extension 9", "9"),
        ("+1 402 555 0187;ext=77", "77"),
        ("(402) 555-0187", ""),
    ],
)
def test_the_booking_form_keeps_a_phone_extension_apart_from_the_number(
    client, kind, typed, extension
):
    response, _start = book(client, kind, phone=typed, contact_method="phone")

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.phone, booking.phone_extension) == ("+14025550187", extension)


def test_an_extension_too_long_to_be_real_is_refused_on_the_booking_form(client, kind):
    response, _start = book(client, kind, phone="(402) 555-0187 ext. 1234567890123")

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["phone"])
    assert "check the extension" in errors and "up to 10 digits" in errors
    assert not Booking.objects.exists()


def test_the_error_summary_follows_the_order_of_the_fields(client, kind):
    # The phone is checked last (with the e-mail, in clean()) but shown fourth.
    response, _start = book(
        client, kind, first_name="", contact_method="phone", email="", patient_type=""
    )

    assert response.status_code == 400
    page = response.content.decode()
    summary = page[page.index('id="form-errors"') : page.index("</ul>", page.index("form-errors"))]
    links = re.findall(r'href="#id_(\w+?)(?:_0)?"', summary)
    assert links == ["first_name", "phone", "patient_type"]


@pytest.mark.parametrize(
    ("url", "label", "help_words"),
    [
        ("/lincoln/book/", "I would like a free interpreter at my visit", "other than English"),
        ("/es/lincoln/reservar/", "Quiero un intérprete gratis en mi cita", "no sea el español"),
    ],
    ids=["en", "es"],
)
def test_the_interpreter_box_is_labelled_and_explained_in_the_pages_language(
    client, kind, url, label, help_words
):
    page = client.get(url).content.decode()

    box = re.search(r'<input type="checkbox" name="interpreter_needed"[^>]*>', page)[0]
    assert 'id="id_interpreter_needed"' in box
    assert 'aria-describedby="id_interpreter_needed_helptext"' in box
    assert re.search(rf'<label [^>]*for="id_interpreter_needed"[^>]*>\s*{label}', page)
    assert help_words in page


@pytest.mark.parametrize(("ticked", "stored"), [({"interpreter_needed": "on"}, True), ({}, False)])
def test_the_interpreter_answer_is_stored_with_the_booking(client, kind, ticked, stored):
    response, _start = book(client, kind, **ticked)

    assert response.status_code == 302
    assert Booking.objects.get().interpreter_needed is stored


def test_staff_see_the_extension_and_the_interpreter_on_the_booking_and_in_the_list(
    client, booked, boss
):
    page = client.get(reverse("admin:appointments_booking_change", args=[booked.pk]))
    listing = client.get(reverse("admin:appointments_booking_changelist"))

    for response in (page, listing):
        html = response.content.decode()
        assert '<a href="tel:+14025550187,123">(402) 555-0187 ext. 123</a>' in html
    assert "interpreter needed" in page.content.decode().lower()
    assert re.search(r'<td class="field-interpreter">\s*<img [^>]*alt="True"', listing.text)


def test_the_day_sheet_shows_the_extension_and_the_interpreter(client, booked, boss):
    url = reverse("admin:appointments_booking_day_sheet", args=[booked.location_id])
    page = client.get(url + "?date=2027-03-10").content.decode()

    assert '<a href="tel:+14025550187,123">(402) 555-0187 ext. 123</a>' in page
    assert "<th>Interpreter</th>" in page and "<td>needed</td>" in page


def test_the_fhir_patient_carries_the_extension_and_the_interpreter(
    tmp_path,
    booked,
    boss,
    r4_schema,  # noqa: F811
):
    since = ("--since", "2000-01-01", "--user", "boss")
    call_command("export_fhir", "--out", str(tmp_path), *since, stdout=io.StringIO())

    (patient,) = [json.loads(line) for line in (tmp_path / "Patient.ndjson").open()]
    validate(r4_schema, patient)
    assert {"system": "phone", "value": "+14025550187 ext. 123"} in patient["telecom"]
    assert patient["extension"] == [{"url": fhir.INTERPRETER_REQUIRED, "valueBoolean": True}]


def test_a_booking_without_an_interpreter_says_so_in_fhir(make_type):
    phone_only = details(phone="+14025550187")
    booking, _token = services.book(make_type(), SLOT, phone_only, key(), now=NOW)

    patient = fhir.patient_resource(booking)
    assert {"system": "phone", "value": "+14025550187"} in patient["telecom"]
    assert patient["extension"] == [{"url": fhir.INTERPRETER_REQUIRED, "valueBoolean": False}]
