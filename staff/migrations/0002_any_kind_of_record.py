"""The logs and the outbox name any kind of record ("consultations.consultationrequest"
plus its id), not a consultation request by foreign key: bookings will use them too.
Every row stored so far is about a request, and says so."""

from django.db import migrations, models

REQUEST = "consultations.consultationrequest"


class Migration(migrations.Migration):

    dependencies = [
        ("staff", "0001_initial"),
    ]

    operations = [
        # The audit log.
        migrations.RenameField("auditevent", "request_ids", "object_ids"),
        migrations.AddField(
            model_name="auditevent",
            name="record_type",
            field=models.CharField(blank=True, default=REQUEST, max_length=100),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="record_type",
            field=models.CharField(blank=True, max_length=100),
        ),
        # The deletion log.
        migrations.RenameField("deletionlog", "request_id", "object_id"),
        migrations.RenameField("deletionlog", "request_created_at", "record_created_at"),
        migrations.RenameField("deletionlog", "request_updated_at", "record_updated_at"),
        migrations.AddField(
            model_name="deletionlog",
            name="record_type",
            field=models.CharField(default=REQUEST, max_length=100),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="deletionlog",
            name="status",
            field=models.CharField(blank=True, max_length=10),
        ),
        # The outbox: the new columns, filled in by 0003 before the foreign key goes (0004).
        migrations.AddField(
            model_name="notificationoutbox",
            name="record_type",
            field=models.CharField(blank=True, default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notificationoutbox",
            name="object_id",
            field=models.BigIntegerField(blank=True, db_index=True, null=True),
        ),
    ]
