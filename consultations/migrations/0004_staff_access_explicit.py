"""Seeing every location becomes an explicit choice (StaffAllLocationsAccess).

Before, staff with no StaffLocationAccess rows saw every location, so a limited person who
deleted their last row saw everything. Staff (and superusers) who have no rows today are
given every location, so nobody sees more or less than before; the access log says so.
The audit and deletion logs learn their rows' locations, to be scoped like the requests.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import Q

MANAGER_GROUP = "Practice manager"
MANAGER_GAINS = [
    "view_staffalllocationsaccess",
    "add_staffalllocationsaccess",
    "delete_staffalllocationsaccess",
    "view_staffaccesschange",
]
# Access rows are given or taken away, never edited in place.
MANAGER_LOSES = ["change_stafflocationaccess"]
BATCH = 1000


def keep_everyone_as_they_are(apps, schema_editor):
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Access = apps.get_model("consultations", "StaffLocationAccess")
    AllAccess = apps.get_model("consultations", "StaffAllLocationsAccess")
    Change = apps.get_model("consultations", "StaffAccessChange")
    unlimited = (
        User.objects.filter(Q(is_staff=True) | Q(is_superuser=True))
        .exclude(pk__in=Access.objects.values("user_id"))
        .order_by("pk")
    )
    users = list(unlimited)
    AllAccess.objects.bulk_create([AllAccess(user=user) for user in users], batch_size=BATCH)
    Change.objects.bulk_create(
        [
            Change(
                changed_by="migration 0004",
                staff_id=user.pk,
                staff=user.username,
                before="Every location (no location rows)",
                after="Every location",
            )
            for user in users
        ],
        batch_size=BATCH,
    )


def locate_log_rows(apps, schema_editor):
    Location = apps.get_model("pages", "Location")
    Request = apps.get_model("consultations", "ConsultationRequest")
    DeletionLog = apps.get_model("consultations", "DeletionLog")
    AuditEvent = apps.get_model("consultations", "AuditEvent")
    by_name = dict(Location.objects.values_list("name", "pk"))
    for name, pk in by_name.items():
        DeletionLog.objects.filter(location_name=name).update(location_id=pk)
    # Where each request is (or was, for deleted ones); unknown ones stay unscoped, which
    # shows the event only to staff who see every location.
    where = dict(DeletionLog.objects.exclude(location_id=None).values_list("request_id", "location_id"))
    where.update(Request.objects.values_list("pk", "location_id"))
    Through = AuditEvent.locations.through
    rows = []
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=BATCH):
        located = {where[i] for i in event.request_ids if i in where}
        rows.extend(Through(auditevent_id=event.pk, location_id=pk) for pk in located)
        if len(rows) >= BATCH:
            Through.objects.bulk_create(rows)
            rows = []
    Through.objects.bulk_create(rows)


def update_manager_group(apps, schema_editor):
    # Permissions are normally made after all migrations; these are needed now.
    config = apps.get_app_config("consultations")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="consultations")
    for group in Group.objects.filter(name=MANAGER_GROUP):
        group.permissions.add(*ours.filter(codename__in=MANAGER_GAINS))
        group.permissions.remove(*ours.filter(codename__in=MANAGER_LOSES))


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0003_protect_staff_location_access'),
        ('pages', '0002_seed_locations'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='StaffAccessChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('changed_by_id', models.IntegerField(blank=True, null=True)),
                ('changed_by', models.CharField(max_length=150)),
                ('staff_id', models.IntegerField()),
                ('staff', models.CharField(max_length=150, verbose_name='staff member')),
                ('before', models.TextField()),
                ('after', models.TextField()),
                ('at', models.DateTimeField(auto_now_add=True, db_index=True)),
            ],
            options={
                'verbose_name': 'staff access change',
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='auditevent',
            name='locations',
            field=models.ManyToManyField(blank=True, related_name='+', to='pages.location'),
        ),
        migrations.AddField(
            model_name='deletionlog',
            name='location_id',
            field=models.IntegerField(blank=True, db_index=True, null=True),
        ),
        migrations.CreateModel(
            name='StaffAllLocationsAccess',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='given')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='all_locations_access', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'staff access to every location',
                'verbose_name_plural': 'staff access to every location',
                'ordering': ['user__username'],
            },
        ),
        migrations.RunPython(keep_everyone_as_they_are, migrations.RunPython.noop),
        migrations.RunPython(locate_log_rows, migrations.RunPython.noop),
        migrations.RunPython(update_manager_group, migrations.RunPython.noop),
    ]
