"""How a patient asks to be reached, checked the same way on every form that asks (the
consultation request and the booking): a phone or an e-mail address, the detail for the
way they chose, and an address for anyone who asked for e-mails."""

from typing import NamedTuple

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .phones import e164, parse_us_phone


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail")


class Topic(models.TextChoices):
    """What a patient wants to talk about: kept for staff, never in a URL, log, e-mail or
    calendar file."""

    ISOTRETINOIN = "isotretinoin", _("Isotretinoin")
    OTHER_ACNE = "other_acne", _("Other acne treatment")
    GENERAL = "general", _("General skin concern")


PHONE = ContactMethod.PHONE
EMAIL = ContactMethod.EMAIL


def check_contact_details(form, cleaned, opt_in_field):
    """Add the errors to `form` (a form with phone, email and contact_method fields, and a
    box named `opt_in_field` asking for e-mails)."""
    if "phone" in form.errors or "email" in form.errors:
        return  # the field's own message says enough
    phone, email = cleaned.get("phone"), cleaned.get("email")
    if not phone and not email:
        form.add_error("phone", _("Please give a phone number or an e-mail address."))
        return
    method = cleaned.get("contact_method")
    if method == PHONE and not phone:
        form.add_error("phone", _("Please enter your phone number so we can call you."))
    if cleaned.get(opt_in_field) and not email:
        form.add_error("email", _("Please enter your e-mail address so we can send you e-mails."))
    elif method == EMAIL and not email:
        form.add_error("email", _("Please enter your e-mail address so we can write to you."))


# Room for any real extension; a longer one is a typing slip, not dropped without a word.
PHONE_EXTENSION_MAX_DIGITS = 10


class PatientPhone(NamedTuple):
    """A phone number as stored: +1XXXXXXXXXX, and its extension apart ("" for none)."""

    number: str
    extension: str


def read_patient_phone(raw):
    """A patient's US phone number as typed ("(402) 555-0187 x123"): a PatientPhone, or a
    ValidationError that says what to fix. Empty gives PatientPhone("", "")."""
    if not raw:
        return PatientPhone("", "")
    number = parse_us_phone(raw)
    if number is None:
        raise forms.ValidationError(
            _("Please enter a phone number we can call, with the area code.")
        )
    extension = number.extension or ""
    if len(extension) > PHONE_EXTENSION_MAX_DIGITS:
        raise forms.ValidationError(
            _(
                "Please check the extension after the phone number. "
                "It can have up to %(digits)s digits."
            ),
            params={"digits": PHONE_EXTENSION_MAX_DIGITS},
        )
    return PatientPhone(e164(number), extension)


class PatientPhoneMixin:
    """For a form with a `phone` field: the number is cleaned to +1XXXXXXXXXX and the
    extension the patient typed is kept in `phone_extension`, never dropped."""

    phone_extension = ""

    def clean_phone(self):
        phone = read_patient_phone(self.cleaned_data.get("phone", ""))
        self.phone_extension = phone.extension
        return phone.number
