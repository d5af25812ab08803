"""One reading of a patient's phone (pages.contact) for every form that asks for it: the
request form and the booking form keep the number and the extension apart the same way,
and refuse the same mistakes with the same words."""

import pytest
from django import forms

from appointments.forms import BookingForm
from consultations.forms import ConsultationRequestForm
from pages import contact

FORMS = [ConsultationRequestForm, BookingForm]


@pytest.mark.parametrize(
    ("typed", "number", "extension"),
    [
        ("(402) 555-0187 x123", "+14025550187", "123"),
        ("402.555.0187 ext 4", "+14025550187", "4"),
        ("(402) 555-0187", "+14025550187", ""),
        ("", "", ""),
    ],
)
def test_the_number_and_its_extension_are_read_apart(typed, number, extension):
    assert contact.read_patient_phone(typed) == (number, extension)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("555-0187", "with the area code"),
        ("(402) 555-0187 ext. 12345678901", "up to 10 digits"),
    ],
)
def test_a_number_no_one_could_call_is_refused_with_what_to_fix(typed, words):
    with pytest.raises(forms.ValidationError) as refused:
        contact.read_patient_phone(typed)
    assert words in " ".join(refused.value.messages)


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS)
@pytest.mark.parametrize(
    ("typed", "number", "extension"),
    [("(402) 555-0187 x123", "+14025550187", "123"), ("(402) 555-0187", "+14025550187", "")],
)
def test_both_forms_keep_the_extension(form_class, typed, number, extension):
    form = form_class(data={"phone": typed})
    form.is_valid()  # other answers are missing; the phone is read all the same

    assert form.cleaned_data["phone"] == number
    assert form.phone_extension == extension


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS)
def test_both_forms_refuse_an_extension_too_long_in_the_same_words(form_class):
    form = form_class(data={"phone": "(402) 555-0187 ext. 1234567890123"})

    assert not form.is_valid()
    assert form.errors["phone"] == [
        "Please check the extension after the phone number. It can have up to 10 digits."
    ]
