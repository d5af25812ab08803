"""Staff notifications through an outbox.

The outbox row is written in the same transaction as the request. After commit we try
to send it at once; if mail is down (or the process dies) the row stays due and
`manage.py send_notifications` sends it later. A sender claims each row with one
conditional UPDATE (pending -> sending), so two overlapping runs never send the same row;
a sender that dies mid-send leaves a lease that runs out, and the row is tried again.

The e-mail says only that a request came in, for which clinic, and links to the staff
admin: no patient details ever go into mail. The daily digest (send_digest) goes through
the same outbox, with one row per clinic and day, and holds counts only.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from . import metrics
from .models import NotificationOutbox

logger = logging.getLogger(__name__)

# Longer than any SMTP timeout, so a live sender is never overtaken by a retry.
LEASE = timedelta(minutes=10)
# Waits between tries double up to an hour, so mail that is back is used within the hour.
MAX_BACKOFF_MINUTES = 60
# The try right after a patient sends the form runs inside their request: a mail server
# that does not answer must not keep them from the thank-you page for long. A row that
# times out here is sent by send_notifications, with the full EMAIL_TIMEOUT.
INLINE_TIMEOUT_SECONDS = 3


class NoRecipient(Exception):
    pass


def queue(consultation):
    """Write the outbox row (call inside the request's transaction) and try it after commit."""
    notification = NotificationOutbox.objects.create(request=consultation)
    transaction.on_commit(
        lambda: send_claimed(claim(pk=notification.pk), timeout=INLINE_TIMEOUT_SECONDS),
        robust=True,
    )
    return notification


def queue_digest(location, day, counts):
    """Write the clinic's digest row for `day` once; later calls for the same day find it
    and add nothing (a unique constraint, so two overlapping runs cannot both add one).
    Returns (row, created)."""
    lookup = {"kind": NotificationOutbox.Kind.DIGEST, "location": location, "digest_date": day}
    try:
        with transaction.atomic():
            return NotificationOutbox.objects.get_or_create(**lookup, defaults={"counts": counts})
    except IntegrityError:
        return NotificationOutbox.objects.get(**lookup), False


def recipient_for(location):
    return location.notification_email or settings.CONSULTATION_NOTIFY_EMAIL


def subject_of(notification):
    if notification.kind == NotificationOutbox.Kind.DIGEST:
        return notification.location
    return notification.request.location


def build_message(notification, recipient):
    if notification.kind == NotificationOutbox.Kind.DIGEST:
        return build_digest(notification, recipient)
    consultation = notification.request
    location = consultation.location
    link = f"{settings.SITE_URL}{consultation.get_absolute_url()}"
    body = (
        f"A new consultation request came in through the website for the "
        f"{location.name} clinic.\n\n"
        f"Sign in to the staff site to read it and contact the patient:\n{link}\n\n"
        "This e-mail has no patient details on purpose. Please do not forward patient "
        "details by e-mail.\n"
    )
    return EmailMessage(
        subject=f"New consultation request for {location.name} ({consultation})",
        body=body,
        to=[recipient],
    )


def build_digest(notification, recipient):
    """Counts only: a digest names no patient and no request."""
    location, counts = notification.location, notification.counts
    link = f"{settings.SITE_URL}{reverse('admin:index')}"
    oldest = counts.get("oldest_waiting_minutes")
    median = counts.get("median_minutes_yesterday")
    lines = [
        f"Consultation requests at the {location.name} clinic, "
        f"{notification.digest_date:%A %B} {notification.digest_date.day}:",
        "",
        f"New requests: {counts.get('new', 0)}",
        f"Overdue for first contact: {counts.get('overdue', 0)}",
        "Oldest request waiting for first contact: "
        + ("none waiting" if oldest is None else metrics.describe_minutes(oldest)),
        "Median time to first contact yesterday (opening hours): "
        + (
            "nobody was first contacted"
            if median is None
            else f"{metrics.describe_minutes(median)} "
            f"({counts.get('contacted_yesterday', 0)} contacted)"
        ),
        "",
        f"See every clinic you work with on the staff dashboard:\n{link}",
        "",
        "This e-mail has counts only, never patient details.",
    ]
    return EmailMessage(
        subject=(
            f"Daily summary for {location.name}: {counts.get('new', 0)} new, "
            f"{counts.get('overdue', 0)} overdue"
        ),
        body="\n".join(lines) + "\n",
        to=[recipient],
    )


def claim(pk=None, limit=50, now=None):
    """Take up to `limit` due rows (or the one row `pk`) for this sender; return their ids.

    Each row is taken by a conditional UPDATE that only one sender can win, on SQLite and
    PostgreSQL alike. Rows whose sender died (lease over) are due again.
    """
    now = now or timezone.now()
    due = Q(state=NotificationOutbox.State.PENDING, next_attempt_at__lte=now) | Q(
        state=NotificationOutbox.State.SENDING, lease_until__lt=now
    )
    candidates = NotificationOutbox.objects.filter(due).order_by("next_attempt_at", "pk")
    if pk is not None:
        candidates = candidates.filter(pk=pk)
    claimed, tried = [], set()
    # A row another sender won is no longer due, so look again until the batch is full:
    # overlapping senders must share the work, not give up after losing a few races.
    while len(claimed) < limit:
        batch = list(
            candidates.exclude(pk__in=tried).values_list("pk", flat=True)[: limit - len(claimed)]
        )
        if not batch:
            break
        for candidate in batch:
            tried.add(candidate)
            won = NotificationOutbox.objects.filter(due, pk=candidate).update(
                state=NotificationOutbox.State.SENDING,
                lease_until=now + LEASE,
                attempts=F("attempts") + 1,
            )
            if won:
                claimed.append(candidate)
    return claimed


def send_claimed(ids, timeout=None):
    """Send the leased rows; return (sent, failed) counts. Never raises for one bad row.
    `timeout`: seconds to wait for the mail server (default EMAIL_TIMEOUT)."""
    sent = failed = 0
    rows = NotificationOutbox.objects.filter(pk__in=ids).select_related(
        "request__location", "location"
    )
    for notification in rows:
        try:
            recipient = recipient_for(subject_of(notification))
            if not recipient:
                raise NoRecipient(
                    "No address to notify: set one on the location or CONSULTATION_NOTIFY_EMAIL."
                )
            message = build_message(notification, recipient)
            if timeout:
                message.connection = get_connection(timeout=timeout)
            message.send()
        except Exception as error:
            failed += 1
            _record_failure(notification, error)
        else:
            sent += 1
            NotificationOutbox.objects.filter(pk=notification.pk).update(
                state=NotificationOutbox.State.SENT,
                lease_until=None,
                sent_at=timezone.now(),
                recipient=recipient,
                last_error="",
            )
    return sent, failed


def _record_failure(notification, error):
    gave_up = notification.attempts >= settings.CONSULTATION_NOTIFY_MAX_ATTEMPTS
    minutes = min(2**notification.attempts, MAX_BACKOFF_MINUTES)
    # Ids and the exception type only: messages from mail servers can echo addresses.
    logger.log(
        logging.ERROR if gave_up else logging.WARNING,
        "Notification %s (%s %s) failed (attempt %s, %s)%s",
        notification.pk,
        notification.kind,
        notification.request_id or notification.location_id,
        notification.attempts,
        type(error).__name__,
        "; giving up" if gave_up else "",
    )
    try:
        NotificationOutbox.objects.filter(pk=notification.pk).update(
            state=NotificationOutbox.State.FAILED if gave_up else NotificationOutbox.State.PENDING,
            lease_until=None,
            next_attempt_at=timezone.now() + timedelta(minutes=minutes),
            last_error=f"{type(error).__name__}: {error}"[:300],
        )
    except DatabaseError:
        # The lease runs out on its own and the row is tried again.
        logger.warning("Could not record the failure of notification %s", notification.pk)


def send_due(batch_size=50):
    """Send every due row, batch by batch; return (sent, failed)."""
    total_sent = total_failed = 0
    while ids := claim(limit=batch_size):
        sent, failed = send_claimed(ids)
        total_sent += sent
        total_failed += failed
    return total_sent, total_failed
