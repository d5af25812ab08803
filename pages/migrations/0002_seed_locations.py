"""Create the clinic's two locations. Contact details are left for staff to enter."""

from django.db import migrations

# A frozen copy: this migration must mean the same forever. Today's list is
# pages.reference.SEED_LOCATIONS (tests check that the two agree).
LOCATIONS = [
    {"name": "Bellevue", "slug": "bellevue", "sort_order": 10},
    {"name": "Gretna", "slug": "gretna", "sort_order": 20},
]


def create_locations(apps, schema_editor):
    Location = apps.get_model("pages", "Location")
    for data in LOCATIONS:
        Location.objects.get_or_create(slug=data["slug"], defaults=data)


def remove_locations(apps, schema_editor):
    Location = apps.get_model("pages", "Location")
    Location.objects.filter(slug__in=[d["slug"] for d in LOCATIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(create_locations, remove_locations)]
