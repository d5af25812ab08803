"""The booking form: the time (`start`, an ISO 8601 instant with its offset), the type,
and the same minimal details as the request form. No health details are asked for."""

import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pages import contact, text
from staff import antispam

from .models import Booking, PatientType

SALT = "appointments.form-started"
STARTED_FIELD = "form_started"
# Hidden from people; a robot that fills it in is refused.
HONEYPOT_FIELD = "website"
REFUSAL = _("We could not book this time. Please try again, or call the clinic.")
SPAM_MESSAGES = {
    antispam.INVALID: REFUSAL,
    antispam.TOO_FAST: _(
        "That was very fast. Please check your details and press “Book this time” again."
    ),
    antispam.TOO_OLD: _(
        "This page was open a long time. "
        "Please check your details and press “Book this time” again."
    ),
}


def parse_start(value):
    """An aware datetime from "2027-03-10T09:30:00-05:00", or None."""
    try:
        parsed = datetime.datetime.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    return parsed


class CleanCharField(forms.CharField):
    """Text cleaned the shared way (pages.text): control and hidden characters refused."""

    multiline = False

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return text.clean_text(value, multiline=self.multiline).strip()
        except text.UnsafeText:
            raise forms.ValidationError(
                _(
                    "This answer has hidden characters in it (like an invisible space or "
                    "a mark that changes the text direction). Please type it again."
                )
            ) from None


class MessageField(CleanCharField):
    multiline = True


class BookingForm(contact.PatientPhoneMixin, forms.Form):
    appointment_type = forms.IntegerField(widget=forms.HiddenInput)
    start = forms.CharField(
        error_messages={"required": _("Please choose a time.")},
    )
    first_name = CleanCharField(
        label=_("First name"),
        max_length=80,
        error_messages={"required": _("Please enter your first name.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = CleanCharField(
        label=_("Last name"),
        max_length=80,
        error_messages={"required": _("Please enter your last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    contact_method = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=Booking.ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose phone or e-mail.")},
    )
    phone = CleanCharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        help_text=_("Include the area code. Give a phone number, an e-mail address, or both."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        error_messages={"invalid": _("Please enter an e-mail address like name@example.com.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_updates = forms.BooleanField(
        label=_("E-mail me about my appointment"),
        required=False,
        help_text=_(
            "A confirmation, any change, and a reminder the day before. "
            "We never write about your health."
        ),
    )
    patient_type = forms.ChoiceField(
        label=_("Have you been to MOD Dermatology before?"),
        choices=PatientType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please tell us if you are new or returning.")},
    )
    topic = forms.ChoiceField(
        label=_("What would you like to talk about?"),
        choices=Booking.Topic.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    message = MessageField(
        label=_("Message (optional)"),
        required=False,
        max_length=1000,
        help_text=_(
            "Up to 1,000 characters. Don't include detailed medical information; "
            "we'll ask at your visit."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )
    # Health-adjacent: stored for staff, never in a mail, calendar file, log or URL.
    interpreter_needed = forms.BooleanField(
        label=_("I would like a free interpreter at my visit"),
        required=False,
        help_text=_(
            "Interpreters are free. If you need a language other than English, "
            "our staff will call you to set it up."
        ),
    )
    # Honeypot: hidden from people (and screen readers); robots fill it in.
    website = forms.CharField(
        label=_("Leave this box empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    submission_key = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": REFUSAL, "invalid": REFUSAL}
    )

    def clean_start(self):
        start = parse_start(self.cleaned_data.get("start"))
        if start is None:
            raise forms.ValidationError(_("Please choose one of the times shown."))
        return start

    def clean(self):
        cleaned = super().clean()
        if "submission_key" in self.errors or cleaned.get(HONEYPOT_FIELD):
            raise forms.ValidationError(REFUSAL)
        problem = antispam.token_problem(
            SALT,
            self.data.get(STARTED_FIELD),
            cleaned["submission_key"],
            settings.CONSULTATION_MIN_SECONDS,
            settings.CONSULTATION_FORM_MAX_AGE,
        )
        if problem:
            raise forms.ValidationError(SPAM_MESSAGES[problem])
        contact.check_contact_details(self, cleaned, opt_in_field="email_updates")
        return cleaned

    def details(self):
        cleaned = {**self.cleaned_data, "phone_extension": self.phone_extension}
        return {name: cleaned.get(name) or "" for name in Booking.PATIENT_DETAILS} | {
            name: bool(cleaned.get(name)) for name in Booking.PATIENT_ANSWERS
        }

    @classmethod
    def patient_questions(cls):
        """The labels of what the patient answers, in the form's order, for the privacy
        page: not the hidden fields (the type, the form's key) or the honeypot, nor the
        time, which has no label of its own (it is chosen from the list of times)."""
        return [
            field.label
            for name, field in cls().fields.items()
            if field.label and not field.widget.is_hidden and name != HONEYPOT_FIELD
        ]

    @property
    def field_errors(self):
        """(bound field, message) pairs for the summary above the form, in the order the
        fields appear (not the order the checks ran: phone is checked last, shown fourth).
        The time's errors have their own line, linked to the times."""
        return [
            (self[name], error)
            for name in self.fields
            if name in self.errors and not self[name].is_hidden and name != "start"
            for error in self.errors[name]
        ]
