import datetime
import random
import zoneinfo

import zipcodes
from django.core.management.base import BaseCommand, CommandError

from modsite import seeding
from pages import cache, geo, sitemaps
from pages.models import Location, OpeningHours
from pages.usstates import STATE_NAMES

BATCH = 500

WEEKDAY_HOURS = [(datetime.time(8), datetime.time(12)), (datetime.time(13), datetime.time(17))]
SATURDAY_HOURS = [(datetime.time(9), datetime.time(13))]


class Command(BaseCommand):
    help = (
        "Make N fake locations for benchmarks and demos: named 'Test Clinic N (fake)', at "
        "'N Example Street' in real ZIP codes, with fictional 555-01xx phones and "
        "Monday to Friday hours. Never run it on the live site."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, count, seed, **options):
        if count < 1:
            raise CommandError("Give a count of 1 or more.")
        rng = random.Random(seed)
        zones = zoneinfo.available_timezones()
        places = [
            row
            for row in zipcodes.list_all()
            if row["zip_code_type"] == "STANDARD"
            and row["active"]
            and row["state"] in STATE_NAMES
            and row.get("timezone") in zones
            and row.get("area_codes")
        ]
        made = seeding.in_batches(
            self,
            count,
            BATCH,
            lambda numbers: self._make_batch(numbers, places, rng),
            first=Location.objects.filter(slug__startswith="test-clinic-").count() + 1,
        )
        seeding.refresh_planner_statistics(Location, OpeningHours)
        # bulk_create sends no signals: drop kept pages once, for every new clinic.
        cache.invalidate()
        sitemaps.drop()
        self.stdout.write(f"Made {made} fake location(s).")

    def _make_batch(self, numbers, places, rng):
        locations = []
        for n in numbers:
            place = rng.choice(places)
            point = geo.zip_point(place["zip_code"])
            locations.append(
                Location(
                    name=f"Test Clinic {n:04d} (fake)",
                    slug=f"test-clinic-{n:04d}",
                    street_address=f"{n} Example Street",
                    city=place["city"].title(),
                    state=place["state"],
                    postal_code=place["zip_code"],
                    latitude=point[0] if point else None,
                    longitude=point[1] if point else None,
                    time_zone=place["timezone"],
                    phone=f"+1{place['area_codes'][0]}55501{n % 100:02d}",
                    sort_order=1000 + n,
                    staff_notes="Fake location made by seed_locations for tests and demos.",
                )
            )
        created = Location.objects.bulk_create(locations)
        if not created or created[0].pk is None:  # databases that return no keys
            created = list(Location.objects.filter(slug__in=[loc.slug for loc in locations]))
        rows = []
        for location in created:
            for weekday in range(5):
                rows += [
                    OpeningHours(location=location, weekday=weekday, opens=o, closes=c)
                    for o, c in WEEKDAY_HOURS
                ]
            if rng.random() < 0.3:
                rows += [
                    OpeningHours(location=location, weekday=5, opens=o, closes=c)
                    for o, c in SATURDAY_HOURS
                ]
        OpeningHours.objects.bulk_create(rows)
