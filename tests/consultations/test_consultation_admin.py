"""Staff work in the admin, as each group: list, filters, search, actions, CSV export,
per-location access, and the audit and deletion logs."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import export
from consultations.models import ConsultationRequest
from staff.models import AuditEvent, DeletionLog, NotificationOutbox, StaffLocationAccess

CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")
Status = ConsultationRequest.Status


def change_url(obj):
    return reverse("admin:consultations_consultationrequest_change", args=[obj.pk])


def run_action(client, action, objects, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(o.pk) for o in objects], **extra},
    )


def listed(response):
    return {obj.pk for obj in response.context["cl"].result_list}


def action_names(client):
    choices = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    return {name for name, _ in choices}


# --- who may see what -------------------------------------------------------------


def test_staff_outside_the_consultation_groups_cannot_see_requests(
    login, staff_without_group, make_request
):
    client = login(staff_without_group)
    request = make_request()
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(request)).status_code == 403
    assert not AuditEvent.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, make_request):
    response = client.get(change_url(make_request()))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_requests_cannot_be_added_by_anyone(login, practice_manager_user):
    client = login(practice_manager_user)
    assert client.get(reverse("admin:consultations_consultationrequest_add")).status_code == 403


def test_staff_limited_to_some_locations_see_only_their_requests(
    login, front_desk_user, limit_to, make_request, gretna, make_location
):
    limit_to(front_desk_user, gretna, make_location("Omaha"))
    client = login(front_desk_user)
    theirs = make_request(location=gretna)
    other = make_request()  # Bellevue
    response = client.get(CHANGELIST)
    assert listed(response) == {theirs.pk}
    location_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.title == "location"
    )
    assert {name for _, name in location_filter.lookup_choices} == {"Gretna", "Omaha"}
    assert client.get(change_url(other)).status_code == 302  # "does not exist"
    assert client.get(change_url(theirs)).status_code == 200
    assert AuditEvent.objects.get(action="view").object_ids == [theirs.pk]


def test_limited_manager_exports_only_their_locations(
    login, practice_manager_user, limit_to, make_request, gretna
):
    limit_to(practice_manager_user, gretna)
    client = login(practice_manager_user)
    theirs = make_request(location=gretna)
    make_request()  # Bellevue
    response = run_action(client, "export_csv", [theirs], select_across="1")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == [str(theirs.pk)]


# --- the list --------------------------------------------------------------------


def test_front_desk_list_shows_the_columns_staff_work_with(login, front_desk_user, make_request):
    client = login(front_desk_user)
    make_request(
        first_name="Pat", last_name="Example", phone="+14025550123", contact_method="phone"
    )
    html = client.get(CHANGELIST).content.decode()
    for text in ("Pat Example", "(402) 555-0123", "Bellevue", "New", "Waiting"):
        assert text in html


def test_newest_first_and_oldest_open_easy_to_spot(login, front_desk_user, make_request):
    client = login(front_desk_user)
    oldest = make_request()
    middle = make_request()
    newest = make_request()
    closed_old = make_request(status=Status.CLOSED)
    ConsultationRequest.objects.filter(pk=oldest.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=9)
    )
    ConsultationRequest.objects.filter(pk=closed_old.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=20)
    )
    default = [o.pk for o in client.get(CHANGELIST).context["cl"].result_list]
    assert default[:2] == [newest.pk, middle.pk]
    oldest_first = client.get(CHANGELIST, {"open": "oldest"})
    assert [o.pk for o in oldest_first.context["cl"].result_list] == [
        oldest.pk,
        middle.pk,
        newest.pk,
    ]
    waiting = client.get(CHANGELIST, {"open": "waiting"})
    assert listed(waiting) == {oldest.pk}
    assert "⚠" in waiting.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "contacted"}, "contacted"),
        ({"topic__exact": "isotretinoin"}, "isotretinoin"),
        ({"location__id__exact": "gretna"}, "gretna"),
        ({"created_at__gte": "2000-01-01 00:00:00+00:00"}, "all"),
    ],
)
def test_filters(login, front_desk_user, make_request, gretna, params, expected):
    client = login(front_desk_user)
    made = {
        "contacted": make_request(status=Status.CONTACTED),
        "isotretinoin": make_request(topic="isotretinoin"),
        "gretna": make_request(location=gretna),
    }
    if "location__id__exact" in params:
        params = {"location__id__exact": str(gretna.pk)}
    response = client.get(CHANGELIST, params)
    want = {o.pk for o in made.values()} if expected == "all" else {made[expected].pk}
    assert listed(response) == want


@pytest.mark.parametrize(
    "term", ["Findme", "findme@example.net", "402-555-0199", "(402) 555 0199", "+14025550199"]
)
def test_search_by_name_email_or_phone_typed_any_way(login, front_desk_user, make_request, term):
    client = login(front_desk_user)
    wanted = make_request(last_name="Findme", email="findme@example.net", phone="+14025550199")
    make_request(last_name="Other", email="other@example.net", phone="+14025550100")
    assert listed(client.get(CHANGELIST, {"q": term})) == {wanted.pk}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status__exact": "new"},
        {"topic__exact": "isotretinoin"},
        {"location__id__exact": "first"},
        {"created_at__gte": "2000-01-01 00:00:00+00:00"},
        {"open": "oldest"},
        {"open": "waiting"},
        {"q": "Sam"},
    ],
)
def test_changelist_and_its_filters_query_count_does_not_grow_with_rows(
    login, front_desk_user, make_request, make_location, django_assert_max_num_queries, params
):
    client = login(front_desk_user)
    towns = [make_location(f"Town {n}") for n in range(3)]
    if params.get("location__id__exact") == "first":
        params = {"location__id__exact": str(towns[0].pk)}
    for town in towns:
        make_request(location=town, topic="isotretinoin", assigned_to=front_desk_user)
    client.get(CHANGELIST, params)
    with django_assert_max_num_queries(30) as few:
        assert client.get(CHANGELIST, params).status_code == 200
    for n in range(40):
        make_request(location=towns[n % 3], topic="isotretinoin", assigned_to=front_desk_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(CHANGELIST, params).status_code == 200


# --- the detail page ----------------------------------------------------------------


def test_opening_a_request_is_audited_without_patient_data(login, front_desk_user, make_request):
    client = login(front_desk_user)
    request = make_request()
    assert client.get(change_url(request)).status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.username, event.object_ids) == ("view", "frontdesk", [request.pk])
    assert "Sam" not in str(event.detail)


def test_submitted_fields_are_read_only_and_contacted_sets_first_contacted_at(
    login, front_desk_user, make_request
):
    client = login(front_desk_user)
    request = make_request()
    response = client.post(
        change_url(request),
        {
            "first_name": "Someone Else",
            "status": "contacted",
            "assigned_to": str(front_desk_user.pk),
            "staff_notes": "Left a voicemail.",
            "notifications-TOTAL_FORMS": "0",
            "notifications-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.first_name == "Sam"
    assert request.status == Status.CONTACTED
    assert request.assigned_to == front_desk_user
    assert request.first_contacted_at is not None
    assert "status" in AuditEvent.objects.get(action="change").detail


# --- actions ----------------------------------------------------------------------


def test_front_desk_actions_do_not_include_export_or_delete(login, front_desk_user):
    names = action_names(login(front_desk_user))
    assert {"assign_to_me", "mark_contacted", "mark_closed"} <= names
    assert "export_csv" not in names
    assert "delete_selected" not in names


def test_front_desk_is_denied_export_and_delete(login, front_desk_user, make_request):
    client = login(front_desk_user)
    request = make_request()
    export_response = run_action(client, "export_csv", [request])
    assert not getattr(export_response, "streaming", False)
    run_action(client, "delete_selected", [request], post="yes")
    delete_url = reverse("admin:consultations_consultationrequest_delete", args=[request.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ConsultationRequest.objects.filter(pk=request.pk).exists()
    assert not AuditEvent.objects.filter(action__in=["export", "delete"]).exists()


def test_mark_contacted_stamps_first_contact_once(login, front_desk_user, make_request):
    client = login(front_desk_user)
    earlier = timezone.now() - timezone.timedelta(days=3)
    fresh = make_request()
    already = make_request(status=Status.CLOSED, first_contacted_at=earlier)
    untouched = make_request()
    run_action(client, "mark_contacted", [fresh, already])
    fresh.refresh_from_db()
    already.refresh_from_db()
    untouched.refresh_from_db()
    assert fresh.status == already.status == Status.CONTACTED
    assert fresh.first_contacted_at is not None
    assert already.first_contacted_at == earlier
    assert untouched.status == Status.NEW
    event = AuditEvent.objects.get(action="change")
    assert sorted(event.object_ids) == sorted([fresh.pk, already.pk])


@pytest.mark.parametrize(
    ("action", "status"), [("mark_closed", Status.CLOSED), ("mark_scheduled", Status.SCHEDULED)]
)
def test_status_actions(login, front_desk_user, make_request, action, status):
    client = login(front_desk_user)
    chosen = make_request()
    before = timezone.now()
    run_action(client, action, [chosen])
    chosen.refresh_from_db()
    assert chosen.status == status
    assert chosen.updated_at >= before


def test_assign_to_me(login, front_desk_user, make_request):
    client = login(front_desk_user)
    request = make_request()
    run_action(client, "assign_to_me", [request])
    request.refresh_from_db()
    assert request.assigned_to == front_desk_user


def test_manager_export_streams_escaped_csv_and_is_audited(
    login, practice_manager_user, make_request, monkeypatch
):
    monkeypatch.setattr(export, "CHUNK_ROWS", 1)
    client = login(practice_manager_user)
    first = make_request(first_name="Ann", phone="+14025550123", contact_method="phone")
    second = make_request(
        first_name='=HYPERLINK("http://evil.example")', last_name="@SUM(A1)", message="-2+3"
    )
    skipped = make_request(first_name="Not Chosen")
    response = run_action(client, "export_csv", [first, second])
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    chunks = list(response.streaming_content)
    assert len(chunks) == 3  # header + one row, then one row at a time
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    header = rows[0]
    by_title = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [row["Number"] for row in by_title] == [str(first.pk), str(second.pk)]
    assert by_title[0]["Phone"] == "(402) 555-0123"
    assert by_title[1]["First name"] == '\'=HYPERLINK("http://evil.example")'
    assert by_title[1]["Last name"] == "'@SUM(A1)"
    assert by_title[1]["Message"] == "'-2+3"
    assert str(skipped.pk) not in [row["Number"] for row in by_title]
    event = AuditEvent.objects.get(action="export")
    assert event.username == "manager"
    assert sorted(event.object_ids) == sorted([first.pk, second.pk])


def test_manager_delete_is_logged_in_deletion_log_and_audit(
    login, practice_manager_user, make_request
):
    client = login(practice_manager_user)
    request = make_request()
    run_action(client, "delete_selected", [request], post="yes")
    assert not ConsultationRequest.objects.exists()
    log = DeletionLog.objects.get()
    assert (log.object_id, log.deleted_by, log.reason) == (request.pk, "manager", "Admin")
    assert AuditEvent.objects.get(action="delete").object_ids == [request.pk]


def test_deleting_one_request_from_its_page_is_logged_too(
    login, practice_manager_user, make_request
):
    client = login(practice_manager_user)
    request = make_request()
    url = reverse("admin:consultations_consultationrequest_delete", args=[request.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not ConsultationRequest.objects.exists()
    assert DeletionLog.objects.get().object_id == request.pk
    assert AuditEvent.objects.get(action="delete").object_ids == [request.pk]


def test_logs_are_read_only_even_for_superusers(login, django_user_model, make_request):
    boss = django_user_model.objects.create_superuser("boss", password="x" * 16)
    client = login(boss)
    event = AuditEvent.record(AuditEvent.Action.VIEW, [make_request()], user=boss)
    change = reverse("admin:staff_auditevent_change", args=[event.pk])
    delete = reverse("admin:staff_auditevent_delete", args=[event.pk])
    assert client.get(change).status_code == 200  # view only
    assert client.post(change, {"detail": "edited"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:staff_deletionlog_add")).status_code == 403
    event.refresh_from_db()
    assert event.detail == ""


def test_practice_manager_can_read_the_audit_log_front_desk_cannot(
    login, practice_manager_user, front_desk_user
):
    url = reverse("admin:staff_auditevent_changelist")
    assert login(practice_manager_user).get(url).status_code == 200
    assert login(front_desk_user).get(url).status_code == 403


def test_retry_now_leaves_a_notification_that_is_being_sent_alone(
    login, practice_manager_user, make_request
):
    State = NotificationOutbox.State
    now = timezone.now()
    sending = NotificationOutbox.objects.create_for(
        make_request(), state=State.SENDING, lease_until=now + timedelta(minutes=5)
    )
    stalled = NotificationOutbox.objects.create_for(
        make_request(), state=State.SENDING, lease_until=now - timedelta(minutes=5)
    )
    failed = NotificationOutbox.objects.create_for(make_request(), state=State.FAILED)
    client = login(practice_manager_user)
    url = reverse("admin:staff_notificationoutbox_changelist")
    ids = [sending.pk, stalled.pk, failed.pk]
    client.post(url, {"action": "retry_now", "_selected_action": ids})
    states = dict(NotificationOutbox.objects.values_list("pk", "state"))
    assert states == {
        sending.pk: State.SENDING,
        stalled.pk: State.PENDING,
        failed.pk: State.PENDING,
    }


def test_a_location_that_staff_are_limited_to_cannot_be_deleted(
    practice_manager_user, make_location
):
    from django.db.models import ProtectedError

    town = make_location("Papillion")
    StaffLocationAccess.objects.create(user=practice_manager_user, location=town)
    with pytest.raises(ProtectedError):
        town.delete()
