"""Shared by the booking tests: the patient's details and instants on a clinic's clock."""

import datetime
import uuid
import zoneinfo

DETAILS = {
    "first_name": "Ana",
    "last_name": "Booker",
    "contact_method": "email",
    "phone": "",
    "email": "ana@example.net",
    "patient_type": "new",
    "topic": "",
    "message": "",
}


def at(zone, *parts):
    """An aware instant from the clinic's wall clock: at("America/Chicago", 2027, 3, 10, 9)."""
    return datetime.datetime(*parts, tzinfo=zoneinfo.ZoneInfo(zone))


def details(**changes):
    return {**DETAILS, **changes}


def key():
    return uuid.uuid4()
