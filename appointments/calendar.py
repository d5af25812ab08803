"""The booking's calendar file (RFC 5545), written here: one VEVENT whose UID stays the
booking's for life and whose SEQUENCE rises with each change, times in UTC. It names the
clinic and its address, and nothing about the patient's health: no topic, no message.

The file the manage page offers is METHOD:PUBLISH; the e-mailed ones are iTIP (RFC 5546)
METHOD:REQUEST, and METHOD:CANCEL on a cancel, with the same UID, so the patient's
calendar updates or removes the one event instead of adding another. The staff feed
(feed()) lists a clinic's coming bookings as "Online booking", no patient details."""

import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

PRODID = "-//MOD Dermatology//Online booking//EN"


def _escape(value):
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line):
    """Lines longer than 75 octets are folded (RFC 5545 3.1), never inside a character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(instant):
    return instant.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def site_domain(host=""):
    """The site's domain (SITE_URL's, else the request's host): for UIDs and Message-IDs,
    so the file downloaded and the file e-mailed carry the same UID."""
    domain = urlsplit(settings.SITE_URL).hostname if settings.SITE_URL else ""
    return domain or host.split(":")[0] or "moddermatology"


def uid(booking, host=""):
    return f"{booking.public_id}@{site_domain(host)}"


def _place(location):
    address = ", ".join(part for part in [*location.street_lines, location.locality_line] if part)
    return f"MOD Dermatology {location.name}" + (f", {address}" if address else "")


def _organizer():
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@localhost"
    return f"ORGANIZER;CN=MOD Dermatology:mailto:{address}"


def _event(booking, host, method, attendee):
    location = booking.location
    cancelled = method == "CANCEL" or booking.is_cancelled
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(booking, host)}",
        f"SEQUENCE:{booking.sequence}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(booking.starts_at)}",
        f"DTEND:{_utc(booking.ends_at)}",
        # In the language of the page or e-mail it comes with (the patient's).
        "SUMMARY:"
        + _escape(_("Appointment at MOD Dermatology %(clinic)s") % {"clinic": location.name}),
        f"LOCATION:{_escape(_place(location))}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
    ]
    if method in ("REQUEST", "CANCEL"):
        lines.append(_organizer())
        if attendee:
            lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{attendee}")
    if location.phone:
        phone = _("Clinic phone: %(phone)s") % {"phone": location.phone_display}
        lines.append(f"DESCRIPTION:{_escape(phone)}")
    return [*lines, "END:VEVENT"]


def _calendar(method, events, extra=()):
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *extra,
        *events,
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def ics(booking, host="", method="PUBLISH", attendee=""):
    """The booking's file: PUBLISH (download), REQUEST or CANCEL (e-mailed to `attendee`)."""
    return _calendar(method, _event(booking, host, method, attendee))


def feed(location, bookings, admin_url, host=""):
    """A clinic's staff feed: each booking as "Online booking" with a link to its admin
    page; no names, no contact details, nothing about health."""
    events = []
    for booking in bookings:
        link = admin_url(booking)
        events += [
            "BEGIN:VEVENT",
            f"UID:{uid(booking, host)}",
            f"SEQUENCE:{booking.sequence}",
            f"DTSTAMP:{_utc(timezone.now())}",
            f"DTSTART:{_utc(booking.starts_at)}",
            f"DTEND:{_utc(booking.ends_at)}",
            "SUMMARY:Online booking",
            f"DESCRIPTION:{_escape('Open in the staff site: ' + link)}",
            f"URL:{link}",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    name = f"X-WR-CALNAME:{_escape('MOD Dermatology ' + location.name + ' online bookings')}"
    return _calendar(
        "PUBLISH",
        events,
        extra=[name, f"X-WR-TIMEZONE:{location.time_zone}", "X-PUBLISHED-TTL:PT1H"],
    )
