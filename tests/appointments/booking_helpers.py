"""Shared by the booking tests: the patient's details, instants on a clinic's clock, and
the booking page's form as a patient sends it."""

import datetime
import re
import time
import uuid
import zoneinfo

from appointments.forms import SALT
from staff import antispam

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


# The booking page, through the test client.


def first_time(client, url):
    page = client.get(url).content.decode()
    return re.search(r'name="start" value="([^"]+)"', page)[1]


def post_data(kind, start, **changes):
    submission_key = str(uuid.uuid4())
    return {
        "appointment_type": kind.pk,
        "start": start,
        "first_name": "Ana",
        "last_name": "Booker",
        "contact_method": "email",
        "email": "ana@example.net",
        "phone": "",
        "patient_type": "new",
        "topic": "isotretinoin",
        "message": "MARKER-MESSAGE-7731",
        "website": "",
        "submission_key": submission_key,
        "form_started": antispam.make_token(SALT, submission_key, issued_at=time.time() - 60),
        **changes,
    }


def book(client, kind, url="/lincoln/book/", **changes):
    start = first_time(client, url)
    return client.post(url, post_data(kind, start, **changes)), start
