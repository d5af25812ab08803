"""Transactional e-mail to patients, built the same way by every app: From the site's
address, a Message-ID on the site's own domain, plain text that reads well alone plus a
simple HTML part, rendered in the patient's language. No List-Unsubscribe: these are
messages a patient asked for about one visit or request, not a mailing list."""

from email.mime.text import MIMEText
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def site_domain():
    """The site's domain from SITE_URL; "localhost" when it is not set (development)."""
    return (urlsplit(settings.SITE_URL).hostname if settings.SITE_URL else "") or "localhost"


def calendar_part(ics_text, method):
    """The .ics as an attachment whose content type names its iTIP method, so mail
    programs offer to add, update or remove the event."""
    part = MIMEText(ics_text, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="appointment.ics")
    return part


def patient_email(to, language, subject, template, context, reply_to=None):
    """An e-mail to a patient, rendered from `template`.txt and `template`.html in
    `language`. `subject` is a callable run in that language."""
    with translation.override(language):
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        subject_text = str(subject())
    message = EmailMultiAlternatives(
        subject=subject_text,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
        headers={
            "Message-ID": make_msgid(domain=site_domain()),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
