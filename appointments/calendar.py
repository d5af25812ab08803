"""The booking's calendar file (RFC 5545), written here: one VEVENT whose UID stays the
booking's for life and whose SEQUENCE rises with each change, times in UTC. It names the
clinic and its address, and nothing about the patient's health: no topic, no message."""

import datetime

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


def ics(booking, host):
    location = booking.location
    address = ", ".join(part for part in [*location.street_lines, location.locality_line] if part)
    place = f"MOD Dermatology {location.name}" + (f", {address}" if address else "")
    status = "CANCELLED" if booking.is_cancelled else "CONFIRMED"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{booking.public_id}@{host.split(':')[0] or 'moddermatology'}",
        f"SEQUENCE:{booking.sequence}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(booking.starts_at)}",
        f"DTEND:{_utc(booking.ends_at)}",
        # In the language of the page it is downloaded from (the patient's).
        "SUMMARY:"
        + _escape(_("Appointment at MOD Dermatology %(clinic)s") % {"clinic": location.name}),
        f"LOCATION:{_escape(place)}",
        f"STATUS:{status}",
    ]
    if location.phone:
        phone = _("Clinic phone: %(phone)s") % {"phone": location.phone_display}
        lines.append(f"DESCRIPTION:{_escape(phone)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
