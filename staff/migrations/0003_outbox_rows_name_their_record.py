"""Each request's outbox row names its request (record type and id) and its clinic.
Apart from 0002 and 0004: PostgreSQL does not alter a table with row changes still to be
checked in the same transaction."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

REQUEST = "consultations.consultationrequest"


def name_the_records(apps, schema_editor):
    Outbox = apps.get_model("staff", "NotificationOutbox")
    Request = apps.get_model("consultations", "ConsultationRequest")
    clinic = Request.objects.filter(pk=OuterRef("request_id")).values("location_id")[:1]
    Outbox.objects.filter(request__isnull=False).update(
        record_type=REQUEST, object_id=F("request_id"), location_id=Subquery(clinic)
    )


def back_to_the_foreign_key(apps, schema_editor):
    Outbox = apps.get_model("staff", "NotificationOutbox")
    Outbox.objects.filter(record_type=REQUEST).update(request_id=F("object_id"))
    Outbox.objects.filter(record_type=REQUEST, digest_date__isnull=True).update(location=None)


class Migration(migrations.Migration):

    dependencies = [
        ("staff", "0002_any_kind_of_record"),
        ("consultations", "0010_move_staff_side_to_staff_app"),
    ]

    operations = [migrations.RunPython(name_the_records, back_to_the_foreign_key)]
