from django.db import IntegrityError, transaction
from django.utils import timezone

from . import notify
from .models import ConsultationRequest


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
            consultation.consent_at = timezone.now()
            consultation.save()
            notify.queue(consultation)
    except IntegrityError:
        # Two copies raced past the check above; the unique key let only one in.
        if ConsultationRequest.objects.filter(submission_key=key).exists():
            raise AlreadySubmitted from None
        raise
    return consultation
