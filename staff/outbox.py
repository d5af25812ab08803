"""The mail outbox shared by the patient apps: queue after commit, send once, retry.

A row is written in the same transaction as what it tells staff about. After commit we
try to send it at once; if mail is down (or the process dies) the row stays due and
`manage.py send_notifications` sends it later. A sender claims each row with one
conditional UPDATE (pending -> sending), so two overlapping runs never send the same row;
a sender that dies mid-send leaves a lease that runs out, and the row is tried again.

What each e-mail says is built by the app that registered the row's kind (staff.kinds);
this module never reads a patient's record. Rows of a kind sent by day (the daily
digest) to the same address go out as one e-mail per address and day.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import kinds
from .models import NotificationOutbox

logger = logging.getLogger(__name__)

# Longer than any SMTP timeout, so a live sender is never overtaken by a retry.
LEASE = timedelta(minutes=10)
# Waits between tries double up to an hour, so mail that is back is used within the hour.
MAX_BACKOFF_MINUTES = 60
# The try right after a patient sends a form runs inside their request: a mail server
# that does not answer must not keep them from the thank-you page for long. A row that
# times out here is sent by send_notifications, with the full EMAIL_TIMEOUT.
INLINE_TIMEOUT_SECONDS = 3


class NoRecipient(Exception):
    pass


def queue(record, kind=None):
    """Write `record`'s row (call inside the record's transaction) and try it after commit."""
    notification = NotificationOutbox.objects.create_for(record, kind=kind)
    transaction.on_commit(
        lambda: send_claimed(claim(pk=notification.pk), timeout=INLINE_TIMEOUT_SECONDS),
        robust=True,
    )
    return notification


def queue_daily(kind, location, day, counts):
    """Write the clinic's row of `kind` for `day` once; later calls for the same day find
    it and add nothing (a unique constraint, so two overlapping runs cannot both add one).
    Returns (row, created)."""
    lookup = {"kind": kind, "location": location, "digest_date": day}
    try:
        with transaction.atomic():
            return NotificationOutbox.objects.get_or_create(**lookup, defaults={"counts": counts})
    except IntegrityError:
        return NotificationOutbox.objects.get(**lookup), False


def forget(records):
    """Drop the rows about `records`, deleted with them (inside their transaction)."""
    return NotificationOutbox.objects.about(records).delete()


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


def recipient_for(location):
    return location.notification_email or settings.CONSULTATION_NOTIFY_EMAIL


def send_claimed(ids, timeout=None):
    """Send the leased rows; return (sent, failed) counts. Never raises for one bad row.
    `timeout`: seconds to wait for the mail server (default EMAIL_TIMEOUT)."""
    sent = failed = 0
    for recipient, group in _messages(_rows(ids)):
        try:
            kind = kinds.get(group[0].kind)
            if kind.recipient is not None:
                recipient = kind.recipient(group[0])
            if not recipient:
                raise NoRecipient(
                    "No address to notify: set one on the location or CONSULTATION_NOTIFY_EMAIL."
                )
            message = kind.build(group, recipient)
            if timeout:
                message.connection = get_connection(timeout=timeout)
            message.send()
        except kinds.Withdrawn:
            # No longer wanted (the visit was cancelled or has passed): never sent.
            NotificationOutbox.objects.filter(pk__in=[n.pk for n in group]).delete()
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
        NotificationOutbox.objects.filter(pk__in=ids).select_related("location").order_by("pk")
    )


def _messages(rows):
    """(recipient, rows) for each e-mail: one per row, but one per address and day for the
    kinds sent by day (the daily digest), taking that address's other due rows of the
    kind and day along (claimed here, so no other sender mails them too)."""
    by_day = {}
    for row in rows:
        if kinds.get(row.kind).recipient is not None:
            yield "", [row]  # the kind names its own recipient when sending
            continue
        recipient = recipient_for(row.location) if row.location else ""
        if kinds.get(row.kind).by_day and recipient:
            by_day.setdefault((recipient, row.kind, row.digest_date), []).append(row)
        else:
            yield recipient, [row]
    for (recipient, kind, day), group in by_day.items():
        same_address = Q(location__notification_email=recipient)
        if recipient == settings.CONSULTATION_NOTIFY_EMAIL:
            same_address |= Q(location__notification_email="")
        more = claim(
            limit=None,
            where=Q(kind=kind, digest_date=day) & same_address,
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
        notification.object_id or notification.location_id,
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
