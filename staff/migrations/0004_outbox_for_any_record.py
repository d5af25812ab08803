"""The outbox names its record (type and id) and its clinic instead of a foreign key to
consultation requests: the request column goes, and the digest's once-per-clinic-and-day
rule becomes once per kind, clinic and day."""


import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pages', '0009_civil_rights_coordinator'),
        ('staff', '0003_outbox_rows_name_their_record'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='notificationoutbox',
            name='one_digest_per_location_and_day',
        ),
        migrations.RemoveConstraint(
            model_name='notificationoutbox',
            name='notification_has_its_subject',
        ),
        migrations.RemoveField(
            model_name='notificationoutbox',
            name='request',
        ),
        migrations.AlterField(
            model_name='notificationoutbox',
            name='kind',
            field=models.CharField(max_length=10),
        ),
        migrations.AlterField(
            model_name='notificationoutbox',
            name='location',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='pages.location'),
        ),
        migrations.AddConstraint(
            model_name='notificationoutbox',
            constraint=models.UniqueConstraint(condition=models.Q(('digest_date__isnull', False)), fields=('kind', 'location', 'digest_date'), name='one_daily_row_per_kind_location_and_day'),
        ),
        migrations.AddConstraint(
            model_name='notificationoutbox',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('object_id__isnull', False), models.Q(('record_type', ''), _negated=True)), models.Q(('digest_date__isnull', False), ('location__isnull', False)), _connector='OR'), name='notification_has_its_subject'),
        ),
    ]
