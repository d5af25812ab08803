"""`{% booking_url location as url %}`: the clinic's booking page, or "" when it has no
online-bookable hours (then no booking link is shown anywhere).

`{% bookable_location_ids as ids %}`: for lists of clinics (home page, finder), the ids of
those with bookable hours in one query, so a list costs the same however long it is.

`{% booking_privacy as booking %}`: for the privacy page (a consultations template, so
neither app imports the other), what a booking keeps (`booking.questions`, the booking
form's own labels) and for how long (`booking.retention_days`)."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from appointments.forms import BookingForm
from appointments.models import AppointmentType

register = template.Library()


# Kept on the location object, per language, for the rest of the render: the treatment
# page offers the next step twice, and each asks.
_MEMO = "_booking_url_"


@register.simple_tag
def booking_url(location):
    if not location or not getattr(location, "pk", None):
        return ""
    memo = _MEMO + (get_language() or "")
    if memo not in location.__dict__:
        bookable = AppointmentType.objects.bookable().filter(location_id=location.pk).exists()
        url = reverse("appointments:book", kwargs={"slug": location.slug}) if bookable else ""
        location.__dict__[memo] = url
    return location.__dict__[memo]


@register.simple_tag
def bookable_location_ids():
    return set(AppointmentType.objects.bookable().values_list("location_id", flat=True))


@register.simple_tag
def booking_privacy():
    return {
        "questions": BookingForm.patient_questions(),
        "retention_days": settings.BOOKING_RETENTION_DAYS,
    }
