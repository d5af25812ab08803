"""Staff notifications through an outbox.

The outbox row is written in the same transaction as the request. After commit we try
to send it at once; if mail is down (or the process dies) the row stays due and
`manage.py send_notifications` sends it later. A sender claims each row with one
conditional UPDATE (pending -> sending), so two overlapping runs never send the same row;
a sender that dies mid-send leaves a lease that runs out, and the row is tried again.

The e-mail says only that a request came in, for which clinic, and links to the staff
admin: no patient details ever go into mail. The daily digest (send_digest) goes through
the same outbox, with one row per clinic and day, and holds counts only. Clinics that
report to the same address are sent together, one e-mail per address and day, so an inbox
that hears from a thousand clinics gets one summary, not a thousand.
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
# A summary for many clinics lists at most this many by name, the most overdue first.
DIGEST_CLINIC_LINES = 50
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


def build_message(notifications, recipient):
    """The e-mail for one request's row, or for one day's digests to one address."""
    notification = notifications[0]
    if notification.kind == NotificationOutbox.Kind.DIGEST:
        if len(notifications) > 1:
            return build_combined_digest(notifications, recipient)
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


def build_combined_digest(notifications, recipient):
    """One day's digests of several clinics in one e-mail: totals, then a line for each
    clinic with requests waiting, the most overdue first. Counts only, like build_digest."""
    link = f"{settings.SITE_URL}{reverse('admin:index')}"
    day = notifications[0].digest_date
    clinics = sorted(
        ((n.location.name, n.counts) for n in notifications),
        key=lambda item: (
            -item[1].get("overdue", 0),
            -(item[1].get("oldest_waiting_minutes") or 0),
            item[0],
        ),
    )
    new = sum(counts.get("new", 0) for _, counts in clinics)
    overdue = sum(counts.get("overdue", 0) for _, counts in clinics)
    waiting = [
        (name, counts)
        for name, counts in clinics
        if counts.get("new") or counts.get("overdue") or counts.get("oldest_waiting_minutes")
    ]
    lines = [
        f"Consultation requests at {_clinics(len(clinics))}, {day:%A %B} {day.day}:",
        "",
        f"New requests: {new}",
        f"Overdue for first contact: {overdue}",
        "",
    ]
    if waiting:
        lines.append("Clinics with requests waiting for first contact, most overdue first:")
        lines += [
            f"- {name}: {_clinic_line(counts)}" for name, counts in waiting[:DIGEST_CLINIC_LINES]
        ]
        if len(waiting) > DIGEST_CLINIC_LINES:
            rest = len(waiting) - DIGEST_CLINIC_LINES
            lines.append(
                f"And {rest} more {'clinic' if rest == 1 else 'clinics'} with requests "
                "waiting: see the dashboard."
            )
    quiet = len(clinics) - len(waiting)
    if quiet:
        lines.append(f"{_clinics(quiet)} with no request waiting.")
    lines += [
        "",
        f"See every clinic you work with on the staff dashboard:\n{link}",
        "",
        "This e-mail has counts only, never patient details.",
    ]
    return EmailMessage(
        subject=f"Daily summary for {_clinics(len(clinics))}: {new} new, {overdue} overdue",
        body="\n".join(lines) + "\n",
        to=[recipient],
    )


def _clinics(count):
    return f"{count} clinic" if count == 1 else f"{count} clinics"


def _clinic_line(counts):
    oldest = counts.get("oldest_waiting_minutes")
    median = counts.get("median_minutes_yesterday")
    line = f"{counts.get('new', 0)} new, {counts.get('overdue', 0)} overdue"
    if oldest is not None:
        line += f", oldest waiting {metrics.describe_minutes(oldest)}"
    if median is not None:
        contacted = counts.get("contacted_yesterday", 0)
        line += (
            f"; median time to first contact yesterday {metrics.describe_minutes(median)} "
            f"({contacted} contacted)"
        )
    return line


def claim(pk=None, limit=50, now=None, where=None):
    """Take up to `limit` due rows (every due row with `limit=None`; the one row `pk`; only
    rows matching the Q `where`) for this sender; return their ids.

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
    if where is not None:
        candidates = candidates.filter(where)
    claimed, tried = [], set()
    # A row another sender won is no longer due, so look again until the batch is full:
    # overlapping senders must share the work, not give up after losing a few races.
    while limit is None or len(claimed) < limit:
        batch = candidates.exclude(pk__in=tried).values_list("pk", flat=True)
        batch = list(batch if limit is None else batch[: limit - len(claimed)])
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
    for recipient, group in _messages(_rows(ids)):
        try:
            if not recipient:
                raise NoRecipient(
                    "No address to notify: set one on the location or CONSULTATION_NOTIFY_EMAIL."
                )
            message = build_message(group, recipient)
            if timeout:
                message.connection = get_connection(timeout=timeout)
            message.send()
        except Exception as error:
            failed += len(group)
            for notification in group:
                _record_failure(notification, error)
        else:
            sent += len(group)
            NotificationOutbox.objects.filter(pk__in=[n.pk for n in group]).update(
                state=NotificationOutbox.State.SENT,
                lease_until=None,
                sent_at=timezone.now(),
                recipient=recipient,
                last_error="",
            )
    return sent, failed


def _rows(ids):
    return list(
        NotificationOutbox.objects.filter(pk__in=ids)
        .select_related("request__location", "location")
        .order_by("pk")
    )


def _messages(rows):
    """(recipient, rows) for each e-mail: one per request row; one per address and day for
    digests, taking that address's other due digests of the day along (claimed here, so
    no other sender mails them too)."""
    digests = {}
    for row in rows:
        recipient = recipient_for(subject_of(row))
        if row.kind == NotificationOutbox.Kind.DIGEST and recipient:
            digests.setdefault((recipient, row.digest_date), []).append(row)
        else:
            yield recipient, [row]
    for (recipient, day), group in digests.items():
        same_address = Q(location__notification_email=recipient)
        if recipient == settings.CONSULTATION_NOTIFY_EMAIL:
            same_address |= Q(location__notification_email="")
        more = claim(
            limit=None,
            where=Q(kind=NotificationOutbox.Kind.DIGEST, digest_date=day) & same_address,
        )
        yield recipient, group + _rows(more)


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
