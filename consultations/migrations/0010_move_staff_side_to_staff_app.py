"""The staff side (clinic access, the audit and deletion logs, the mail outbox) moves to the
`staff` app. Its tables stay where they are, under their names: only Django's idea of
which app owns the models changes here (staff 0001 takes them over)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0009_audit_lists_and_searches'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='auditevent',
                    name='locations',
                ),
                migrations.DeleteModel(
                    name='DeletionLog',
                ),
                migrations.RemoveField(
                    model_name='notificationoutbox',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='notificationoutbox',
                    name='request',
                ),
                migrations.DeleteModel(
                    name='StaffAccessChange',
                ),
                migrations.RemoveField(
                    model_name='staffalllocationsaccess',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='stafflocationaccess',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='stafflocationaccess',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='AuditEvent',
                ),
                migrations.DeleteModel(
                    name='NotificationOutbox',
                ),
                migrations.DeleteModel(
                    name='StaffAllLocationsAccess',
                ),
                migrations.DeleteModel(
                    name='StaffLocationAccess',
                ),
            ],
            database_operations=[],
        ),
    ]
