"""Export bookings to the clinic's other systems as FHIR R4 NDJSON (appointments.fhir):
`manage.py export_fhir --since 2027-03-01 --out /srv/exports/today --user maria`.

Staff only, like the CSV export: the named user must be active staff, only the clinics
they may see are written, and the export is recorded in the audit log under their name."""

import datetime
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from appointments import fhir
from pages.models import Location
from staff.models import visible_locations


class Command(BaseCommand):
    help = (
        "Write Location, Schedule, Appointment and Patient NDJSON files (FHIR R4) of the "
        "bookings changed since a date, for the clinics the given staff member may see."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", required=True, metavar="DATE", help="Bookings changed on or after it."
        )
        parser.add_argument("--location", metavar="SLUG", help="Only this clinic.")
        parser.add_argument("--out", required=True, metavar="DIR", help="Folder for the files.")
        parser.add_argument(
            "--user", required=True, metavar="NAME", help="The staff member exporting."
        )

    def handle(self, *args, since, location, out, user, **options):
        person = self.staff_member(user)
        start = self.since(since)
        clinics = self.clinics(person, location)
        out = self.folder(out)
        filters = {"since": since, "location": location or "", "format": "fhir-r4-ndjson"}
        try:
            counts = fhir.export(person, start, out, clinics, filters)
        except OSError as error:
            raise CommandError(f"Could not write to {out}: {error.strerror}.") from None
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(f"Wrote {summary} to {out}.")

    def staff_member(self, name):
        person = get_user_model().objects.filter(username=name).first()
        if person is None or not (person.is_active and person.is_staff):
            raise CommandError(f"No active staff member {name!r}.")
        return person

    def since(self, value):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--since {value!r} is not a date like 2027-03-01.") from None
        # Midnight in the site's zone: the day staff mean.
        return datetime.datetime.combine(day, datetime.time(0), timezone.get_default_timezone())

    def clinics(self, person, slug):
        if not slug:
            return None
        clinic = visible_locations(person, Location.objects.filter(slug=slug)).first()
        if clinic is None:
            # Same answer for an unknown clinic and one the person may not see.
            raise CommandError(f"No location {slug!r} that {person.get_username()} may see.")
        return [clinic]

    def folder(self, out):
        out = os.path.abspath(out)
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Could not use the folder {out}: {error.strerror}.") from None
        return out
