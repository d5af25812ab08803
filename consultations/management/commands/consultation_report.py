import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from consultations import metrics
from pages.models import Location


class Command(BaseCommand):
    help = (
        "Print each active clinic's response figures for the last N days: new, open, "
        "overdue, requests, median and 90th-percentile business minutes to first contact, "
        "share contacted within target, page views. Counts only, no patient details."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=metrics.DEFAULT_PERIOD)
        parser.add_argument("--json", action="store_true", help="One JSON array of objects.")
        parser.add_argument(
            "--location",
            action="append",
            default=[],
            metavar="SLUG",
            help="Only this clinic (repeat for more).",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Only the clinics this staff member may see in the admin.",
        )

    def handle(self, *args, days, location, user, **options):
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        person = None
        if user:
            try:
                person = get_user_model().objects.get(username=user, is_active=True)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No active user {user!r}.") from None
        if location:
            known = Location.objects.filter(slug__in=location).values_list("slug", flat=True)
            unknown = set(location) - set(known)
            if unknown:
                raise CommandError(f"No location {', '.join(sorted(unknown))}.")
        locations, requests = metrics.scope(person, location)
        clinics, _ = metrics.clinic_figures(locations, requests, days)
        rows = [figures.as_json() for figures in clinics]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        self.stdout.write(f"Last {days} days. Times are business minutes to first contact.")
        columns = list(rows[0]) if rows else []
        self.stdout.write("\t".join(columns))
        for row in rows:
            self.stdout.write("\t".join("-" if v is None else str(v) for v in row.values()))
