import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from . import images, text
from .models import CivilRightsCoordinator, Location, OpeningHours, find_overlaps
from .phones import e164, parse_us_phone


class HttpsURLField(forms.URLField):
    """A web address typed without a scheme means https (Django 6's default)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


def _time_zone_choices():
    # US zones first: staff almost always want one of those.
    names = sorted(zoneinfo.available_timezones())
    us = [name for name in names if name.startswith("America/") or name.startswith("Pacific/")]
    return [(name, name) for name in us] + [(n, n) for n in names if n not in us]


def clean_patient_phone(raw):
    """A number patients call, typed by staff as they say it; kept as E.164, like the
    consultation form's."""
    raw = raw.strip()
    if not raw:
        return ""
    number = parse_us_phone(raw)
    if number is None:
        raise forms.ValidationError(
            _("Enter a phone number patients can call, with the area code.")
        )
    return e164(number)


class LocationAdminForm(forms.ModelForm):
    time_zone = forms.TypedChoiceField(
        label=_("time zone"),
        choices=_time_zone_choices,
        help_text=_("The clinic's opening hours are in this time zone."),
    )

    class Meta:
        model = Location
        field_classes = {"map_url": HttpsURLField}
        fields = [
            "name",
            "slug",
            "is_active",
            "sort_order",
            "street_address",
            "city",
            "state",
            "postal_code",
            "phone",
            "time_zone",
            "map_url",
            "staff_notes",
            "photo",
            "photo_alt",
            "notification_email",
        ]
        widgets = {
            "street_address": forms.Textarea(attrs={"rows": 2}),
            "staff_notes": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_phone(self):
        return clean_patient_phone(self.cleaned_data.get("phone", ""))

    def clean_postal_code(self):
        # NFKC: a ZIP typed with full-width digits is 68005, not an error.
        return text.strip_unsafe(self.cleaned_data.get("postal_code", "")).strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") and not cleaned.get("photo_alt", "").strip():
            self.add_error(
                "photo_alt",
                "Describe the photo in a few words, for people who cannot see it "
                "(for example “The front door of our clinic”).",
            )
        return cleaned

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        # Only a fresh upload is re-encoded; an unchanged photo is already clean.
        if photo and "photo" in self.changed_data:
            images.validate_photo(photo)
            return images.sanitize(photo)
        return photo


class CivilRightsCoordinatorForm(forms.ModelForm):
    class Meta:
        model = CivilRightsCoordinator
        fields = ["who", "phone", "email", "mailing_address"]
        widgets = {"mailing_address": forms.Textarea(attrs={"rows": 3})}

    def clean_phone(self):
        return clean_patient_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("phone") or cleaned.get("email") or cleaned.get("mailing_address")):
            raise forms.ValidationError(
                "Give at least one way to reach them: a phone, an e-mail or a mailing address."
            )
        return cleaned


class OpeningHoursFormSet(forms.BaseInlineFormSet):
    """Refuses rows whose opening periods overlap (touching, as around lunch, is fine)."""

    def clean(self):
        super().clean()
        rows = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            if data.get("weekday") is None or not data.get("opens") or not data.get("closes"):
                continue
            rows.append(
                OpeningHours(weekday=data["weekday"], opens=data["opens"], closes=data["closes"])
            )
        overlaps = find_overlaps(rows)
        if overlaps:
            a, b = overlaps[0]
            raise forms.ValidationError(
                _("These opening hours overlap: %(first)s and %(second)s. Change or remove one."),
                params={"first": a, "second": b},
                code="overlap",
            )
