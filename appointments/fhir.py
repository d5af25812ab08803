"""FHIR R4 (4.0.1) resources for the clinic's other systems: Location, Schedule (one per
appointment type), Appointment and a minimal Patient, written as NDJSON by
`manage.py export_fhir` and, for Location and Schedule, served by the public slot feed
(appointments.slotfeed).

What never leaves: the booking's row id (the Appointment's id and identifier are its
public UUID), the topic and the patient's message. The patient's language is the one
they booked in; it goes to the practice system only, never to a public file.
"""

import datetime
import json
import os
import tempfile

from django.conf import settings
from django.db import transaction

from staff.models import AuditEvent, visible_locations

from .models import AppointmentType, Booking

UTC = datetime.UTC

CANCELLATION_REASONS = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
LANGUAGE_SYSTEM = "urn:ietf:bcp:47"
UUID_SYSTEM = "urn:ietf:rfc:3986"

STATUSES = {
    Booking.Status.BOOKED: "booked",
    Booking.Status.CANCELLED_BY_PATIENT: "cancelled",
    Booking.Status.CANCELLED_BY_CLINIC: "cancelled",
    Booking.Status.ATTENDED: "fulfilled",
    Booking.Status.NO_SHOW: "noshow",
}
# Who cancelled, in the R4 appointment-cancellation-reason codes.
CANCELLED_BY = {
    Booking.Status.CANCELLED_BY_PATIENT: ("pat", "Patient"),
    Booking.Status.CANCELLED_BY_CLINIC: ("prov", "Provider"),
}

FILES = ("Location", "Schedule", "Appointment", "Patient")


def instant(moment, zone):
    """An R4 instant: seconds and the clinic's offset (`2027-03-10T09:00:00-06:00`)."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


def location_id(location):
    return f"location-{location.pk}"


def schedule_id(kind):
    return f"schedule-{kind.pk}"


def patient_id(booking):
    return f"patient-{booking.public_id}"


def location_resource(location):
    resource = {
        "resourceType": "Location",
        "id": location_id(location),
        "identifier": [_slug_identifier(location)],
        "status": "active" if location.is_active else "inactive",
        "name": location.name,
    }
    if location.phone:
        resource["telecom"] = [{"system": "phone", "value": location.phone, "use": "work"}]
    address = _address(location)
    if address:
        resource["address"] = address
    if location.latitude is not None and location.longitude is not None:
        resource["position"] = {"latitude": location.latitude, "longitude": location.longitude}
    return resource


def _slug_identifier(location):
    # The slug names the clinic on this site; the system is the site's address when set.
    identifier = {"value": location.slug}
    if settings.SITE_URL:
        identifier["system"] = f"{settings.SITE_URL}/"
    return identifier


def _address(location):
    fields = {
        "line": list(location.street_lines) or None,
        "city": location.city or None,
        "state": location.state or None,
        "postalCode": location.postal_code or None,
        "country": "US" if location.has_address else None,
    }
    address = {key: value for key, value in fields.items() if value}
    return address or None


def schedule_resource(kind):
    return {
        "resourceType": "Schedule",
        "id": schedule_id(kind),
        "active": kind.is_active,
        "serviceType": [{"text": kind.name_en}],
        "actor": [{"reference": f"Location/{location_id(kind.location)}"}],
        "comment": f"{kind.minutes}-minute online booking",
    }


def appointment_resource(booking):
    zone = booking.location.zone
    resource = {
        "resourceType": "Appointment",
        "id": str(booking.public_id),
        "identifier": [{"system": UUID_SYSTEM, "value": f"urn:uuid:{booking.public_id}"}],
        "status": STATUSES[booking.status],
        "serviceType": [{"text": booking.appointment_type.name_en}],
        "start": instant(booking.starts_at, zone),
        "end": instant(booking.ends_at, zone),
        "minutesDuration": booking.appointment_type.minutes,
        "created": instant(booking.created_at, zone),
        "participant": [
            _participant(f"Patient/{patient_id(booking)}"),
            _participant(f"Location/{location_id(booking.location)}"),
        ],
    }
    if booking.status in CANCELLED_BY:
        code, display = CANCELLED_BY[booking.status]
        resource["cancelationReason"] = {
            "coding": [{"system": CANCELLATION_REASONS, "code": code, "display": display}]
        }
    return resource


def _participant(reference):
    return {"actor": {"reference": reference}, "required": "required", "status": "accepted"}


def patient_resource(booking):
    resource = {
        "resourceType": "Patient",
        "id": patient_id(booking),
        "name": [{"family": booking.last_name, "given": [booking.first_name]}],
        "communication": [
            {
                "language": {"coding": [{"system": LANGUAGE_SYSTEM, "code": booking.language}]},
                "preferred": True,
            }
        ],
    }
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", _phone(booking)), ("email", booking.email))
        if value
    ]
    if telecom:
        resource["telecom"] = telecom
    # The booking form asks (an optional box), so its answer is the patient's.
    resource["extension"] = [
        {"url": INTERPRETER_REQUIRED, "valueBoolean": booking.interpreter_needed}
    ]
    return resource


def _phone(booking):
    """ContactPoint.value is free text: the number, then " ext. 123" when there is one."""
    if booking.phone and booking.phone_extension:
        return f"{booking.phone} ext. {booking.phone_extension}"
    return booking.phone


def to_ndjson(resources):
    """One minified JSON object a line."""
    return "".join(
        json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n" for r in resources
    )


def scope(user, since, locations=None):
    """What `user` may export: their clinics (`locations` narrows them), those clinics'
    appointment types, and the bookings changed on or after the instant `since`."""
    clinics = visible_locations(user)
    if locations is not None:
        clinics = clinics.filter(pk__in=[location.pk for location in locations])
    clinics = clinics.order_by("pk")
    kinds = (
        AppointmentType.objects.filter(location__in=clinics)
        .select_related("location")
        .order_by("pk")
    )
    bookings = (
        Booking.objects.visible_to(user)
        .filter(location__in=clinics, updated_at__gte=since)
        .select_related("location", "appointment_type")
        .order_by("pk")
    )
    return clinics, kinds, bookings


def export(user, since, out_dir, locations=None, filters=None):
    """Write the four NDJSON files into `out_dir` and record the export in the audit log,
    all or nothing: the files are written under temporary names and renamed only once the
    audit row is in, so a failed write leaves neither files nor an audit row. Returns
    {file type: count}."""
    clinics, kinds, bookings = scope(user, since, locations)
    bookings = list(bookings)
    contents = {
        "Location": [location_resource(c) for c in clinics],
        "Schedule": [schedule_resource(k) for k in kinds],
        "Appointment": [appointment_resource(b) for b in bookings],
        "Patient": [patient_resource(b) for b in bookings],
    }
    written = []
    try:
        with transaction.atomic():
            AuditEvent.record(
                AuditEvent.Action.EXPORT,
                bookings,
                model=Booking,
                user=user,
                detail="FHIR R4 export",
                filters=filters or {},
            )
            for name in FILES:
                written.append(_write_temporary(out_dir, to_ndjson(contents[name])))
            for name, path in zip(FILES, written, strict=True):
                os.replace(path, os.path.join(out_dir, f"{name}.ndjson"))
    finally:
        for path in written:
            if os.path.exists(path):
                os.unlink(path)
    return {name: len(items) for name, items in contents.items()}


def _write_temporary(out_dir, text):
    handle, path = tempfile.mkstemp(dir=out_dir, prefix=".export-", suffix=".ndjson")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    return path
