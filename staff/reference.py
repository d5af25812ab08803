"""The staff groups a new site starts with, and the permissions each holds: give people
the group their job needs.

- Front desk: read requests and update their status, notes and assignee. No delete, no
  export.
- Practice manager: everything, including CSV export, purge, the notification outbox, the
  audit and deletion logs (read only), and staff location access (given or taken away,
  never edited in place).

The data migrations (consultations 0002 and 0004) made these groups and keep their own
frozen copies, so a migration never changes meaning when this module does. This module is
today's list, for code and tests that need the groups again;
tests/staff/test_staff_reference_data.py checks that it still equals what the migrations
make on a fresh database.
"""

from django.apps import apps as global_apps

# Permission codenames; each belongs to a model of one of these apps.
GROUP_APPS = ("consultations", "staff", "appointments")

# Bookings (appointments 0003): read and work them; managers also set up bookable hours.
BOOKINGS = [
    "view_booking",
    "change_booking",
    "view_appointmenttype",
    "view_bookablewindow",
    "view_bookingblock",
]
BOOKING_SETUP = [
    f"{action}_{model}"
    for model in ("appointmenttype", "bookablewindow", "bookingblock")
    for action in ("add", "change", "delete")
] + ["view_calendarfeed", "add_calendarfeed", "delete_calendarfeed"]

STAFF_GROUPS = {
    "Front desk": [
        "view_consultationrequest",
        "change_consultationrequest",
        *BOOKINGS,
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
        "delete_stafflocationaccess",
        "view_staffalllocationsaccess",
        "add_staffalllocationsaccess",
        "delete_staffalllocationsaccess",
        "view_staffaccesschange",
        *BOOKINGS,
        *BOOKING_SETUP,
    ],
}


def create_staff_groups(apps=global_apps):
    """The groups with their permissions (which must exist: Django makes them after
    migrating, and again after a test's flush)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in STAFF_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label__in=GROUP_APPS, codename__in=codenames
            )
        )
