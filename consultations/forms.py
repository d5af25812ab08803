from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pages import contact, text
from pages.models import Location

from . import antispam
from .models import ConsultationRequest

PHONE_TYPED_MAX_LENGTH = 40
CONTROL_MESSAGE = _("Please remove special characters (like invisible control codes).")
HIDDEN_MESSAGE = _(
    "This answer has hidden characters in it (like an invisible space or a mark that "
    "changes the text direction). Please type it again."
)


def local_path(value):
    """A path on this site ("/bellevue/isotretinoin/"), or "" for anything else."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return ""
    try:
        value = text.clean_text(value)
    except text.UnsafeText:
        return ""
    return value if len(value) <= 200 else ""


class LocalPathField(forms.CharField):
    """A hidden field the patient cannot fix: anything but a plain path on this site
    (too long, control or hidden characters) becomes "", never an error."""

    def to_python(self, value):
        return local_path(super().to_python(value))


class CleanTextMixin:
    """Text cleaned the one shared way (pages.text: NFKC; control and hidden characters
    refused with a message) before it is validated, so the length limit applies to what
    is stored."""

    multiline = False
    default_error_messages = {text.CONTROL: CONTROL_MESSAGE, text.INVISIBLE: HIDDEN_MESSAGE}

    def to_python(self, value):
        value = super().to_python(value)
        try:
            value = text.clean_text(value, multiline=self.multiline)
        except text.UnsafeText as error:
            raise forms.ValidationError(self.error_messages[error.kind], code=error.kind) from None
        return value.strip() if getattr(self, "strip", True) else value


class NormalizedCharField(CleanTextMixin, forms.CharField):
    pass


class NameField(NormalizedCharField):
    default_error_messages = {
        text.INVISIBLE: _(
            "This name has hidden characters in it (like an invisible space or "
            "a mark that changes the text direction). Please type it again."
        )
    }


class PhoneField(NormalizedCharField):
    """Room for the way people type a number (spaces, brackets, "+1", an extension); what
    is stored is the number alone, +1XXXXXXXXXX, and the extension apart."""

    def __init__(self, *, max_length=None, **kwargs):
        super().__init__(max_length=PHONE_TYPED_MAX_LENGTH, **kwargs)


class NormalizedEmailField(CleanTextMixin, forms.EmailField):
    pass


class MessageField(NormalizedCharField):
    """Keeps its line breaks (stored as "\\n", so a message that fit the box fits the
    limit) and the joiners emoji need; marks that reorder the text are refused."""

    multiline = True
    default_error_messages = {
        text.INVISIBLE: _(
            "Your message has hidden marks that change the text direction. Please type it again."
        )
    }


class ConsultationRequestForm(contact.PatientPhoneMixin, forms.ModelForm):
    consent = forms.BooleanField(
        label=_("I agree that MOD Dermatology staff may contact me about this request."),
        error_messages={"required": _("Please tick this box so our staff may contact you.")},
    )
    # Honeypot: hidden from people (and screen readers); robots fill it in.
    website = forms.CharField(
        label=_("Leave this box empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # Made when the page is shown; the same form sent twice is stored once.
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    # Issue 20: "we have your request" by e-mail, only when ticked (with an address).
    email_ack = forms.BooleanField(
        label=_("E-mail me that you got my request"),
        required=False,
        help_text=_("We send one short e-mail that says when we aim to contact you."),
    )

    class Meta:
        model = ConsultationRequest
        fields = [
            "location",
            "first_name",
            "last_name",
            "contact_method",
            "phone",
            "email",
            "email_ack",
            "best_time",
            "topic",
            "patient_type",
            "message",
            "preferred_language",
            "preferred_language_other",
            "interpreter_needed",
            "source_page",
        ]
        field_classes = {
            "first_name": NameField,
            "last_name": NameField,
            "phone": PhoneField,
            "email": NormalizedEmailField,
            "message": MessageField,
            "preferred_language_other": NormalizedCharField,
            "source_page": LocalPathField,
        }
        labels = {
            "location": _("Clinic"),
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "contact_method": _("How should we contact you?"),
            "phone": _("Phone number"),
            "email": _("E-mail address"),
            "best_time": _("Best time to reach you (optional)"),
            "topic": _("What would you like to talk about?"),
            "patient_type": _("Have you been to MOD Dermatology before?"),
            "message": _("Message (optional)"),
            "preferred_language": _("Which language would you like to use for your care?"),
            "preferred_language_other": _("If you chose another language, which one?"),
            "interpreter_needed": _("I would like a free interpreter at my visits."),
        }
        help_texts = {
            "location": _("The clinic where you would like to be seen."),
            "phone": _("Include the area code."),
            "email": _("We only use it to reply to this request."),
            "message": _(
                "Up to 1,000 characters. Don't include detailed medical information; "
                "we'll ask when we call."
            ),
            "preferred_language_other": _("For example: Vietnamese, Arabic, Somali."),
            "interpreter_needed": _("Interpreters are free. They can help by phone or in person."),
        }
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_method": forms.RadioSelect,
            "best_time": forms.RadioSelect,
            "topic": forms.RadioSelect,
            "patient_type": forms.RadioSelect,
            "preferred_language": forms.RadioSelect,
            "preferred_language_other": forms.TextInput(attrs={"autocomplete": "off"}),
            "message": forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
            "source_page": forms.HiddenInput,
        }
        error_messages = {
            "location": {
                "required": _("Please choose a clinic."),
                "invalid_choice": _("Please choose one of our clinics from the list."),
            },
            "first_name": {"required": _("Please enter your first name.")},
            "last_name": {"required": _("Please enter your last name.")},
            "contact_method": {"required": _("Please choose phone or e-mail.")},
            "topic": {"required": _("Please choose what you would like to talk about.")},
            "patient_type": {"required": _("Please tell us if you are new or returning.")},
            "email": {"invalid": _("Please enter an e-mail address like name@example.com.")},
            "preferred_language": {
                "required": _("Please choose the language you would like to use."),
                "invalid_choice": _("Please choose one of the languages in the list."),
            },
        }

    def __init__(self, *args, clinic_select=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.active()
        self.fields["location"].empty_label = _("Choose a clinic")
        if not clinic_select:
            # Many clinics: the one chosen through the finder (or the URL) travels hidden,
            # shown above the form by name; a drop-down of them all would be unusable.
            self.fields["location"].widget = forms.HiddenInput()
        self.fields["best_time"].required = False
        # Preselected from the page's language (see the view); a form sent without it
        # (a page cached from before the question existed) takes that language too.
        self.fields["preferred_language"].required = False
        self.fields["source_page"].required = False
        # Radio buttons need no "---------" choice.
        for name in ("contact_method", "best_time", "topic", "patient_type", "preferred_language"):
            self.fields[name].choices = ConsultationRequest._meta.get_field(name).choices
        self.fields["submission_key"].error_messages = {
            "required": antispam.GENERIC_REFUSAL,
            "invalid": antispam.GENERIC_REFUSAL,
        }
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        # Three short groups, each with a legend (GOV.UK's "one thing at a time", on one
        # page). The order is the fields' order, which the error summary follows too.
        self.helper.layout = Layout(
            "location",
            Fieldset(_("About you"), "first_name", "last_name", css_class="form-group-box"),
            Fieldset(
                _("How to reach you"),
                HTML(
                    '<p class="form-text fieldset-hint">'
                    + escape(_("Give a phone number, an e-mail address, or both."))
                    + "</p>"
                ),
                "contact_method",
                "phone",
                "email",
                "email_ack",  # issue 20
                "best_time",
                css_class="form-group-box",
            ),
            Fieldset(
                _("Your visit"),
                "topic",
                "patient_type",
                "message",
                "preferred_language",
                Div("preferred_language_other", css_class="language-other"),
                "interpreter_needed",
                css_class="form-group-box",
            ),
            "consent",
            Div("website", css_class="d-none", aria_hidden="true"),
            "submission_key",
            "source_page",
            # Fresh on every render, so a re-shown form can be sent again.
            HTML(
                f'<input type="hidden" name="{antispam.STARTED_FIELD}" '
                'value="{{ form_started }}">'
            ),
            Submit("submit", _("Send request"), css_class="btn-lg"),
        )

    @property
    def field_errors(self):
        """(bound field, message) pairs for the summary above the form, in the order the
        fields appear (not the order the checks ran: phone is checked last, shown fifth).
        Errors about the whole form are shown by crispy at the top of the form itself."""
        return [
            (self[name], error)
            for name in self.fields
            if name in self.errors and not self[name].is_hidden
            for error in self.errors[name]
        ]

    def clean(self):
        cleaned = super().clean()
        if "submission_key" in self.errors:
            raise forms.ValidationError(antispam.GENERIC_REFUSAL)
        try:
            antispam.check_honeypot(cleaned.get("website"))
            antispam.check_token(self.data.get(antispam.STARTED_FIELD), cleaned["submission_key"])
        except antispam.SpamCheckFailed as error:
            raise forms.ValidationError(str(error)) from None
        contact.check_contact_details(self, cleaned, opt_in_field="email_ack")
        self._check_language(cleaned)
        return cleaned

    def _check_language(self, cleaned):
        """ "Another language" needs its name; the name is kept only with that choice."""
        if cleaned.get("preferred_language") == ConsultationRequest.Language.OTHER:
            if not cleaned.get("preferred_language_other"):
                self.add_error(
                    "preferred_language_other", _("Please tell us which language you speak.")
                )
        else:
            cleaned["preferred_language_other"] = ""

    def clean_preferred_language(self):
        value = self.cleaned_data.get("preferred_language")
        if value:
            return value
        language = get_language()
        return language if language in ConsultationRequest.Language.values else "en"

    def clean_best_time(self):
        return self.cleaned_data.get("best_time") or ConsultationRequest.BestTime.ANY

    def save(self, commit=True):
        self.instance.submission_key = self.cleaned_data["submission_key"]
        self.instance.phone_extension = self.phone_extension
        return super().save(commit=commit)


# The booking page's "Request a consultation" button posts the booking form here with
# this marker: the request form is then shown filled in with what was typed there, not
# checked and not saved. Names are the booking form's (the apps share no code for it).
FROM_BOOKING = "from_booking"
# booking form's field -> the request form's field
BOOKING_FIELDS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "contact_method": "contact_method",
    "phone": "phone",
    "email": "email",
    "email_updates": "email_ack",
    "patient_type": "patient_type",
    "topic": "topic",
    "message": "message",
    "interpreter_needed": "interpreter_needed",
}


def initial_from_booking(posted):
    """The request form's starting values from a posted booking form: text cleaned the
    shared way and cut to what the request form takes (dropped if it has hidden
    characters), choices only when they are valid, boxes as ticked."""
    initial = {}
    for booking_name, name in BOOKING_FIELDS.items():
        value = _carried(ConsultationRequestForm.base_fields[name], posted, booking_name)
        if value:
            initial[name] = value
    return initial


def _carried(field, posted, name):
    if isinstance(field, forms.BooleanField):
        return field.widget.value_from_datadict(posted, {}, name)
    raw = str(posted.get(name, ""))
    if isinstance(field, forms.ChoiceField):
        return raw if raw in {str(value) for value, _label in field.choices if value} else ""
    try:
        value = text.clean_text(raw, multiline=isinstance(field, MessageField))
    except text.UnsafeText:
        return ""
    return value.strip()[: field.max_length]
