"""The patient's request form: what it accepts, what it refuses, and what it stores."""

import logging
import re
import time

import pytest
from django.db import DatabaseError

from consultations import antispam, services
from consultations.models import ConsultationRequest
from staff.models import NotificationOutbox
from tests.form_client import FormClient

URL = "/consultation/"
BELLEVUE_URL = "/bellevue/consultation/"
THANKS = "/consultation/thanks/"


def hidden_value(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html)[1]


def nothing_stored():
    return not ConsultationRequest.objects.exists() and not NotificationOutbox.objects.exists()


def test_full_patient_flow_stores_the_request_at_the_right_location(client, gretna):
    html = client.get("/gretna/consultation/").content.decode()
    key = hidden_value(html, "submission_key")
    data = {
        "location": str(gretna.pk),
        "first_name": "Pat",
        "last_name": "Flow",
        "contact_method": "email",
        "email": "pat.flow@example.net",
        "topic": "general",
        "patient_type": "returning",
        "consent": "on",
        "submission_key": key,
        # The page was shown 30 seconds ago (a person's pace), signed by the site.
        antispam.STARTED_FIELD: antispam.make_token(key, issued_at=time.time() - 30),
    }
    response = client.post("/gretna/consultation/", data)
    assert response.status_code == 302
    assert response["Location"] == THANKS
    thanks = client.get(THANKS).content.decode()
    assert "will contact you" in thanks
    assert "not for urgent" in thanks
    assert "Pat" not in thanks and "pat.flow" not in thanks
    saved = ConsultationRequest.objects.get()
    assert saved.location == gretna
    assert (saved.first_name, saved.last_name, saved.email) == (
        "Pat",
        "Flow",
        "pat.flow@example.net",
    )
    assert saved.status == ConsultationRequest.Status.NEW
    assert saved.consent_at is not None
    assert str(saved.submission_key) == data["submission_key"]
    assert NotificationOutbox.objects.get().object_id == saved.pk


def test_valid_post_saves_phone_in_one_format(client, valid_form_data):
    client.post(URL, valid_form_data)
    saved = ConsultationRequest.objects.get()
    assert saved.phone == "+14025550123"
    assert saved.best_time == "morning"
    assert saved.source_page == "/bellevue/isotretinoin/"


def test_a_message_that_fits_the_box_fits_the_limit_whatever_its_line_breaks(
    client, valid_form_data
):
    # The box's maxlength counts each line break once; browsers send it as CRLF.
    valid_form_data["message"] = "\r\n".join(["x" * 99] * 10) + "x"
    assert client.post(URL, valid_form_data).status_code == 302
    saved = ConsultationRequest.objects.get().message
    assert len(saved) == 1000
    assert "\r" not in saved


def test_form_page_lists_only_active_clinics(client, make_location):
    make_location("Omaha", is_active=False)
    response = client.get(URL)
    labels = [label for _, label in response.context["form"].fields["location"].choices]
    assert "Bellevue" in labels and "Gretna" in labels
    assert "Omaha" not in labels


def test_location_form_preselects_that_clinic(client, bellevue):
    response = client.get(BELLEVUE_URL)
    assert response.context["form"].initial["location"] == bellevue
    assert "Request a consultation in Bellevue" in response.content.decode()


def test_coming_from_the_isotretinoin_page_preselects_that_topic(client, bellevue):
    response = client.get(
        BELLEVUE_URL, HTTP_REFERER="http://testserver/bellevue/isotretinoin/?utm=x"
    )
    initial = response.context["form"].initial
    assert initial["topic"] == ConsultationRequest.Topic.ISOTRETINOIN
    assert initial["source_page"] == "/bellevue/isotretinoin/"


def test_other_sites_are_not_recorded_as_the_source_page(client, valid_form_data):
    response = client.get(BELLEVUE_URL, HTTP_REFERER="https://elsewhere.example/isotretinoin/")
    assert response.context["form"].initial["source_page"] == ""
    assert "topic" not in response.context["form"].initial
    valid_form_data["source_page"] = "https://elsewhere.example/page"
    client.post(URL, valid_form_data)
    assert ConsultationRequest.objects.get().source_page == ""


@pytest.mark.parametrize("referer", ["http://[x/", "http://a]b/", "http://[::1/page"])
def test_a_malformed_referer_is_ignored(client, valid_form_data, referer):
    page = client.get(URL, HTTP_REFERER=referer)
    assert page.status_code == 200
    assert page.context["form"].initial["source_page"] == ""
    sent = client.post(URL, valid_form_data, HTTP_REFERER=referer)
    assert sent.status_code == 302
    assert ConsultationRequest.objects.count() == 1


@pytest.mark.parametrize("slug", ["nowhere", "omaha"])
def test_unknown_or_inactive_clinic_form_is_404(client, make_location, slug):
    make_location("Omaha", is_active=False)
    assert client.get(f"/{slug}/consultation/").status_code == 404


def test_form_page_is_never_cached(client, db):
    cache_control = client.get(URL)["Cache-Control"]
    assert "no-cache" in cache_control
    assert "no-store" in cache_control


def test_each_form_page_gets_its_own_submission_key(client, db):
    first = hidden_value(client.get(URL).content.decode(), "submission_key")
    second = hidden_value(client.get(URL).content.decode(), "submission_key")
    assert first != second


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": "   "}, "first_name", "Please enter your first name."),
        ({"last_name": ""}, "last_name", "Please enter your last name."),
        ({"first_name": "J" * 61}, "first_name", "at most 60 characters"),
        # One plain message for every control character, NUL included.
        ({"first_name": "Ja\x00ne"}, "first_name", "remove special characters"),
        ({"last_name": "Pa\x1btient"}, "last_name", "remove special characters"),
        ({"message": "Hi\x07 there"}, "message", "remove special characters"),
        ({"message": "x" * 1001}, "message", "at most 1000 characters"),
        ({"location": ""}, "location", "Please choose a clinic."),
        ({"location": "999999"}, "location", "Please choose one of our clinics"),
        ({"location": "abc"}, "location", "Please choose one of our clinics"),
        ({"contact_method": ""}, "contact_method", "Please choose phone or e-mail."),
        ({"contact_method": "pigeon"}, "contact_method", "Select a valid choice"),
        ({"topic": "surgery"}, "topic", "Select a valid choice"),
        ({"patient_type": ""}, "patient_type", "new or returning"),
        ({"best_time": "midnight"}, "best_time", "Select a valid choice"),
        ({"phone": "", "email": ""}, "phone", "phone number or an e-mail address"),
        ({"phone": ""}, "phone", "so we can call you"),
        ({"phone": "12345"}, "phone", "with the area code"),
        ({"phone": "call me maybe"}, "phone", "with the area code"),
        ({"contact_method": "email", "email": ""}, "email", "so we can write to you"),
        ({"email": "jane@"}, "email", "name@example.com"),
        ({"email": "a" * 250 + "@example.com"}, "email", "at most 254 characters"),
        ({"consent": ""}, "consent", "tick this box"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(
    client, valid_form_data, changes, field, message
):
    valid_form_data.update(changes)
    response = client.post(URL, valid_form_data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    # The summary at the top links to the field; the error also sits beside it.
    assert f'href="#id_{field}"' in html or f'href="#id_{field}_0"' in html
    assert f'id="id_{field}_error"' in html or f"error_1_id_{field}" in html
    assert nothing_stored()


def test_inactive_clinic_cannot_be_chosen(client, valid_form_data, make_location):
    valid_form_data["location"] = str(make_location("Omaha", is_active=False).pk)
    response = client.post(URL, valid_form_data)
    assert "location" in response.context["form"].errors
    assert nothing_stored()


@pytest.mark.parametrize("key", ["", "not-a-uuid"])
def test_missing_or_forged_submission_key_stores_nothing(client, valid_form_data, key):
    valid_form_data["submission_key"] = key
    response = client.post(URL, valid_form_data)
    assert "We could not send your request" in response.content.decode()
    assert nothing_stored()


def test_post_without_csrf_token_is_refused(valid_form_data):
    strict = FormClient(enforce_csrf_checks=True)
    response = strict.post(URL, valid_form_data)
    assert response.status_code == 403
    assert nothing_stored()


def test_double_submit_stores_one_request(client, valid_form_data):
    first = client.post(URL, valid_form_data)
    second = client.post(URL, valid_form_data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == THANKS
    assert ConsultationRequest.objects.count() == 1
    assert NotificationOutbox.objects.count() == 1


def test_a_race_on_the_same_key_still_stores_one(client, valid_form_data, monkeypatch):
    client.post(URL, valid_form_data)
    # As if the second copy passed the "already stored?" check before the first committed.
    original_filter = ConsultationRequest.objects.filter
    calls = {"n": 0}

    def blind_first_check(*args, **kwargs):
        calls["n"] += 1
        queryset = original_filter(*args, **kwargs)
        return queryset.none() if calls["n"] <= 2 else queryset

    monkeypatch.setattr(ConsultationRequest.objects, "filter", blind_first_check)
    response = client.post(URL, valid_form_data)
    assert response.status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_refused_form_keeps_answers_and_gets_a_new_started_token(client, valid_form_data):
    valid_form_data["consent"] = ""
    html = client.post(URL, valid_form_data).content.decode()
    assert 'value="Jane"' in html
    assert hidden_value(html, antispam.STARTED_FIELD) != valid_form_data[antispam.STARTED_FIELD]
    assert hidden_value(html, "submission_key") == valid_form_data["submission_key"]


def test_request_and_outbox_row_are_saved_together_or_not_at_all(
    client, valid_form_data, monkeypatch
):
    def broken_queue(*args, **kwargs):
        raise DatabaseError("outbox table is gone")

    monkeypatch.setattr(services.notify, "queue", broken_queue)
    assert client.post(URL, valid_form_data).status_code == 503
    assert nothing_stored()


def test_database_failure_tells_the_patient_and_logs_no_patient_data(
    client, valid_form_data, monkeypatch, caplog
):
    def broken_save(self, *args, **kwargs):
        raise DatabaseError(f"could not write {self.first_name} {self.phone}")

    monkeypatch.setattr(ConsultationRequest, "save", broken_save)
    with caplog.at_level(logging.INFO):
        response = client.post(URL, valid_form_data)
    assert response.status_code == 503
    html = response.content.decode()
    assert "could not save your request" in html
    assert 'value="Jane"' in html
    assert "Could not save a consultation request (DatabaseError)" in caplog.text
    for secret in ("Jane", "555", "example.net", "Tuesdays"):
        assert secret not in caplog.text
