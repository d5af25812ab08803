"""`manage.py export_fhir`: FHIR R4 NDJSON of a staff member's clinics, audited like the
CSV export, valid against HL7's official R4 JSON schema, with no topic or message."""

import datetime
import gzip
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from appointments import services, slots
from appointments.models import Booking
from staff.models import AuditEvent, StaffAllLocationsAccess, StaffLocationAccess
from tests.appointments.booking_helpers import details, key

pytestmark = pytest.mark.django_db
MARKER = "MARKER-MESSAGE-5521"
SCHEMA_FILE = Path(__file__).parent / "fhir_schema" / "fhir.schema.json.gz"


@pytest.fixture(scope="module")
def r4_schema():
    with gzip.open(SCHEMA_FILE) as file:
        return json.load(file)


def validate(r4_schema, resource):
    """Against the definition of its own resourceType (the whole schema's oneOf over
    every resource is the same check, only slower)."""
    schema = {**r4_schema, "$ref": f"#/definitions/{resource['resourceType']}"}
    schema.pop("oneOf", None)
    schema.pop("discriminator", None)
    jsonschema.Draft6Validator(schema).validate(resource)


@pytest.fixture
def staff(django_user_model):
    """Staff who see every clinic."""
    person = django_user_model.objects.create_user("maria", is_staff=True, password="x")
    StaffAllLocationsAccess.objects.create(user=person)
    return person


def book_one(kind, days=3, **changes):
    now = timezone.now()
    start = slots.nearest(kind, now + datetime.timedelta(days=days), now, count=1)[0]
    booking, _token = services.book(
        kind,
        start,
        details(topic="isotretinoin", message=MARKER, phone="+14025550123", **changes),
        key(),
        language="es",
    )
    return booking


def export(tmp_path, *args):
    out = io.StringIO()
    call_command("export_fhir", "--out", str(tmp_path), *args, stdout=out)
    return out.getvalue()


def read(tmp_path, name):
    lines = (tmp_path / f"{name}.ndjson").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_every_exported_resource_validates_against_the_fhir_r4_schema(
    tmp_path, make_type, staff, r4_schema
):
    kind = make_type()
    booked = book_one(kind)
    cancelled = book_one(kind, days=4)
    services.cancel(cancelled)
    clinic_cancelled = book_one(kind, days=5)
    services.cancel(clinic_cancelled, user=staff)
    attended = book_one(kind, days=6)
    services.set_status(attended, Booking.Status.ATTENDED, staff)
    no_show = book_one(kind, days=7)
    services.set_status(no_show, Booking.Status.NO_SHOW, staff)

    export(tmp_path, "--since", "2000-01-01", "--user", "maria")

    counts = {}
    for name in ("Location", "Schedule", "Appointment", "Patient"):
        resources = read(tmp_path, name)
        counts[name] = len(resources)
        for resource in resources:
            assert resource["resourceType"] == name
            validate(r4_schema, resource)
    assert counts["Appointment"] == counts["Patient"] == 5
    assert counts["Location"] >= 1 and counts["Schedule"] >= 1
    assert booked.status == "booked"


def test_the_schema_check_refuses_a_resource_fhir_r4_does_not_allow(r4_schema):
    # The test above proves something only if the schema can say no.
    with pytest.raises(jsonschema.ValidationError):
        validate(r4_schema, {"resourceType": "Appointment", "status": "done", "participant": []})
    with pytest.raises(jsonschema.ValidationError):
        validate(r4_schema, {"resourceType": "Patient", "topic": "isotretinoin"})


def test_statuses_map_to_r4_codes_with_who_cancelled(tmp_path, make_type, staff):
    kind = make_type()
    by_patient = book_one(kind)
    services.cancel(by_patient)
    by_clinic = book_one(kind, days=4)
    services.cancel(by_clinic, user=staff)
    attended = book_one(kind, days=5)
    services.set_status(attended, Booking.Status.ATTENDED, staff)
    no_show = book_one(kind, days=6)
    services.set_status(no_show, Booking.Status.NO_SHOW, staff)
    booked = book_one(kind, days=7)

    export(tmp_path, "--since", "2000-01-01", "--user", "maria")

    found = {a["id"]: a for a in read(tmp_path, "Appointment")}
    assert found[str(booked.public_id)]["status"] == "booked"
    assert found[str(attended.public_id)]["status"] == "fulfilled"
    assert found[str(no_show.public_id)]["status"] == "noshow"
    for booking, code in ((by_patient, "pat"), (by_clinic, "prov")):
        appointment = found[str(booking.public_id)]
        assert appointment["status"] == "cancelled"
        (coding,) = appointment["cancelationReason"]["coding"]
        assert coding["system"] == (
            "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
        )
        assert coding["code"] == code
    assert "cancelationReason" not in found[str(booked.public_id)]


def test_the_appointment_is_named_by_its_uuid_with_offset_times_and_references(
    tmp_path, make_type, staff
):
    booking = book_one(make_type())

    export(tmp_path, "--since", "2000-01-01", "--user", "maria")

    (appointment,) = read(tmp_path, "Appointment")
    (patient,) = read(tmp_path, "Patient")
    location = next(loc for loc in read(tmp_path, "Location") if loc["name"] == "Lincoln")
    assert appointment["id"] == str(booking.public_id)
    assert appointment["identifier"] == [
        {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{booking.public_id}"}
    ]
    assert appointment["id"] != str(booking.pk)
    start = datetime.datetime.fromisoformat(appointment["start"])
    assert start == booking.starts_at
    assert start.utcoffset() == booking.local_start().utcoffset()
    assert appointment["start"].endswith(("-05:00", "-06:00"))
    assert datetime.datetime.fromisoformat(appointment["end"]) == booking.ends_at
    references = {p["actor"]["reference"] for p in appointment["participant"]}
    assert references == {f"Patient/{patient['id']}", f"Location/{location['id']}"}


def test_the_patient_is_minimal_with_their_language_preferred(tmp_path, make_type, staff):
    book_one(make_type())

    export(tmp_path, "--since", "2000-01-01", "--user", "maria")

    (patient,) = read(tmp_path, "Patient")
    assert patient["name"] == [{"family": "Booker", "given": ["Ana"]}]
    assert {"system": "phone", "value": "+14025550123"} in patient["telecom"]
    assert {"system": "email", "value": "ana@example.net"} in patient["telecom"]
    assert patient["communication"] == [
        {
            "language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]},
            "preferred": True,
        }
    ]


def test_neither_the_topic_nor_the_message_is_exported(tmp_path, make_type, staff):
    book_one(make_type())

    export(tmp_path, "--since", "2000-01-01", "--user", "maria")

    everything = "".join(p.read_text() for p in tmp_path.glob("*.ndjson")).lower()
    assert MARKER.lower() not in everything
    assert "isotretinoin" not in everything


def test_the_export_is_audited_under_the_staff_members_name(tmp_path, make_type, staff):
    booking = book_one(make_type())

    export(tmp_path, "--since", "2000-01-01", "--user", "maria")

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.username == "maria" and event.user_id == staff.pk
    assert event.record_type == "appointments.booking"
    assert event.object_ids == [booking.pk]
    assert list(event.locations.values_list("pk", flat=True)) == [booking.location_id]
    assert event.filters["since"] == "2000-01-01"


def test_a_limited_staff_member_exports_only_their_clinics(tmp_path, make_type, staff):
    mine = book_one(make_type("Lincoln"))
    book_one(make_type("Kearney"))
    StaffAllLocationsAccess.objects.filter(user=staff).delete()
    StaffLocationAccess.objects.create(user=staff, location=mine.location)

    export(tmp_path, "--since", "2000-01-01", "--user", "maria")

    assert [a["id"] for a in read(tmp_path, "Appointment")] == [str(mine.public_id)]
    assert [loc["name"] for loc in read(tmp_path, "Location")] == ["Lincoln"]
    with pytest.raises(CommandError, match="kearney"):
        export(tmp_path, "--since", "2000-01-01", "--user", "maria", "--location", "kearney")


def test_staff_given_no_clinic_export_nothing(tmp_path, make_type, staff):
    book_one(make_type())
    StaffAllLocationsAccess.objects.filter(user=staff).delete()

    export(tmp_path, "--since", "2000-01-01", "--user", "maria")

    assert all(read(tmp_path, name) == [] for name in ("Location", "Appointment", "Patient"))


def test_location_and_since_narrow_the_export(tmp_path, make_type, staff):
    lincoln = book_one(make_type("Lincoln"))
    book_one(make_type("Kearney"))
    Booking.objects.filter(pk=lincoln.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=10)
    )

    export(tmp_path, "--since", "2000-01-01", "--user", "maria", "--location", "lincoln")
    assert [a["id"] for a in read(tmp_path, "Appointment")] == [str(lincoln.public_id)]

    since = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    export(tmp_path, "--since", since, "--user", "maria", "--location", "lincoln")
    assert read(tmp_path, "Appointment") == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "yesterday", "--user", "maria"], "not a date"),
        (["--since", "2027-01-01", "--user", "nobody"], "No active staff member"),
        (["--since", "2027-01-01", "--user", "maria", "--location", "nowhere"], "nowhere"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    tmp_path, make_type, staff, args, message
):
    book_one(make_type())

    with pytest.raises(CommandError, match=message):
        export(tmp_path, *args)

    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_user_who_is_not_staff_cannot_export(tmp_path, django_user_model):
    django_user_model.objects.create_user("patient", password="x")

    with pytest.raises(CommandError, match="No active staff member"):
        export(tmp_path, "--since", "2027-01-01", "--user", "patient")


def test_the_user_is_required(tmp_path):
    with pytest.raises(CommandError, match="--user"):
        export(tmp_path, "--since", "2027-01-01")
