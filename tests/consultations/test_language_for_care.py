"""The request form in Spanish, and the patient's language for care: asked, preselected
from the page, stored, and shown to staff (never in the staff e-mail)."""

import csv
import io
import re
import uuid

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core import mail

from consultations.models import ConsultationRequest

pytestmark = pytest.mark.django_db

ES_URL = "/es/bellevue/consulta/"
ES_THANKS = "/es/consulta/gracias/"


def checked_language(html):
    return re.search(r'name="preferred_language" value="(\w+)"[^>]*checked', html)[1]


def test_the_language_is_preselected_from_the_page(client, bellevue):
    assert checked_language(client.get("/bellevue/consultation/").content.decode()) == "en"
    html = client.get(ES_URL).content.decode()
    assert checked_language(html) == "es"
    assert "¿En qué idioma prefiere recibir su atención?" in html
    assert "Quiero un intérprete gratis en mis citas." in html
    assert "Enviar solicitud" in html


def test_the_spanish_form_stores_the_request_with_its_language(client, valid_form_data):
    data = {**valid_form_data, "preferred_language": "es", "interpreter_needed": "on"}
    data["source_page"] = "/es/bellevue/isotretinoina/"
    response = client.post(ES_URL, data)
    assert response.status_code == 302
    assert response["Location"] == ES_THANKS
    thanks = client.get(ES_THANKS).content.decode()
    assert '<html lang="es">' in thanks and "Gracias. Recibimos su solicitud." in thanks
    saved = ConsultationRequest.objects.get()
    assert saved.preferred_language == "es"
    assert saved.interpreter_needed is True
    assert saved.language_for_care == "Spanish"


def test_a_form_sent_without_the_question_takes_the_pages_language(client, valid_form_data):
    assert client.post(ES_URL, valid_form_data).status_code == 302
    assert ConsultationRequest.objects.get().preferred_language == "es"


def test_another_language_needs_its_name_and_keeps_it(client, valid_form_data):
    data = {**valid_form_data, "preferred_language": "other"}
    response = client.post(ES_URL, data)
    assert response.status_code == 200
    assert "Por favor, díganos qué idioma habla." in response.content.decode()
    assert not ConsultationRequest.objects.exists()
    data["preferred_language_other"] = "Tiếng Việt"
    data["interpreter_needed"] = "on"
    assert client.post(ES_URL, data).status_code == 302
    saved = ConsultationRequest.objects.get()
    assert (saved.preferred_language, saved.language_for_care) == ("other", "Tiếng Việt")


def test_the_other_language_text_is_dropped_with_another_choice(client, valid_form_data):
    data = {**valid_form_data, "preferred_language": "en", "preferred_language_other": "x"}
    assert client.post("/bellevue/consultation/", data).status_code == 302
    assert ConsultationRequest.objects.get().preferred_language_other == ""


def test_errors_and_the_error_summary_are_in_spanish(client, bellevue):
    response = client.post(
        ES_URL, {"location": str(bellevue.pk), "submission_key": str(uuid.uuid4())}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Por favor, revise sus respuestas:" in html
    summary = html[
        html.index('id="form-errors"') : html.index("</ul>", html.index('id="form-errors"'))
    ]
    assert "Por favor, revise sus respuestas" in summary
    for message in (
        "Nombre</a>: Por favor, escriba su nombre.",
        "Apellido</a>: Por favor, escriba su apellido.",
        "Por favor, elija teléfono o correo electrónico.",
        "Por favor, elija de qué le gustaría hablar.",
        "Por favor, marque esta casilla para que nuestro personal pueda contactarle.",
    ):
        assert message in summary, message
    # No English left in what the patient reads.
    for english in ("Please", "required", "This field"):
        assert english not in summary


def test_a_refusal_is_in_spanish(client, valid_form_data, settings):
    data = {**valid_form_data, "website": "http://spam.example"}
    html = client.post(ES_URL, data).content.decode()
    assert "No pudimos enviar su solicitud." in html
    assert "Su solicitud no se envió" in html


def test_an_invalid_phone_and_email_get_spanish_messages(client, valid_form_data):
    data = {**valid_form_data, "phone": "123", "email": "nope"}
    html = client.post(ES_URL, data).content.decode()
    assert "Por favor, escriba un número de teléfono al que podamos llamar" in html
    assert "Por favor, escriba un correo electrónico como nombre@ejemplo.com." in html


def test_staff_mail_stays_english_and_free_of_the_language(
    client, valid_form_data, django_capture_on_commit_callbacks
):
    data = {
        **valid_form_data,
        "preferred_language": "other",
        "preferred_language_other": "Somali",
        "interpreter_needed": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(ES_URL, data).status_code == 302
    message = mail.outbox[-1]
    text = message.subject + message.body
    assert "New consultation request" in message.subject
    for private in ("Somali", "Jane", "Patient", "555", "interpreter", "Spanish", "Tuesdays"):
        assert private not in text


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("langstaff", "l@example.com", "x" * 16))
    return client


def test_staff_see_the_language_in_the_list_filter_and_detail(staff_client, make_request):
    spanish = make_request(preferred_language="es", interpreter_needed=True)
    make_request(preferred_language="other", preferred_language_other="Karen")
    make_request()
    base = f"/{django_settings.ADMIN_URL}consultations/consultationrequest/"
    html = staff_client.get(base).content.decode()
    assert "Language for care: Karen" in html
    assert "Language for care: Spanish, interpreter needed" in html
    assert "?preferred_language__exact=es" in html
    assert "?interpreter_needed__exact=1" in html
    filtered = staff_client.get(base + "?preferred_language__exact=es").content.decode()
    assert f"Request #{spanish.pk}" in filtered
    assert "Karen" not in filtered
    detail = staff_client.get(f"{base}{spanish.pk}/change/").content.decode()
    assert "Language for care" in detail and "Spanish" in detail
    assert "Interpreter needed" in detail


def test_the_csv_export_has_the_language_columns(staff_client, make_request):
    make_request(preferred_language="es", interpreter_needed=True)
    make_request(preferred_language="other", preferred_language_other="Karen")
    base = f"/{django_settings.ADMIN_URL}consultations/consultationrequest/"
    ids = list(ConsultationRequest.objects.order_by("pk").values_list("pk", flat=True))
    response = staff_client.post(
        base, {"action": "export_csv", "_selected_action": [str(pk) for pk in ids]}
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [
        (r["Language for care"], r["Other language"], r["Interpreter needed"]) for r in rows
    ] == [
        ("Spanish", "", "yes"),
        ("Another language", "Karen", "no"),
    ]
