"""Staff groups for consultation requests: give people the group their job needs.

- Front desk: read requests and update their status, notes and assignee. No delete, no export.
- Practice manager: everything, including CSV export, purge, the notification outbox and
  the audit and deletion logs (read only), and staff location access.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# A frozen copy: this migration must mean the same forever. Today's groups are
# staff.reference.STAFF_GROUPS (tests check that the two agree).
GROUPS = {
    "Front desk": [
        "view_consultationrequest",
        "change_consultationrequest",
    ],
    "Practice manager": [
        "view_consultationrequest",
        "change_consultationrequest",
        "delete_consultationrequest",
        "export_consultationrequest",
        "purge_consultationrequest",
        "view_notificationoutbox",
        "change_notificationoutbox",
        "view_auditevent",
        "view_deletionlog",
        "view_stafflocationaccess",
        "add_stafflocationaccess",
        "change_stafflocationaccess",
        "delete_stafflocationaccess",
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; this one needs them now.
    config = apps.get_app_config("consultations")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="consultations", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
