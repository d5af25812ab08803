import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

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
