import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import metrics, notify
from .models import AuditEvent, ConsultationRequest, DeletionLog

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
            consultation.save()
            notify.queue(consultation)
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
    `job`): each gets a deletion-log row, together they get one audit event, and the
    three writes commit together or not at all. `requests`: ConsultationRequest objects
    or a QuerySet, their locations loaded (the log keeps the clinic's name)."""
    deleted_by = user.get_username() if user is not None else job
    with transaction.atomic():
        requests = list(requests)
        DeletionLog.record(requests, deleted_by=deleted_by, reason=reason)
        AuditEvent.record(
            AuditEvent.Action.DELETE, requests, user=user, username=job, detail=reason
        )
        ConsultationRequest.objects.filter(pk__in=[r.pk for r in requests]).delete()
    return len(requests)
