"""pages.reference is what the migrations make: the two clinics and the content dates."""

import pytest

from pages.models import ContentUpdate, Location
from pages.reference import (
    CONTENT_DATES,
    SEED_LOCATIONS,
    create_content_dates,
    create_seed_locations,
)

LOCATION_FIELDS = ["name", "slug", "sort_order"]
CONTENT_FIELDS = ["page", "language", "updated_on", "note"]


def rows(queryset, fields):
    return sorted(queryset.values(*fields), key=lambda row: [str(row[f]) for f in fields])


def listed(data, fields):
    return sorted(
        ({f: row[f] for f in fields} for row in data), key=lambda row: [str(row[f]) for f in fields]
    )


@pytest.mark.django_db
def test_the_seed_clinics_are_what_the_migrations_made():
    assert rows(Location.objects.all(), LOCATION_FIELDS) == listed(SEED_LOCATIONS, LOCATION_FIELDS)


@pytest.mark.django_db
def test_the_content_dates_are_what_the_migrations_made():
    made = rows(ContentUpdate.objects.all(), CONTENT_FIELDS)
    assert made == listed(CONTENT_DATES, CONTENT_FIELDS)


@pytest.mark.django_db
def test_the_reference_rows_can_be_made_again_once_and_only_once():
    Location.objects.all().delete()
    ContentUpdate.objects.all().delete()
    for _ in range(2):
        create_seed_locations()
        create_content_dates()
    assert rows(Location.objects.all(), LOCATION_FIELDS) == listed(SEED_LOCATIONS, LOCATION_FIELDS)
    assert rows(ContentUpdate.objects.all(), CONTENT_FIELDS) == listed(
        CONTENT_DATES, CONTENT_FIELDS
    )
