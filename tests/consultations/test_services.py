"""The write layer: every change to a request or to staff access goes through
consultations.services, in one transaction with its own audit record."""

import pytest
from django.db import IntegrityError, transaction

from consultations import services
from consultations.models import ConsultationRequest
from staff import services as staff_services
from staff.models import AuditEvent, DeletionLog, StaffAccessChange, StaffLocationAccess


def test_a_job_that_marks_requests_contacted_is_audited_under_its_name(make_request):
    request = make_request()
    requests = ConsultationRequest.objects.filter(pk=request.pk)
    assert services.mark_contacted(requests, job="import_calls") == 1
    event = AuditEvent.objects.get()
    assert (event.action, event.username, event.detail) == ("change", "import_calls", "contacted")
    assert event.object_ids == [request.pk]
    request.refresh_from_db()
    assert request.status == "contacted" and request.first_contacted_at is not None


def test_a_status_change_that_fails_leaves_no_audit_event(make_request, monkeypatch):
    request = make_request()

    def broken(*args, **kwargs):
        raise RuntimeError("opening hours unreadable")

    monkeypatch.setattr(services.metrics, "stamp_first_contact", broken)
    with pytest.raises(RuntimeError):
        services.mark_contacted(ConsultationRequest.objects.filter(pk=request.pk))
    assert not AuditEvent.objects.exists()
    request.refresh_from_db()
    assert request.status == "new"


def test_assigning_requests_is_audited(make_request, front_desk_user):
    request = make_request()
    services.assign(ConsultationRequest.objects.all(), front_desk_user, user=front_desk_user)
    request.refresh_from_db()
    assert request.assigned_to == front_desk_user
    event = AuditEvent.objects.get()
    assert (event.username, event.detail, event.object_ids) == (
        "frontdesk",
        "assigned",
        [request.pk],
    )


def test_saving_a_request_as_contacted_stamps_first_contact_once_and_audits(
    make_request, front_desk_user
):
    request = make_request()
    request.status = ConsultationRequest.Status.CONTACTED
    services.save_request(request, ["status"], user=front_desk_user)
    first = ConsultationRequest.objects.get().first_contacted_at
    assert first is not None
    services.save_request(request, ["staff_notes"], user=front_desk_user)
    assert ConsultationRequest.objects.get().first_contacted_at == first
    assert list(AuditEvent.objects.order_by("pk").values_list("detail", flat=True)) == [
        "status",
        "staff_notes",
    ]


def test_every_deletion_by_a_job_is_logged_and_audited(make_request):
    requests = [make_request(), make_request()]
    services.delete_requests(requests, "Retention", job="purge_requests")
    assert not ConsultationRequest.objects.exists()
    assert DeletionLog.objects.count() == 2
    event = AuditEvent.objects.get(action="delete")
    assert sorted(event.object_ids) == sorted(r.pk for r in requests)


def test_granting_and_revoking_access_writes_the_access_log(
    practice_manager_user, make_staff, bellevue
):
    desk = make_staff("desk", "Front desk")
    row = staff_services.grant_access(
        StaffLocationAccess(user=desk, location=bellevue), by=practice_manager_user
    )
    staff_services.revoke_access([row], by=practice_manager_user)
    changes = StaffAccessChange.objects.order_by("pk").values_list("changed_by", "before", "after")
    assert list(changes) == [
        ("manager", "No location", bellevue.name),
        ("manager", bellevue.name, "No location"),
    ]
    assert not StaffLocationAccess.objects.exists()


def test_a_grant_that_fails_logs_nothing(practice_manager_user, make_staff, bellevue):
    desk = make_staff("desk", "Front desk", bellevue)
    with pytest.raises(IntegrityError), transaction.atomic():
        staff_services.grant_access(
            StaffLocationAccess(user=desk, location=bellevue), by=practice_manager_user
        )
    assert not StaffAccessChange.objects.exists()
