"""What patients type is stored in one spelling (NFKC), and names with invisible characters
are refused with a clear message, so staff can find and read every request."""

import pytest

from consultations.models import ConsultationRequest

URL = "/consultation/"
HIDDEN = "hidden characters in it"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "\u202eNHOJ"),  # shown as "JOHN"
        ("last_name", "Smi\u200bth"),  # zero-width space
        ("last_name", "Smi\u200dth"),  # zero-width joiner
        ("first_name", "\u2067Jane\u2069"),  # direction isolate
        ("first_name", "Ja\u200fne"),  # right-to-left mark
        ("last_name", "Pa\ufefftient"),  # zero-width no-break space
        ("last_name", "Pa\u00adtient"),  # soft hyphen
        ("first_name", "\u3164"),  # Hangul filler: a letter that draws nothing
    ],
)
def test_a_name_with_invisible_characters_is_refused_with_a_clear_message(
    client, valid_form_data, field, value
):
    valid_form_data[field] = value
    response = client.post(URL, valid_form_data)

    assert response.status_code == 200
    assert HIDDEN in " ".join(response.context["form"].errors[field])
    assert "Please type it again" in response.content.decode()
    assert not ConsultationRequest.objects.exists()


@pytest.mark.parametrize("mark", ["\u202e", "\u202d", "\u2066", "\u2069"])
def test_a_message_with_marks_that_reorder_the_text_is_refused(client, valid_form_data, mark):
    valid_form_data["message"] = f"Call me {mark}after 5"
    response = client.post(URL, valid_form_data)

    assert "change the text direction" in " ".join(response.context["form"].errors["message"])
    assert not ConsultationRequest.objects.exists()


def test_submitted_text_is_stored_in_one_spelling(client, valid_form_data):
    valid_form_data.update(
        first_name="\uff2a\uff41\uff4e\uff45",  # full-width "Jane"
        last_name="\ufb01sher",  # "fi" ligature
        phone="\uff08\uff14\uff10\uff12\uff09 555-0123",  # full-width "(402)"
        email="jane@\uff45xample.net",
        message="Mornings\u00a0only, room \u2460",  # no-break space, circled one
    )
    assert client.post(URL, valid_form_data).status_code == 302

    saved = ConsultationRequest.objects.get()
    assert (saved.first_name, saved.last_name) == ("Jane", "fisher")
    assert saved.phone == "+14025550123"
    assert saved.email == "jane@example.net"
    assert saved.message == "Mornings only, room 1"
    assert ConsultationRequest.objects.filter(last_name__icontains="fish").exists()


def test_a_name_that_grows_when_normalised_is_checked_at_its_stored_length(client, valid_form_data):
    # U+FDFA is one character that NFKC spells as eighteen.
    valid_form_data["last_name"] = "\ufdfa" * 4
    response = client.post(URL, valid_form_data)

    assert "at most 60 characters" in " ".join(response.context["form"].errors["last_name"])
    assert not ConsultationRequest.objects.exists()


def test_names_and_messages_people_really_write_are_kept(client, valid_form_data):
    valid_form_data.update(
        first_name="Zoë",
        last_name="Nguyễn-O'Brien",
        message="Merci 👩🏽‍⚕️ — שלום, مرحبا",  # the emoji holds a zero-width joiner
    )
    assert client.post(URL, valid_form_data).status_code == 302

    saved = ConsultationRequest.objects.get()
    assert (saved.first_name, saved.last_name) == ("Zoë", "Nguyễn-O'Brien")
    assert saved.message == "Merci 👩🏽‍⚕️ — שלום, مرحبا"


# --- The same cleaning for every free-text answer (pages.text) ---

HIDDEN_MARKS = [
    "\u202eilamoS",  # right-to-left override: shown as "Somali"
    "So\u200bmali",  # zero-width space
    "\u2067Somali\u2069",  # direction isolate
    "So\u00admali",  # soft hyphen
    "\u2800",  # blank braille cell: a letter that draws nothing
]


@pytest.mark.parametrize("value", HIDDEN_MARKS)
def test_another_language_with_hidden_characters_is_refused_with_a_clear_message(
    client, valid_form_data, value
):
    valid_form_data.update(preferred_language="other", preferred_language_other=value)
    response = client.post(URL, valid_form_data)

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["preferred_language_other"])
    assert HIDDEN in errors and "Please type it again" in errors
    assert not ConsultationRequest.objects.exists()


@pytest.mark.parametrize("value", ["Som\x00ali", "Somali\x1b[2J", "So\nmali"])
def test_another_language_with_control_characters_is_refused_with_a_clear_message(
    client, valid_form_data, value
):
    valid_form_data.update(preferred_language="other", preferred_language_other=value)
    response = client.post(URL, valid_form_data)

    errors = " ".join(response.context["form"].errors["preferred_language_other"])
    assert "Please remove special characters" in errors
    assert not ConsultationRequest.objects.exists()


def test_another_language_is_stored_in_one_spelling(client, valid_form_data):
    valid_form_data.update(
        preferred_language="other", preferred_language_other="\uff33\uff4f\uff4d\uff41\uff4c\uff49"
    )
    assert client.post(URL, valid_form_data).status_code == 302

    assert ConsultationRequest.objects.get().preferred_language_other == "Somali"


@pytest.mark.parametrize(
    "source",
    [
        "/bellevue/\u202eisotretinoin/",
        "/bellevue/iso\u200btretinoin/",
        "/bellevue/\u2066isotretinoin/",
        "/bellevue/\x00isotretinoin/",
    ],
)
def test_a_source_page_with_hidden_or_control_characters_is_not_stored(
    client, valid_form_data, source
):
    # A hidden field the patient cannot fix: the request goes through, without it.
    valid_form_data["source_page"] = source
    assert client.post(URL, valid_form_data).status_code == 302

    assert ConsultationRequest.objects.get().source_page == ""


@pytest.mark.parametrize("field", ["phone", "email"])
def test_contact_details_with_hidden_characters_are_refused(client, valid_form_data, field):
    valid_form_data[field] = {"phone": "(402) 555\u200b-0123", "email": "jane@exa\u200bmple.net"}[
        field
    ]
    response = client.post(URL, valid_form_data)

    assert HIDDEN in " ".join(response.context["form"].errors[field])
    assert not ConsultationRequest.objects.exists()
