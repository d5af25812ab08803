"""Takes over the staff-side models from consultations (0010) without touching their
tables (they keep their names, see each model's db_table), and moves their ContentTypes,
so every permission, and every group holding one, stays the same row."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The models that moved, by their ContentType name: their permissions (and the staff
# groups holding them, consultations 0002 and 0004) must keep pointing at the same rows.
MOVED = [
    "stafflocationaccess",
    "staffalllocationsaccess",
    "staffaccesschange",
    "auditevent",
    "deletionlog",
    "notificationoutbox",
]


def _relabel(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    taken = types.filter(app_label=new, model__in=MOVED).values_list("model", flat=True)
    types.filter(app_label=old, model__in=MOVED).exclude(model__in=list(taken)).update(
        app_label=new
    )
    ContentType.objects.clear_cache()


def content_types_to_staff(apps, schema_editor):
    _relabel(apps, schema_editor, "consultations", "staff")


def content_types_back(apps, schema_editor):
    _relabel(apps, schema_editor, "staff", "consultations")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('consultations', '0010_move_staff_side_to_staff_app'),
        ('pages', '0009_civil_rights_coordinator'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DeletionLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('request_id', models.BigIntegerField(db_index=True)),
                        ('location_id', models.IntegerField(blank=True, db_index=True, null=True)),
                        ('location_name', models.CharField(max_length=80)),
                        ('request_created_at', models.DateTimeField()),
                        ('request_updated_at', models.DateTimeField()),
                        ('status', models.CharField(max_length=10)),
                        ('deleted_at', models.DateTimeField(auto_now_add=True)),
                        ('deleted_by', models.CharField(help_text='Staff username, or the command that removed it.', max_length=150)),
                        ('reason', models.CharField(max_length=200)),
                    ],
                    options={
                        'db_table': 'consultations_deletionlog',
                        'ordering': ['-deleted_at', '-pk'],
                    },
                ),
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
                        'db_table': 'consultations_staffaccesschange',
                        'ordering': ['-at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('view', 'Opened'), ('list', 'Listed'), ('search', 'Searched'), ('change', 'Changed'), ('export', 'Exported'), ('delete', 'Deleted')], max_length=10)),
                        ('user_id', models.IntegerField(blank=True, null=True)),
                        ('username', models.CharField(blank=True, help_text='Staff username, or the command that acted.', max_length=150)),
                        ('request_ids', models.JSONField(blank=True, default=list)),
                        ('count', models.PositiveIntegerField(default=0)),
                        ('detail', models.CharField(blank=True, max_length=200)),
                        ('search', models.TextField(blank=True, verbose_name='search text')),
                        ('filters', models.JSONField(blank=True, default=dict, help_text="The list's filters, order and page.")),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('locations', models.ManyToManyField(blank=True, related_name='+', to='pages.location')),
                    ],
                    options={
                        'db_table': 'consultations_auditevent',
                        'ordering': ['-at', '-pk'],
                    },
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
                        'db_table': 'consultations_staffalllocationsaccess',
                        'ordering': ['user__username'],
                    },
                ),
                migrations.CreateModel(
                    name='NotificationOutbox',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('request', 'New request'), ('digest', 'Daily digest')], default='request', max_length=10)),
                        ('digest_date', models.DateField(blank=True, null=True)),
                        ('counts', models.JSONField(blank=True, default=dict)),
                        ('state', models.CharField(choices=[('pending', 'Waiting to send'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Gave up')], db_index=True, default='pending', max_length=10)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('next_attempt_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('recipient', models.EmailField(blank=True, help_text='Filled in when sent.', max_length=254)),
                        ('last_error', models.CharField(blank=True, max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('location', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='digests', to='pages.location')),
                        ('request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='consultations.consultationrequest')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'db_table': 'consultations_notificationoutbox',
                        'ordering': ['-created_at', '-pk'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'digest')), fields=('location', 'digest_date'), name='one_digest_per_location_and_day'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'request'), ('request__isnull', False)), models.Q(('digest_date__isnull', False), ('kind', 'digest'), ('location__isnull', False)), _connector='OR'), name='notification_has_its_subject')],
                    },
                ),
                migrations.CreateModel(
                    name='StaffLocationAccess',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('location', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='staff_access', to='pages.location')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='location_access', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'staff location access',
                        'verbose_name_plural': 'staff location access',
                        'db_table': 'consultations_stafflocationaccess',
                        'ordering': ['user__username', 'location__name'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'location'), name='unique_staff_location')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_staff, content_types_back),
    ]
