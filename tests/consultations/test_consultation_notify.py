"""Staff notifications: sent after commit, kept in the outbox when mail fails, and never
carrying patient details."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from consultations.models import ConsultationRequest
from staff import outbox
from staff.models import NotificationOutbox

URL = "/consultation/"
PATIENT_DETAILS = ("Jane", "Patient", "555", "0123", "jane.patient", "Tuesdays", "sotretinoin")
DOWN = "tests.consultations.failing_mail.DownEmailBackend"


@pytest.fixture
def mail_down(settings):
    settings.EMAIL_BACKEND = DOWN


def submit(client, valid_form_data, capture):
    with capture(execute=True):
        return client.post(URL, valid_form_data)


def test_staff_mail_goes_out_after_commit_without_patient_details(
    client, valid_form_data, django_capture_on_commit_callbacks, bellevue
):
    response = submit(client, valid_form_data, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["frontdesk@example.com"]
    assert "Bellevue" in message.subject
    saved = ConsultationRequest.objects.get()
    assert (
        f"https://www.example.org/admin/consultations/consultationrequest/{saved.pk}/change/"
        in (message.body)
    )
    text = message.subject + message.body
    for detail in PATIENT_DETAILS:
        assert detail not in text
    row = NotificationOutbox.objects.get()
    assert row.state == NotificationOutbox.State.SENT
    assert row.recipient == "frontdesk@example.com"
    assert row.attempts == 1


def test_location_address_wins_over_the_site_wide_one(
    client, valid_form_data, django_capture_on_commit_callbacks, bellevue
):
    bellevue.notification_email = "bellevue@example.com"
    bellevue.save()
    submit(client, valid_form_data, django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["bellevue@example.com"]


def test_no_mail_is_sent_before_the_transaction_commits(client, valid_form_data):
    # Without running on-commit callbacks (the transaction never commits in this test).
    client.post(URL, valid_form_data)
    assert mail.outbox == []
    assert NotificationOutbox.objects.get().state == NotificationOutbox.State.PENDING


def test_mail_outage_keeps_the_request_and_the_outbox_row(
    client, valid_form_data, django_capture_on_commit_callbacks, mail_down, caplog
):
    with caplog.at_level(logging.INFO):
        response = submit(client, valid_form_data, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/consultation/thanks/"
    assert ConsultationRequest.objects.count() == 1
    row = NotificationOutbox.objects.get()
    assert row.state == NotificationOutbox.State.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at > timezone.now()
    assert "SMTPConnectError" in row.last_error
    assert "failed (attempt 1, SMTPConnectError)" in caplog.text
    for detail in PATIENT_DETAILS:
        assert detail not in caplog.text


def test_smtp_outage_then_retry_command_sends_exactly_one_email(
    client, valid_form_data, django_capture_on_commit_callbacks, settings, mailoutbox
):
    settings.EMAIL_BACKEND = DOWN
    response = submit(client, valid_form_data, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert ConsultationRequest.objects.count() == 1
    assert mailoutbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Not due yet: the back-off holds it.
    call_command("send_notifications")
    assert mailoutbox == []
    NotificationOutbox.objects.update(next_attempt_at=timezone.now())
    call_command("send_notifications")
    call_command("send_notifications")
    assert len(mailoutbox) == 1
    row = NotificationOutbox.objects.get()
    assert row.state == NotificationOutbox.State.SENT
    assert row.attempts == 2
    assert row.last_error == ""


def test_gives_up_after_the_last_attempt(make_request, mail_down, settings, caplog):
    settings.CONSULTATION_NOTIFY_MAX_ATTEMPTS = 3
    row = NotificationOutbox.objects.create_for(make_request())
    for attempt in range(1, 4):
        NotificationOutbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert outbox.send_due() == (0, 1)
        row.refresh_from_db()
        assert row.attempts == attempt
    assert row.state == NotificationOutbox.State.FAILED
    assert "giving up" in caplog.text
    NotificationOutbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert outbox.send_due() == (0, 0)


def test_back_off_grows_with_each_failure(make_request, mail_down, settings):
    settings.CONSULTATION_NOTIFY_MAX_ATTEMPTS = 10
    row = NotificationOutbox.objects.create_for(make_request())
    waits = []
    for _ in range(3):
        NotificationOutbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        outbox.send_due()
        row.refresh_from_db()
        waits.append(row.next_attempt_at - before)
    assert waits[0] < waits[1] < waits[2]


def test_missing_recipient_stays_in_the_outbox_until_one_is_set(make_request, settings):
    settings.CONSULTATION_NOTIFY_EMAIL = ""
    row = NotificationOutbox.objects.create_for(make_request())
    assert outbox.send_due() == (0, 1)
    row.refresh_from_db()
    assert row.state == NotificationOutbox.State.PENDING
    assert "No address to notify" in row.last_error
    settings.CONSULTATION_NOTIFY_EMAIL = "frontdesk@example.com"
    NotificationOutbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert outbox.send_due() == (1, 0)


def test_a_claimed_row_is_not_claimed_again_until_its_lease_ends(make_request):
    row = NotificationOutbox.objects.create_for(make_request())
    assert outbox.claim() == [row.pk]
    assert outbox.claim() == []
    later = timezone.now() + outbox.LEASE + timedelta(seconds=1)
    assert outbox.claim(now=later) == [row.pk]


def test_a_worker_that_dies_mid_send_is_covered_by_the_lease(make_request):
    row = NotificationOutbox.objects.create_for(make_request())
    outbox.claim()  # ...and the process is killed before sending.
    later = timezone.now() + outbox.LEASE + timedelta(seconds=1)
    ids = outbox.claim(now=later)
    assert outbox.send_claimed(ids) == (1, 0)
    row.refresh_from_db()
    assert row.state == NotificationOutbox.State.SENT
    assert len(mail.outbox) == 1


def test_sent_rows_are_never_sent_again(make_request):
    NotificationOutbox.objects.create_for(make_request())
    assert outbox.send_due() == (1, 0)
    NotificationOutbox.objects.update(next_attempt_at=timezone.now() - timedelta(days=1))
    assert outbox.send_due() == (0, 0)
    assert len(mail.outbox) == 1


def test_one_bad_row_does_not_stop_the_others(make_request, make_location, settings):
    settings.CONSULTATION_NOTIFY_EMAIL = ""
    omaha = make_location("Omaha", notification_email="omaha@example.com")
    NotificationOutbox.objects.create_for(make_request())  # Bellevue: nobody to tell
    NotificationOutbox.objects.create_for(make_request(location=omaha))
    assert outbox.send_due() == (1, 1)
    assert mail.outbox[0].to == ["omaha@example.com"]


def test_a_sender_that_loses_races_keeps_taking_other_due_rows(make_request, monkeypatch):
    for _ in range(4):
        NotificationOutbox.objects.create_for(make_request())
    original_filter = NotificationOutbox.objects.filter
    stolen = []

    def other_sender_wins_the_first_two(*args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None and len(stolen) < 2 and pk not in stolen:
            stolen.append(pk)
            original_filter(pk=pk).update(
                state=NotificationOutbox.State.SENDING,
                lease_until=timezone.now() + outbox.LEASE,
            )
        return original_filter(*args, **kwargs)

    monkeypatch.setattr(NotificationOutbox.objects, "filter", other_sender_wins_the_first_two)
    claimed = outbox.claim(limit=2)
    assert len(claimed) == 2
    assert not set(claimed) & set(stolen)


def test_the_try_inside_the_patients_request_waits_briefly_the_retry_command_fully(
    client, valid_form_data, django_capture_on_commit_callbacks, settings, make_request
):
    from tests.consultations.failing_mail import TimeoutRecordingBackend

    settings.EMAIL_BACKEND = "tests.consultations.failing_mail.TimeoutRecordingBackend"
    TimeoutRecordingBackend.timeouts.clear()
    submit(client, valid_form_data, django_capture_on_commit_callbacks)
    assert TimeoutRecordingBackend.timeouts == [outbox.INLINE_TIMEOUT_SECONDS]

    TimeoutRecordingBackend.timeouts.clear()
    NotificationOutbox.objects.create_for(make_request())
    call_command("send_notifications")
    assert TimeoutRecordingBackend.timeouts == [None]  # EMAIL_TIMEOUT, the full wait


def test_waits_between_tries_stop_growing_at_an_hour(make_request, mail_down, settings):
    settings.CONSULTATION_NOTIFY_MAX_ATTEMPTS = 20
    row = NotificationOutbox.objects.create_for(make_request())
    for _ in range(9):
        NotificationOutbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        outbox.send_due()
    row.refresh_from_db()
    assert timedelta(minutes=59) < row.next_attempt_at - before < timedelta(minutes=61)
    assert row.state == NotificationOutbox.State.PENDING
