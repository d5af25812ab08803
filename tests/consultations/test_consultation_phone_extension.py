"""A phone extension the patient types is kept and shown to staff, never dropped."""

import csv
import io

import pytest
from django.urls import reverse

from consultations.models import ConsultationRequest
from tests.factories import signed_in

URL = "/consultation/"
CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


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
def test_a_phone_extension_is_kept_apart_from_the_number(client, valid_form_data, typed, extension):
    valid_form_data["phone"] = typed
    assert client.post(URL, valid_form_data).status_code == 302

    saved = ConsultationRequest.objects.get()
    assert saved.phone == "+14025550187"
    assert saved.phone_extension == extension


def test_an_extension_too_long_to_be_real_is_refused_with_a_message(client, valid_form_data):
    valid_form_data["phone"] = "(402) 555-0187 ext. 1234567890123"
    response = client.post(URL, valid_form_data)

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["phone"])
    assert "check the extension" in errors
    assert "up to 10 digits" in errors
    assert not ConsultationRequest.objects.exists()


def test_the_phone_box_has_room_for_a_number_with_its_extension(client, db):
    form = client.get(URL).context["form"]
    assert form["phone"].field.widget.attrs["maxlength"] == "40"


def test_staff_see_the_extension_on_the_request_and_in_the_list(
    client, practice_manager_user, make_request
):
    request = make_request(phone="+14025550187", phone_extension="123", contact_method="phone")
    signed_in(client, practice_manager_user)

    page = client.get(reverse("admin:consultations_consultationrequest_change", args=[request.pk]))
    listing = client.get(CHANGELIST)

    assert "(402) 555-0187 ext. 123" in page.content.decode()
    assert "(402) 555-0187 ext. 123" in listing.content.decode()


def test_the_csv_export_carries_the_extension(client, practice_manager_user, make_request):
    with_ext = make_request(phone="+14025550187", phone_extension="123", contact_method="phone")
    without = make_request(phone="+14025550123", contact_method="phone")
    signed_in(client, practice_manager_user)

    response = client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [str(with_ext.pk), str(without.pk)]},
    )

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["Phone"], row["Phone extension"]) for row in rows] == [
        ("(402) 555-0187", "123"),
        ("(402) 555-0123", ""),
    ]
