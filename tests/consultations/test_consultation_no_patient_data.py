"""Marker test: a request sent with unique values in every field, then opened and handled
by staff in the admin. None of the values may appear in any log line (every logger at
DEBUG, as recorded and as written by the JSON handler), in any e-mail, or in any URL the
patient was sent to."""

import io
import logging

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from consultations.models import ConsultationRequest
from modsite.logs import JsonFormatter
from staff.models import AuditEvent

FIRST_NAME = "Quorblax"
LAST_NAME = "Vintermuth"
EMAIL = "quorblax.vintermuth@example.net"
PHONE = "(402) 555-0187"
MESSAGE = "Zizzlewump itchy patch near my left elbow"
# What could reach a log or e-mail, lower case (the search ignores case), including the
# phone as stored (+14025550187) and as typed.
MARKERS = ["quorblax", "vintermuth", "555-0187", "5550187", "zizzlewump", "left elbow"]


@pytest.fixture
def every_log_line(caplog):
    """Every logger at DEBUG; returns all that was logged: the records caplog saw and
    the text the site's JSON handler wrote."""
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    caplog.set_level(logging.DEBUG)
    for name in list(logging.Logger.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)

    def read():
        records = "\n".join(
            f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
        )
        return f"{records}\n{caplog.text}\n{stream.getvalue()}"

    yield read
    handler.setStream(previous)


def assert_no_marker(text, where):
    found = [marker for marker in MARKERS if marker in text.lower()]
    assert found == [], f"patient data in {where}: {found}"


@pytest.mark.django_db
def test_no_patient_value_reaches_logs_mail_or_urls_from_form_to_admin(
    client,
    valid_form_data,
    front_desk_user,
    every_log_line,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    answers = {
        **valid_form_data,
        "first_name": FIRST_NAME,
        "last_name": LAST_NAME,
        "email": EMAIL,
        "phone": PHONE,
        "message": MESSAGE,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("consultations:create"), answers, follow=True)

    request = ConsultationRequest.objects.get()
    assert (request.first_name, request.phone) == (FIRST_NAME, "+14025550187")
    assert response.redirect_chain
    for url, _status in response.redirect_chain:
        assert_no_marker(url, "a redirect URL")
    assert len(mailoutbox) == 1

    # Staff open the list and the request, and mark it contacted.
    client.force_login(front_desk_user)
    changelist = reverse("admin:consultations_consultationrequest_changelist")
    change = reverse("admin:consultations_consultationrequest_change", args=[request.pk])
    assert client.get(changelist).status_code == 200
    detail = client.get(change)
    assert detail.status_code == 200
    assert FIRST_NAME in detail.content.decode()  # staff do see it; only there
    action = client.post(
        changelist,
        {"action": "mark_contacted", "_selected_action": [request.pk], "index": 0},
        follow=True,
    )
    assert action.status_code == 200
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.CONTACTED

    logged = every_log_line()
    assert_no_marker(logged, "the logs")
    for message in mailoutbox:
        everything = [message.subject, message.body, *message.to, *message.extra_headers.values()]
        everything += [content for content, _type in getattr(message, "alternatives", [])]
        assert_no_marker("\n".join(map(str, everything)), "an e-mail")
    for url, _status in action.redirect_chain:
        assert_no_marker(url, "an admin redirect URL")
    assert_no_marker(str(list(LogEntry.objects.values())), "the admin history")
    assert_no_marker(str(list(AuditEvent.objects.values())), "the audit log")
