"""What staff are told about online bookings, through the staff outbox (queue after
commit, send once, retry). Like the request e-mails, these say only that something
happened at which clinic and link to the staff admin: no patient details, no time of the
visit, nothing about health."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from staff import kinds, outbox

from .models import Booking

BOOKED = "booking"
CHANGED = "bookchange"

_CHANGE_WORDS = {BOOKED: "A new booking was made", CHANGED: "A patient changed a booking"}


def queue_booked(booking):
    """Queue "a booking came in" (inside the booking's transaction)."""
    return outbox.queue(booking, kind=BOOKED)


def queue_changed(booking):
    """Queue "a patient cancelled or moved a booking": staff must update the practice
    system, which stays the clinic's master schedule."""
    return outbox.queue(booking, kind=CHANGED)


def _build(notifications, recipient):
    notification = notifications[0]
    booking = Booking.objects.select_related("location").get(pk=notification.object_id)
    name = booking.location.name
    link = settings.SITE_URL + reverse("admin:appointments_booking_change", args=[booking.pk])
    what = _CHANGE_WORDS.get(notification.kind, _CHANGE_WORDS[BOOKED])
    body = (
        f"{what} online for the {name} clinic.\n\n"
        f"Sign in to the staff site to see it and enter it in the practice system:\n{link}\n\n"
        "This e-mail has no patient details on purpose. Please do not forward patient "
        "details by e-mail.\n"
    )
    return EmailMessage(subject=f"{what} for {name} ({booking})", body=body, to=[recipient])


kinds.register(
    kinds.Kind(BOOKED, _build, label="New booking", record_type=Booking._meta.label_lower)
)
kinds.register(kinds.Kind(CHANGED, _build, label="Booking changed by the patient"))
