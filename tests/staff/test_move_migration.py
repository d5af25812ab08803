"""Moving the staff side from consultations to staff keeps every row: the tables keep
their names, the ContentTypes move (so the staff groups keep their permissions), and the
logs and outbox learn which kind of record each row is about."""

import importlib
import pkgutil

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

import consultations.migrations
from staff.reference import create_staff_groups

BEFORE = [("consultations", "0009_audit_lists_and_searches"), ("staff", None)]
REQUEST = "consultations.consultationrequest"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    # Every other app as it is now; ours as asked.
    named = {app for app, _ in targets}
    nodes = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in named]
    nodes += [target for target in targets if target[1] is not None]
    return executor.loader.project_state(nodes).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move(transactional_db):
    """The database as it was before the move, migrated forward again afterwards."""
    apps = _migrate(BEFORE)
    yield apps
    _migrate(_latest())


def _migration_function(name):
    for info in pkgutil.iter_modules(consultations.migrations.__path__):
        module = importlib.import_module(f"consultations.migrations.{info.name}")
        if hasattr(module, name):
            return getattr(module, name)
    raise LookupError(name)


def _old_rows(apps):
    """One row in each moved table, made through the old (consultations) models."""
    User = apps.get_model("auth", "User")
    Location = apps.get_model("pages", "Location")
    old = {
        name: apps.get_model("consultations", name)
        for name in (
            "ConsultationRequest",
            "StaffLocationAccess",
            "StaffAllLocationsAccess",
            "StaffAccessChange",
            "AuditEvent",
            "DeletionLog",
            "NotificationOutbox",
        )
    }
    # Their own clinics and, if a flush took them, the staff groups.
    bellevue, _ = Location.objects.get_or_create(slug="moved-a", defaults={"name": "Moved A"})
    gretna, _ = Location.objects.get_or_create(slug="moved-b", defaults={"name": "Moved B"})
    if not apps.get_model("auth", "Group").objects.filter(name="Practice manager").exists():
        create_staff_groups(apps)
    desk = User.objects.create_user("moved-desk", is_staff=True)
    boss = User.objects.create_user("moved-boss", is_staff=True)
    now = timezone.now()
    request = old["ConsultationRequest"].objects.create(
        location=gretna,
        first_name="Sam",
        last_name="Sample",
        contact_method="email",
        email="sam@example.net",
        topic="general",
        patient_type="new",
        consent_at=now,
    )
    old["StaffLocationAccess"].objects.create(user=desk, location=bellevue)
    old["StaffAllLocationsAccess"].objects.create(user=boss)
    old["StaffAccessChange"].objects.create(
        changed_by="moved-boss",
        staff_id=desk.pk,
        staff="moved-desk",
        before="No location",
        after="Moved A",
    )
    event = old["AuditEvent"].objects.create(action="view", request_ids=[request.pk], count=1)
    event.locations.add(gretna)
    old["DeletionLog"].objects.create(
        request_id=999,
        location_id=bellevue.pk,
        location_name="Moved A",
        request_created_at=now,
        request_updated_at=now,
        status="closed",
        deleted_by="purge_requests",
        reason="Retention",
    )
    old["NotificationOutbox"].objects.create(request=request, state="sent")
    old["NotificationOutbox"].objects.create(
        kind="digest", location=bellevue, digest_date=now.date(), counts={"new": 1}
    )
    return request, bellevue, gretna


def _permissions(apps):
    Group = apps.get_model("auth", "Group")
    return {
        group.name: set(group.permissions.values_list("pk", flat=True))
        for group in Group.objects.all()
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_moving_to_the_staff_app_keeps_every_row_and_every_group_permission(before_the_move):
    request, bellevue, gretna = _old_rows(before_the_move)
    groups_before = _permissions(before_the_move)
    assert groups_before["Practice manager"] and groups_before["Front desk"]

    apps = _migrate(_latest())

    staff = {
        name: apps.get_model("staff", name)
        for name in (
            "StaffLocationAccess",
            "StaffAllLocationsAccess",
            "StaffAccessChange",
            "AuditEvent",
            "DeletionLog",
            "NotificationOutbox",
        )
    }
    access = staff["StaffLocationAccess"].objects.get()
    assert (access.user.username, access.location_id) == ("moved-desk", bellevue.pk)
    assert staff["StaffAllLocationsAccess"].objects.get().user.username == "moved-boss"
    assert staff["StaffAccessChange"].objects.get().after == "Moved A"
    event = staff["AuditEvent"].objects.get()
    assert (event.record_type, event.object_ids) == (REQUEST, [request.pk])
    assert list(event.locations.values_list("pk", flat=True)) == [gretna.pk]
    log = staff["DeletionLog"].objects.get()
    assert (log.record_type, log.object_id, log.location_id) == (REQUEST, 999, bellevue.pk)
    told = staff["NotificationOutbox"].objects.get(kind="request")
    assert (told.record_type, told.object_id, told.location_id, told.state) == (
        REQUEST,
        request.pk,
        gretna.pk,
        "sent",
    )
    digest = staff["NotificationOutbox"].objects.get(kind="digest")
    assert (digest.location_id, digest.counts) == (bellevue.pk, {"new": 1})
    # The same permission rows, now under the staff app, held by the same groups.
    assert _permissions(apps) == groups_before
    Permission = apps.get_model("auth", "Permission")
    # The row the practice managers hold (a flush by an earlier test in the same run may
    # have made a second, unheld one through post_migrate).
    moved = Permission.objects.filter(
        codename="view_auditevent", group__name="Practice manager"
    ).get()
    assert moved.content_type.app_label == "staff"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_old_log_rows_were_given_their_locations(before_the_move):
    """consultations 0004's data step, run where it ran: before the move."""
    apps = before_the_move
    request, _, gretna = _old_rows(apps)
    AuditEvent = apps.get_model("consultations", "AuditEvent")
    DeletionLog = apps.get_model("consultations", "DeletionLog")
    DeletionLog.objects.update(location_id=None, location_name="Moved B")
    AuditEvent.locations.through.objects.all().delete()
    event = AuditEvent.objects.create(action="export", request_ids=[request.pk, 999], count=2)
    DeletionLog.objects.update(request_id=999)

    _migration_function("locate_log_rows")(apps, None)

    assert DeletionLog.objects.get().location_id == gretna.pk
    assert set(event.locations.values_list("pk", flat=True)) == {gretna.pk}
