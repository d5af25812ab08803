"""Every change to a request or to staff access: the admin, the commands and the views
call these and write nothing themselves. Each runs in one transaction with its own audit
record (the audit event, or the access log for access), so a change and its record commit
together or not at all. `user` is the staff member acting; a job passes its name in `job`.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language

from staff import services as staff_services
from staff.models import AuditEvent

from . import metrics, notify
from .models import ConsultationRequest

logger = logging.getLogger(__name__)


class AlreadySubmitted(Exception):
    """This form (its submission key) was stored before: a reload or a double click."""


def submit_request(form):
    """Save a valid form's request and its staff notification together, or neither."""
    key = form.cleaned_data["submission_key"]
    if ConsultationRequest.objects.filter(submission_key=key).exists():
        raise AlreadySubmitted
    try:
        with transaction.atomic():
            consultation = form.save(commit=False)
            now = timezone.now()
            consultation.consent_at = now
            consultation.due_at = _due_at(consultation.location, now)
            consultation.page_language = (get_language() or "en")[:2]
            consultation.save()
            notify.queue(consultation)
            if consultation.email_ack and consultation.email:
                notify.queue_acknowledgement(consultation)
    except IntegrityError:
        # Two copies raced past the check above; the unique key let only one in.
        if ConsultationRequest.objects.filter(submission_key=key).exists():
            raise AlreadySubmitted from None
        raise
    return consultation


def _due_at(location, received_at):
    """Worked out once here, so lists and reports read it instead of recomputing. A fault
    in the opening hours must never cost the patient's request: the backfill command
    fills in what is missing."""
    try:
        return metrics.due_at(location, received_at)
    except Exception:
        logger.exception("Could not work out the due time for location %s", location.pk)
        return None


def delete_requests(requests, reason, user=None, job=""):
    """The one way requests are deleted, by staff (`user`) or by a job (its name in
    `job`): logged and audited the way every patient record is (staff.services
    .delete_records). `requests`: ConsultationRequest objects or a QuerySet, their
    locations loaded (the log keeps the clinic's name)."""
    return staff_services.delete_records(ConsultationRequest, requests, reason, user=user, job=job)


def backfill_response_times(recompute=False):
    """Work out due times and times to first contact that stored requests lack (or all of
    them again with `recompute`). Derived figures only, so no audit event: nobody's
    request changes in what it says or where it stands."""
    return metrics.backfill(ConsultationRequest.objects.all(), recompute=recompute)


def _who(user, job):
    return {"user": user, "username": "" if user is not None else job}


def set_status(requests, status, user=None, job=""):
    """Move `requests` (a QuerySet) to `status`, audited. Moving to "contacted" stamps first
    contact, with the time it took, on those not contacted before (once: a request moved
    back and contacted again keeps its first time). Returns the number changed."""
    label = ConsultationRequest.Status(status).label.lower()
    with transaction.atomic():
        # Read the ids first: the update may take rows out of the QuerySet's filter.
        event = AuditEvent.record(
            AuditEvent.Action.CHANGE, requests, detail=label, **_who(user, job)
        )
        chosen = ConsultationRequest.objects.filter(pk__in=event.object_ids)
        now = timezone.now()
        if status == ConsultationRequest.Status.CONTACTED:
            metrics.stamp_first_contact(chosen.filter(first_contacted_at__isnull=True), now)
        # update() skips auto_now, so the change time is set here.
        return chosen.update(status=status, updated_at=now)


def mark_contacted(requests, user=None, job=""):
    return set_status(requests, ConsultationRequest.Status.CONTACTED, user=user, job=job)


def assign(requests, assignee, user=None, job=""):
    """Give `requests` (a QuerySet) to `assignee` (None: nobody), audited."""
    with transaction.atomic():
        event = AuditEvent.record(
            AuditEvent.Action.CHANGE, requests, detail="assigned", **_who(user, job)
        )
        return ConsultationRequest.objects.filter(pk__in=event.object_ids).update(
            assigned_to=assignee, updated_at=timezone.now()
        )


def save_request(request, changed_fields, user):
    """Save a request staff edited on its page (status, assignee, notes), audited with the
    names of the fields changed. Saving it as contacted stamps first contact once."""
    contacted = ConsultationRequest.Status.CONTACTED
    with transaction.atomic():
        if request.status == contacted and request.first_contacted_at is None:
            metrics.apply_first_contact(request, timezone.now())
        request.save()
        detail = ", ".join(changed_fields)
        AuditEvent.record(AuditEvent.Action.CHANGE, [request], user=user, detail=detail)
    return request
