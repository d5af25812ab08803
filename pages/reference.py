"""The rows a new site starts with: the two clinics and the patient pages' content dates.

The data migrations (pages 0002 and 0007) made these rows and keep their own frozen
copies, so a migration never changes meaning when this module does. This module is
today's list, for code and tests that need the rows again (the browser tests put them
back after each flush); tests/pages/test_pages_reference_data.py checks that it still equals
what the migrations make on a fresh database.
"""

import datetime

from django.apps import apps as global_apps

SEED_LOCATIONS = [
    {"name": "Bellevue", "slug": "bellevue", "sort_order": 10},
    {"name": "Gretna", "slug": "gretna", "sort_order": 20},
]

# When the patient pages' text last changed, before any clinician review was recorded
# (not reviews: they name nobody).
CONTENT_DATES = [
    {
        "page": "isotretinoin",
        "language": "en",
        "updated_on": datetime.date(2026, 11, 23),
        "note": "Carried over from the date in pages/content.py (not a clinical review).",
    },
    {
        "page": "isotretinoin",
        "language": "es",
        "updated_on": datetime.date(2026, 12, 1),
        "note": "Spanish text first published (not a clinical review).",
    },
]


def create_seed_locations(apps=global_apps):
    Location = apps.get_model("pages", "Location")
    for data in SEED_LOCATIONS:
        Location.objects.get_or_create(slug=data["slug"], defaults=data)


def create_content_dates(apps=global_apps):
    ContentUpdate = apps.get_model("pages", "ContentUpdate")
    for data in CONTENT_DATES:
        ContentUpdate.objects.get_or_create(**data)
