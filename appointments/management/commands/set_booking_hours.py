"""Publish a clinic's online-bookable hours from the command line (set-up scripts, demos,
benchmarks): `set_booking_hours bellevue "Mon-Fri 09:00-12:00,13:00-16:00"`.

Creates the appointment type (or updates the one with that name) and replaces its weekly
windows with the week given, in the clinic's own time zone."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from appointments.models import AppointmentType, BookableWindow
from pages.hours import parse_week
from pages.models import Location

DEFAULT_NAME = "New patient consultation"
SPANISH_NAMES = {DEFAULT_NAME: "Consulta para pacientes nuevos"}


class Command(BaseCommand):
    help = "Set a clinic's online-bookable weekly hours for one appointment type."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The clinic's slug, e.g. bellevue.")
        parser.add_argument("week", help='Like "Mon-Fri 09:00-12:00,13:00-16:00; Sat 09:00-12:00".')
        parser.add_argument(
            "--type", dest="name", default=DEFAULT_NAME, help="The type's English name."
        )
        parser.add_argument("--name-es", default="", help="The type's Spanish name.")
        parser.add_argument("--minutes", type=int, default=30)
        parser.add_argument(
            "--step", type=int, default=None, help="Slot step (default: the length)."
        )
        parser.add_argument("--buffer", type=int, default=0)
        parser.add_argument("--capacity", type=int, default=1)
        parser.add_argument("--notice-hours", type=int, default=24)
        parser.add_argument("--horizon-days", type=int, default=30)

    def handle(self, *args, slug, week, name, **options):
        location = Location.objects.filter(slug=slug).first()
        if location is None:
            raise CommandError(f"No clinic has the slug {slug!r}.")
        try:
            intervals = parse_week(week)
        except ValueError as error:
            raise CommandError(f"The week {week!r} cannot be read: {error}.") from None
        if any(i.is_overnight for i in intervals):
            raise CommandError("Bookable windows must end on the day they start.")
        with transaction.atomic():
            kind = AppointmentType.objects.filter(location=location, name_en=name).first()
            kind = kind or AppointmentType(location=location, name_en=name)
            kind.name_es = options["name_es"] or kind.name_es or SPANISH_NAMES.get(name, name)
            kind.minutes = options["minutes"]
            kind.step_minutes = options["step"] or options["minutes"]
            kind.buffer_minutes = options["buffer"]
            kind.capacity = options["capacity"]
            kind.notice_hours = options["notice_hours"]
            kind.horizon_days = options["horizon_days"]
            kind.is_active = True
            windows = [
                BookableWindow(weekday=i.weekday, starts=i.opens, ends=i.closes) for i in intervals
            ]
            try:
                kind.full_clean()
                for window in windows:
                    window.clean()
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            kind.save()
            kind.windows.all().delete()
            for window in windows:
                window.appointment_type = kind
            BookableWindow.objects.bulk_create(windows)
        self.stdout.write(
            f"{location.name}: “{kind.name_en}”, {len(windows)} weekly window(s), "
            f"{kind.minutes} minutes, capacity {kind.capacity}."
        )
