"""A clinic's private calendar feed for staff (issue 20): Outlook or Google Calendar
subscribe to a URL holding a long random token, stored only as its hash. Making a new link
replaces the hash, so the old URL stops working at once. The feed lists the next
FEED_DAYS of booked visits as "Online booking" with a link to the admin page: no names, no
contact details, nothing about health (calendar services are not bound by health privacy
rules)."""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from staff import antispam
from staff.models import AuditEvent

from . import calendar
from .models import Booking, CalendarFeed, hash_token

FEED_DAYS = 60


def create_link(location, user):
    """A new feed token for `location` (replacing any old one); returns the token, which
    is never stored and so can be shown only this once. Audited."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.update_or_create(
            location=location,
            defaults={"token_hash": hash_token(token), "created_by": user.get_username()},
        )
        AuditEvent.record(
            AuditEvent.Action.CHANGE, [feed], user=user, detail="calendar feed link made"
        )
    return token


def feed_path(token):
    return reverse("staff-calendar-feed", kwargs={"token": token})


def _admin_url(booking):
    path = reverse("admin:appointments_booking_change", args=[booking.pk])
    return settings.SITE_URL + path


def feed_text(location, now=None, host=""):
    now = now or timezone.now()
    bookings = (
        Booking.objects.filter(
            location=location,
            status=Booking.Status.BOOKED,
            starts_at__gte=now - datetime.timedelta(days=1),
            starts_at__lt=now + datetime.timedelta(days=FEED_DAYS),
        )
        .only("public_id", "sequence", "starts_at", "ends_at", "status")
        .order_by("starts_at", "pk")
    )
    return calendar.feed(location, bookings, _admin_url, host=host)


@method_decorator(never_cache, name="dispatch")
class StaffCalendarFeedView(View):
    def get(self, request, token):
        if not antispam.within_rate(
            request, "appointments.staff-feed", settings.BOOKING_FEED_RATE_LIMIT
        ):
            return HttpResponse("Too many requests.\n", status=429, content_type="text/plain")
        feed = (
            CalendarFeed.objects.select_related("location")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if feed is None:
            return HttpResponse("No such calendar.\n", status=404, content_type="text/plain")
        response = HttpResponse(
            feed_text(feed.location, host=request.get_host()),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = 'inline; filename="bookings.ics"'
        response["X-Robots-Tag"] = "noindex"
        return response
