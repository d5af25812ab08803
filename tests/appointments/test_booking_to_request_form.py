"""Someone who needs an interpreter or finds no time is offered the request form, filled
in: the booking page's "Request a consultation" button sends the booking form (by POST,
never in a URL) to the clinic's request form, which shows what was typed, unchecked and
unsaved, with a fresh submission key; the Enter key still books."""

import re
import time
import uuid
from html import unescape

import pytest

from appointments.forms import BookingForm
from appointments.models import Booking
from consultations import antispam
from consultations.forms import BOOKING_FIELDS, ConsultationRequestForm
from consultations.models import ConsultationRequest
from tests.appointments.booking_helpers import first_time, post_data

pytestmark = pytest.mark.django_db

MARKER = "ZZ-MARKER-4242 my words"
TYPED = {
    "first_name": "Quorblax",
    "last_name": "Vintermuth",
    "contact_method": "phone",
    "phone": "(402) 555-0187 x123",
    "email": "quorblax@example.net",
    "email_updates": "on",
    "patient_type": "returning",
    "topic": "other_acne",
    "message": MARKER,
    "interpreter_needed": "on",
    "from_booking": "1",
}
# What the patient typed, as it could show up in a URL (lower case).
IN_URLS = ["quorblax", "vintermuth", "555-0187", "5550187", "zz-marker", "other_acne"]


@pytest.fixture
def kind(make_type):
    return make_type(week="Mon-Sun 09:00-12:00,13:00-16:00", notice_hours=1)


def request_button(page):
    return re.search(r"<button [^>]*name=\"from_booking\"[^>]*>", page)[0]


def send_to_request_form(client, kind, book_url="/lincoln/book/", **changes):
    """The booking form as the button sends it: to the button's formaction."""
    page = client.get(book_url).content.decode()
    action = unescape(re.search(r'formaction="([^"]+)"', request_button(page))[1])
    start = re.search(r'name="start" value="([^"]+)"', page)[1]
    return action, client.post(action, post_data(kind, start, **{**TYPED, **changes}))


def field(page, name):
    """The request form's input (or textarea) named `name`."""
    return re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page)[0]


def test_the_button_sends_the_booking_form_to_the_request_form_and_enter_still_books(client, kind):
    page = client.get("/lincoln/book/").content.decode()
    button = request_button(page)

    assert 'type="submit"' in button and 'form="booking-form"' in button
    assert 'formaction="/lincoln/consultation/"' in button and "formnovalidate" in button
    form_start = page.index('<form method="post" action="/lincoln/book/" id="booking-form"')
    form_end = page.index("</form>", form_start)
    book_button = page.index('<button type="submit" class="btn btn-primary', form_start)
    assert page[book_button:].split("</button>")[0].endswith("Book this time")
    # The booking button is the form's first submit button: the default, which Enter presses.
    assert form_start < book_button < form_end < page.index(button)
    assert page[form_start:book_button].count('type="submit"') == 0


def test_typed_details_arrive_in_the_request_forms_inputs_and_nothing_is_stored(
    client, kind, mailoutbox
):
    action, response = send_to_request_form(client, kind)
    page = response.content.decode()

    assert response.status_code == 200
    assert action == "/lincoln/consultation/"
    assert "consultations/request_form.html" in [t.name for t in response.templates]
    assert 'value="Quorblax"' in field(page, "first_name")
    assert 'value="Vintermuth"' in field(page, "last_name")
    assert 'value="(402) 555-0187 x123"' in field(page, "phone")
    assert 'value="quorblax@example.net"' in field(page, "email")
    assert "checked" in field(page, "email_ack")
    assert "checked" in field(page, "interpreter_needed")
    assert re.search(r'<input[^>]*name="contact_method" value="phone"[^>]*checked', page)
    assert re.search(r'<input[^>]*name="patient_type" value="returning"[^>]*checked', page)
    assert re.search(r'<input[^>]*name="topic" value="other_acne"[^>]*checked', page)
    assert re.search(rf"<textarea[^>]*>\s*{MARKER}</textarea>", page)
    form = response.context["form"]
    assert not form.is_bound and not form.errors
    assert "Please check your answers" not in page and "invalid-feedback" not in page
    assert "consent" not in form.initial  # the patient still agrees themselves
    assert form.initial["location"].slug == "lincoln"
    assert not ConsultationRequest.objects.exists() and not Booking.objects.exists()
    assert mailoutbox == []


def test_the_filled_in_form_has_a_fresh_key_and_token_and_can_be_sent(client, kind, settings):
    settings.CONSULTATION_MIN_SECONDS = 0
    booking_key = str(uuid.uuid4())
    _action, response = send_to_request_form(client, kind, submission_key=booking_key)
    page = response.content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page)[1]
    token = re.search(rf'name="{antispam.STARTED_FIELD}" value="([^"]+)"', page)[1]
    assert key != booking_key
    antispam.check_token(token, key, now=time.time())  # raises if not this page's

    sent = {
        "location": str(response.context["form"].initial["location"].pk),
        **{name: value for name, value in TYPED.items() if name != "email_updates"},
        "email_ack": "on",
        "consent": "on",
        "website": "",
        "submission_key": key,
        antispam.STARTED_FIELD: token,
    }
    del sent["from_booking"]
    assert client.post("/lincoln/consultation/", sent).status_code == 302

    stored = ConsultationRequest.objects.get()
    assert (stored.phone, stored.phone_extension) == ("+14025550187", "123")
    assert stored.interpreter_needed and stored.email_ack and stored.topic == "other_acne"


def test_no_typed_detail_is_in_any_url(client, kind):
    book_page = client.get("/lincoln/book/").content.decode()
    _action, response = send_to_request_form(client, kind)
    request_page = response.content.decode()

    urls = [response.request["PATH_INFO"], response.request.get("QUERY_STRING", "")]
    for page in (book_page, request_page):
        urls += re.findall(r'(?:href|action|formaction|src)="([^"]*)"', page)
    found = [word for word in IN_URLS for url in urls if word in unescape(url).lower()]
    assert found == []
    assert response.status_code == 200 and not response.has_header("Location")


def test_only_valid_choices_and_text_cut_to_the_request_forms_limits_are_carried(client, kind):
    _action, response = send_to_request_form(
        client,
        kind,
        first_name="A" * 200,
        last_name="Zero\u200bWidth",
        contact_method="carrier pigeon",
        topic="isotretinoin'><script>",
        patient_type="",
        message="x" * 5000,
        email_updates="",
        interpreter_needed="",
    )
    form = response.context["form"]

    assert response.status_code == 200 and not form.errors
    assert form.initial["first_name"] == "A" * 60  # the request form takes 60
    assert "last_name" not in form.initial  # hidden characters: not carried
    assert "contact_method" not in form.initial and "topic" not in form.initial
    assert "patient_type" not in form.initial
    assert form.initial["message"] == "x" * 1000
    assert "email_ack" not in form.initial and "interpreter_needed" not in form.initial
    assert "<script>" not in response.content.decode()


def test_the_button_works_with_nothing_typed(client, kind):
    empty = {name: "" for name in TYPED} | {"from_booking": "1"}
    _action, response = send_to_request_form(client, kind, **empty)

    assert response.status_code == 200
    assert not response.context["form"].errors
    assert 'value="Quorblax"' not in response.content.decode()
    assert not ConsultationRequest.objects.exists()


def test_the_spanish_booking_page_leads_to_the_spanish_request_form_filled_in(client, kind):
    action, response = send_to_request_form(client, kind, book_url="/es/lincoln/reservar/")
    page = response.content.decode()

    assert action == "/es/lincoln/consulta/"
    assert response.status_code == 200 and not response.context["form"].errors
    assert '<html lang="es"' in page and "Pida una consulta" in page
    assert 'value="Quorblax"' in field(page, "first_name")
    assert "checked" in field(page, "interpreter_needed")
    assert not ConsultationRequest.objects.exists()


def test_the_fields_carried_are_named_as_the_two_forms_name_them():
    # The apps share no code: a renamed field on either form must fail here, not go quiet.
    assert set(BOOKING_FIELDS) <= set(BookingForm.base_fields)
    assert set(BOOKING_FIELDS.values()) <= set(ConsultationRequestForm.base_fields)
    assert set(TYPED) - {"from_booking"} == set(BOOKING_FIELDS)


def test_a_plain_post_to_the_request_form_is_still_checked(client, kind):
    start = first_time(client, "/lincoln/book/")
    response = client.post("/lincoln/consultation/", post_data(kind, start))  # no marker

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ConsultationRequest.objects.exists()
