"""The staff groups may work bookings: without this only superusers could open them.

- Front desk: read bookings and change their status, time and "entered in the practice
  system"; read the clinic's appointment types, bookable hours and blocks.
- Practice manager: the same, and set up types, bookable hours and blocks, and the staff
  calendar feed links.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# A frozen copy: this migration must mean the same forever. Today's groups are
# staff.reference.STAFF_GROUPS (tests check that the two agree).
READ_AND_WORK = [
    "view_booking",
    "change_booking",
    "view_appointmenttype",
    "view_bookablewindow",
    "view_bookingblock",
]
GROUPS = {
    "Front desk": READ_AND_WORK,
    "Practice manager": [
        *READ_AND_WORK,
        "add_appointmenttype",
        "change_appointmenttype",
        "delete_appointmenttype",
        "add_bookablewindow",
        "change_bookablewindow",
        "delete_bookablewindow",
        "add_bookingblock",
        "change_bookingblock",
        "delete_bookingblock",
        "view_calendarfeed",
        "add_calendarfeed",
        "delete_calendarfeed",
    ],
}


def give_permissions(apps, schema_editor):
    # Permissions are normally made after all migrations; this one needs them now.
    config = apps.get_app_config("appointments")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="appointments", codename__in=codenames)
        )


def take_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="appointments", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0002_patient_mail_reminders_feed"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(give_permissions, take_permissions)]
