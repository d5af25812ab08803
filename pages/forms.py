from django import forms

from . import images
from .models import Location


class HttpsURLField(forms.URLField):
    """A web address typed without a scheme means https (Django 6's default)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class LocationAdminForm(forms.ModelForm):
    class Meta:
        model = Location
        field_classes = {"map_url": HttpsURLField}
        fields = [
            "name",
            "slug",
            "is_active",
            "sort_order",
            "address",
            "phone",
            "hours",
            "map_url",
            "photo",
            "photo_alt",
            "notification_email",
        ]

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
