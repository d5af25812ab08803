"""What staff are told about consultation requests, sent through the staff outbox
(staff.outbox: queue after commit, send once, retry).

The e-mail says only that a request came in, for which clinic, and links to the staff
admin: no patient details ever go into mail. The daily digest (send_digest) goes through
the same outbox, with one row per clinic and day, and holds counts only. Clinics that
report to the same address are sent together, one e-mail per address and day, so an inbox
that hears from a thousand clinics gets one summary, not a thousand.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext

from pages.models import ZONE_NAMES
from staff import figures, kinds, mail, outbox

from . import metrics
from .models import ConsultationRequest

# The outbox kinds this app sends.
REQUEST = "request"
DIGEST = "digest"
ACK = "reqack"
# A summary for many clinics lists at most this many by name, the most overdue first.
DIGEST_CLINIC_LINES = 50


def queue(consultation):
    """Queue "a new request came in" (inside the request's transaction)."""
    return outbox.queue(consultation, kind=REQUEST)


def queue_acknowledgement(consultation):
    """Queue "we have your request" to the patient who ticked the box (in the request's
    transaction)."""
    return outbox.queue(consultation, kind=ACK)


def acknowledgement_recipient(row):
    consultation = ConsultationRequest.objects.filter(pk=row.object_id).first()
    if consultation is None or not (consultation.email_ack and consultation.email):
        raise kinds.Withdrawn
    return consultation.email


def build_acknowledgement(notifications, recipient):
    """ "We have your request; we aim to reach you by <due time, clinic time>", nothing
    more: no name, no reason for the visit, none of the patient's words."""
    consultation = ConsultationRequest.objects.select_related("location").get(
        pk=notifications[0].object_id
    )
    location = consultation.location
    context = {"clinic": location.name, "phone": location.phone_display if location.phone else ""}
    if consultation.due_at is not None:
        local = consultation.due_at.astimezone(location.zone)
        zone_name = ZONE_NAMES.get(location.time_zone, location.time_zone)
        context.update(due=local, zone=location.zone, zone_name=str(zone_name))
    return mail.patient_email(
        recipient,
        consultation.page_language,
        lambda: (
            gettext("We have your request (MOD Dermatology %(clinic)s)") % {"clinic": location.name}
        ),
        "consultations/mail/acknowledgement",
        context,
    )


def queue_digest(location, day, counts):
    """The clinic's digest row for `day`, written once. Returns (row, created)."""
    return outbox.queue_daily(DIGEST, location, day, counts)


def build_digest_message(notifications, recipient):
    """One clinic's digest, or one day's digests of several clinics to one address."""
    if len(notifications) > 1:
        return build_combined_digest(notifications, recipient)
    return build_digest(notifications[0], recipient)


def build_request_message(notifications, recipient):
    """The e-mail for one request's row: that a request came in, and where to read it."""
    consultation = ConsultationRequest.objects.select_related("location").get(
        pk=notifications[0].object_id
    )
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
        *figures.digest_lines([counts]),
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
        *figures.digest_lines([counts for _, counts in clinics]),
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


kinds.register(
    kinds.Kind(
        REQUEST,
        build_request_message,
        label="New request",
        record_type=ConsultationRequest._meta.label_lower,
    )
)
kinds.register(kinds.Kind(DIGEST, build_digest_message, label="Daily digest", by_day=True))
kinds.register(
    kinds.Kind(
        ACK,
        build_acknowledgement,
        label="Request acknowledgement to the patient",
        recipient=acknowledgement_recipient,
    )
)
