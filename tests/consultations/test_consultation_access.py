"""Who sees which clinic's requests, who may change that, and the logs of it (issue 9:
access and audit). Seeing every location is an explicit choice; no rows means nothing."""

import importlib
import pkgutil

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

import consultations.migrations
from consultations.models import ConsultationRequest
from staff.models import (
    AuditEvent,
    DeletionLog,
    NotificationOutbox,
    StaffAccessChange,
    StaffAllLocationsAccess,
    StaffLocationAccess,
)
from tests.factories import make_superuser

CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")
ROWS = "admin:staff_stafflocationaccess"
EVERY = "admin:staff_staffalllocationsaccess"


def listed(response):
    return {obj.pk for obj in response.context["cl"].result_list}


def choices(response, title):
    """The names a changelist filter offers."""
    spec = next(s for s in response.context["cl"].filter_specs if s.title == title)
    return {str(c["display"]) for c in spec.choices(response.context["cl"])} - {"All", "-"}


def bulk_delete(client, url_name, objects):
    return client.post(
        reverse(f"{url_name}_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [str(o.pk) for o in objects],
            "post": "yes",
        },
    )


# --- item 1: nobody widens anyone by deleting or adding rows ----------------------------


def test_limited_manager_cannot_delete_their_own_row_to_see_every_clinic(
    login, make_staff, make_request, bellevue, gretna
):
    manager = make_staff("bellevue-manager", "Practice manager", bellevue)
    own_row = StaffLocationAccess.objects.get(user=manager)
    theirs, other = make_request(), make_request(location=gretna)
    client = login(manager)

    response = client.post(reverse(f"{ROWS}_delete", args=[own_row.pk]), {"post": "yes"})
    assert response.status_code == 403
    bulk_delete(client, ROWS, [own_row])  # the delete action is not even offered
    assert StaffLocationAccess.objects.filter(pk=own_row.pk).exists()
    assert listed(client.get(CHANGELIST)) == {theirs.pk}

    # Even with the row gone (say a colleague removed it), no rows means nothing, not all.
    own_row.delete()
    assert listed(client.get(CHANGELIST)) == set()
    change = reverse("admin:consultations_consultationrequest_change", args=[other.pk])
    assert client.get(change).status_code == 302  # "does not exist"
    assert not AuditEvent.objects.filter(action="view").exists()


def test_limited_manager_cannot_add_a_clinic_or_every_clinic_for_themselves(
    login, make_staff, make_request, bellevue, gretna
):
    manager = make_staff("bellevue-manager", "Practice manager", bellevue)
    theirs = make_request()
    make_request(location=gretna)
    client = login(manager)

    add_row = client.post(reverse(f"{ROWS}_add"), {"user": manager.pk, "location": gretna.pk})
    add_every = client.post(reverse(f"{EVERY}_add"), {"user": manager.pk})
    assert add_row.status_code == 403
    assert add_every.status_code == 403
    assert not StaffLocationAccess.objects.filter(user=manager, location=gretna).exists()
    assert not StaffAllLocationsAccess.objects.exists()
    assert listed(client.get(CHANGELIST)) == {theirs.pk}


def test_limited_manager_cannot_change_a_colleague_s_access_either(
    login, make_staff, bellevue, gretna
):
    manager = make_staff("bellevue-manager", "Practice manager", bellevue)
    desk = make_staff("bellevue-desk", "Front desk", bellevue)
    desk_row = StaffLocationAccess.objects.get(user=desk)
    client = login(manager)

    response = client.post(reverse(f"{ROWS}_delete", args=[desk_row.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert StaffLocationAccess.objects.filter(pk=desk_row.pk).exists()
    response = client.post(reverse(f"{ROWS}_add"), {"user": desk.pk, "location": gretna.pk})
    assert response.status_code == 403
    assert client.post(reverse(f"{EVERY}_add"), {"user": desk.pk}).status_code == 403
    assert StaffLocationAccess.locations_for(desk) == [bellevue.pk]
    assert not StaffAccessChange.objects.exists()


def test_staff_given_no_location_see_no_request_notification_or_clinic(
    login, make_staff, make_request, gretna
):
    manager = make_staff("new-manager", "Practice manager")  # no rows, not every location
    request = make_request(location=gretna)
    NotificationOutbox.objects.create_for(request)
    client = login(manager)

    response = client.get(CHANGELIST)
    assert listed(response) == set()
    filters = response.context["cl"].filter_specs
    assert not [spec for spec in filters if spec.title == "location" and spec.lookup_choices]
    change = reverse("admin:consultations_consultationrequest_change", args=[request.pk])
    assert client.get(change).status_code == 302  # "does not exist"
    outbox = client.get(reverse("admin:staff_notificationoutbox_changelist"))
    assert listed(outbox) == set()
    assert ConsultationRequest.objects.visible_to(manager).count() == 0


def test_superusers_see_every_clinic_without_any_access_rows(make_request, gretna):
    boss = make_superuser("boss")
    make_request(), make_request(location=gretna)
    assert StaffLocationAccess.locations_for(boss) is None
    assert ConsultationRequest.objects.visible_to(boss).count() == 2


def test_manager_seeing_every_clinic_gives_and_takes_access_and_each_change_is_logged(
    login, practice_manager_user, make_staff, bellevue, gretna
):
    desk = make_staff("bellevue-desk", "Front desk", bellevue)
    client = login(practice_manager_user)

    response = client.post(reverse(f"{ROWS}_add"), {"user": desk.pk, "location": gretna.pk})
    assert response.status_code == 302
    assert sorted(StaffLocationAccess.locations_for(desk)) == sorted([bellevue.pk, gretna.pk])
    row = StaffLocationAccess.objects.get(user=desk, location=bellevue)
    assert bulk_delete(client, ROWS, [row]).status_code == 302
    assert client.post(reverse(f"{EVERY}_add"), {"user": desk.pk}).status_code == 302
    every = StaffAllLocationsAccess.objects.get(user=desk)
    response = client.post(reverse(f"{EVERY}_delete", args=[every.pk]), {"post": "yes"})
    assert response.status_code == 302

    changes = StaffAccessChange.objects.order_by("pk")
    assert [(c.before, c.after) for c in changes] == [
        ("Bellevue", "Bellevue, Gretna"),
        ("Bellevue, Gretna", "Gretna"),
        ("Gretna", "Every location"),
        ("Every location", "Gretna"),
    ]
    assert {(c.changed_by, c.changed_by_id, c.staff, c.staff_id) for c in changes} == {
        ("manager", practice_manager_user.pk, "bellevue-desk", desk.pk)
    }
    log = client.get(reverse("admin:staff_staffaccesschange_changelist"))
    assert log.status_code == 200
    assert len(log.context["cl"].result_list) == 4


def test_nobody_changes_their_own_access_even_when_they_see_every_clinic(
    login, practice_manager_user, bellevue
):
    client = login(practice_manager_user)
    own = StaffAllLocationsAccess.objects.get(user=practice_manager_user)

    response = client.post(reverse(f"{EVERY}_delete", args=[own.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert bulk_delete(client, EVERY, [own]).status_code == 403
    form = client.get(reverse(f"{ROWS}_add")).context["adminform"].form
    assert practice_manager_user not in form.fields["user"].queryset
    response = client.post(
        reverse(f"{ROWS}_add"), {"user": practice_manager_user.pk, "location": bellevue.pk}
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert StaffAllLocationsAccess.objects.filter(pk=own.pk).exists()
    assert not StaffLocationAccess.objects.exists()
    assert not StaffAccessChange.objects.exists()


def test_access_rows_are_given_or_taken_never_edited_in_place(
    login, practice_manager_user, make_staff, bellevue, gretna
):
    desk = make_staff("bellevue-desk", "Front desk", bellevue)
    row = StaffLocationAccess.objects.get(user=desk)
    client = login(practice_manager_user)
    url = reverse(f"{ROWS}_change", args=[row.pk])
    client.post(url, {"user": desk.pk, "location": gretna.pk})
    assert StaffLocationAccess.objects.get(pk=row.pk).location == bellevue


def _migration_function(name):
    """The data migration's function, found by name: the lead may renumber the file."""
    for info in pkgutil.iter_modules(consultations.migrations.__path__):
        module = importlib.import_module(f"consultations.migrations.{info.name}")
        if hasattr(module, name):
            return getattr(module, name)
    raise LookupError(name)


def test_migration_keeps_everyone_seeing_exactly_what_they_saw_before(
    make_request, bellevue, gretna
):
    # Before: staff with no rows saw every location, staff with rows saw those.
    unlimited = User.objects.create_user("unlimited", is_staff=True)
    limited = User.objects.create_user("limited", is_staff=True)
    StaffLocationAccess.objects.create(user=limited, location=gretna)
    boss = User.objects.create_superuser("boss")
    patient_facing = User.objects.create_user("not-staff")
    make_request(), make_request(location=gretna)

    # The models as that migration knew them (in consultations, before the move to staff).
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    state = MigrationLoader(connection).project_state(
        ("consultations", "0009_audit_lists_and_searches")
    )
    _migration_function("keep_everyone_as_they_are")(state.apps, None)

    assert StaffLocationAccess.locations_for(unlimited) is None
    assert StaffLocationAccess.locations_for(limited) == [gretna.pk]
    assert StaffLocationAccess.locations_for(boss) is None
    assert StaffLocationAccess.locations_for(patient_facing) == []
    assert ConsultationRequest.objects.visible_to(unlimited).count() == 2
    assert ConsultationRequest.objects.visible_to(limited).count() == 1
    assert set(StaffAccessChange.objects.values_list("staff", flat=True)) == {"unlimited", "boss"}


def test_practice_manager_group_gives_every_location_but_never_edits_rows(db):
    from django.contrib.auth.models import Group

    codenames = set(
        Group.objects.get(name="Practice manager").permissions.values_list("codename", flat=True)
    )
    assert {
        "view_stafflocationaccess",
        "add_stafflocationaccess",
        "delete_stafflocationaccess",
        "view_staffalllocationsaccess",
        "add_staffalllocationsaccess",
        "delete_staffalllocationsaccess",
        "view_staffaccesschange",
    } <= codenames
    assert "change_stafflocationaccess" not in codenames
    assert not {c for c in codenames if c.endswith("_staffaccesschange")} - {
        "view_staffaccesschange"
    }


# --- item 2: every showing of a request's details is audited ---------------------------


def test_invalid_status_post_that_shows_the_request_again_is_audited(
    login, front_desk_user, make_request
):
    request = make_request(first_name="Quinn", last_name="Visible")
    url = reverse("admin:consultations_consultationrequest_change", args=[request.pk])
    response = login(front_desk_user).post(url, {"status": "bogus", "staff_notes": ""})
    assert response.status_code == 200
    assert "Quinn" in response.content.decode()
    event = AuditEvent.objects.get(action="view")
    assert event.object_ids == [request.pk]
    assert event.username == "frontdesk"
    assert ConsultationRequest.objects.get(pk=request.pk).status == "new"


def test_each_get_of_a_request_page_writes_its_own_opened_row(login, front_desk_user, make_request):
    request = make_request()
    url = reverse("admin:consultations_consultationrequest_change", args=[request.pk])
    client = login(front_desk_user)
    client.get(url)
    client.get(url)
    assert AuditEvent.objects.filter(action="view", object_ids=[request.pk]).count() == 2


# --- item 3: logs and access rows scoped by clinic, like the request list ---------------


@pytest.fixture
def bellevue_manager(make_staff, bellevue):
    return make_staff("bellevue-manager", "Practice manager", bellevue)


def test_limited_manager_reads_only_their_clinic_s_audit_events(
    login, bellevue_manager, practice_manager_user, make_request, gretna
):
    here, there = make_request(), make_request(location=gretna)
    ours = AuditEvent.record(AuditEvent.Action.VIEW, [here], user=practice_manager_user)
    AuditEvent.record(AuditEvent.Action.VIEW, [there], user=practice_manager_user)
    AuditEvent.record(AuditEvent.Action.EXPORT, [here, there], user=practice_manager_user)
    AuditEvent.objects.create(action="view", object_ids=[999])  # location unknown
    client = login(bellevue_manager)

    url = reverse("admin:staff_auditevent_changelist")
    response = client.get(url)
    assert listed(response) == {ours.pk}
    assert choices(response, "locations") == {"Bellevue"}
    everyone = login(practice_manager_user).get(url)
    assert len(everyone.context["cl"].result_list) == 4


def test_limited_manager_reads_only_their_clinic_s_deletion_log(
    login, bellevue_manager, practice_manager_user, make_request, gretna
):
    here, there = make_request(), make_request(location=gretna)
    DeletionLog.record([here, there], deleted_by="manager", reason="Admin")
    client = login(bellevue_manager)
    response = client.get(reverse("admin:staff_deletionlog_changelist"))
    assert {row.object_id for row in response.context["cl"].result_list} == {here.pk}
    assert choices(response, "location name") == {"Bellevue"}
    hidden = DeletionLog.objects.get(object_id=there.pk)
    change = reverse("admin:staff_deletionlog_change", args=[hidden.pk])
    assert client.get(change).status_code == 302  # "does not exist"


def test_limited_manager_reads_only_their_clinic_s_access_rows(
    login, bellevue_manager, make_staff, bellevue, gretna
):
    make_staff("gretna-desk", "Front desk", gretna)
    make_staff("everywhere", "Front desk", every_location=True)
    client = login(bellevue_manager)

    rows = client.get(reverse(f"{ROWS}_changelist"))
    assert {row.user.username for row in rows.context["cl"].result_list} == {"bellevue-manager"}
    assert listed(client.get(reverse(f"{EVERY}_changelist"))) == set()
    log = client.get(reverse("admin:staff_staffaccesschange_changelist"))
    assert log.status_code == 403
