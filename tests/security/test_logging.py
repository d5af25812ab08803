"""Logs are JSON lines with enough context to debug, and carry nothing a patient sent."""

import logging

import pytest
from django.http import HttpResponse
from django.urls import path
from django.utils.log import AdminEmailHandler

import modsite.urls
from tests.form_client import FormClient

NAME = "Zelda Quartermain"
EMAIL = "zelda.q@example.org"
PHONE = "402-555-0199"
MESSAGE = "My rash got worse after the peel"

logger = logging.getLogger("consultations.example")


def failing_view(request):
    # Like a database error that quotes the values it could not store.
    raise ValueError(f"could not save {request.POST['name']!r} <{request.POST['email']}>")


def reformatting_view(request):
    digits = "".join(c for c in request.POST["phone"] if c.isdigit())
    raise ValueError(f"duplicate key (phone)=(+1{digits})")


def chatty_view(request):
    logger.warning(
        "request from %s (%s): %s",
        request.POST["name"],
        request.GET["phone"],
        request.POST["message"],
    )
    return HttpResponse("ok")


# The site's own routes too: the 500 page links to them.
urlpatterns = [
    path("fail/", failing_view),
    path("chatty/", chatty_view),
    path("reformatting/", reformatting_view),
    *modsite.urls.urlpatterns,
]


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def client():
    return FormClient(raise_request_exception=False)


def post_patient_details(client, url):
    return client.post(
        f"{url}?phone={PHONE}&email={EMAIL}",
        {"name": NAME, "email": EMAIL, "message": MESSAGE},
    )


def assert_no_patient_data(raw):
    for value in (NAME, "Zelda", EMAIL, PHONE, MESSAGE, "rash"):
        assert value not in raw


@pytest.mark.django_db
def test_a_server_error_is_logged_with_its_context(client, log_lines):
    response = post_patient_details(client, "/fail/")

    assert response.status_code == 500
    _raw, lines = log_lines()
    [error] = [line for line in lines if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["status"] == 500
    assert error["method"] == "POST"
    assert error["path"] == "/fail/"
    assert error["exc_type"] == "ValueError"
    assert "Traceback (most recent call last)" in error["traceback"]
    assert "in failing_view" in error["traceback"]
    assert error["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_a_server_error_log_holds_no_patient_data(client, log_lines):
    post_patient_details(client, "/fail/")

    raw, lines = log_lines()
    assert lines
    assert_no_patient_data(raw)
    assert "[redacted]" in raw


@pytest.mark.django_db
def test_a_phone_number_is_masked_even_when_reformatted(client, log_lines):
    client.post("/reformatting/", {"phone": "(402) 555-0199"})

    raw, _lines = log_lines()
    assert "duplicate key (phone)=([redacted])" in raw
    assert "5550199" not in raw


@pytest.mark.django_db
def test_values_a_patient_sent_are_masked_in_any_log_line(client, log_lines):
    response = post_patient_details(client, "/chatty/")

    assert response.status_code == 200
    raw, lines = log_lines()
    [line] = [line for line in lines if line["logger"] == "consultations.example"]
    assert line["message"] == "request from [redacted] ([redacted]): [redacted]"
    assert_no_patient_data(raw)


def test_query_strings_and_email_addresses_never_reach_the_log(log_lines):
    logging.getLogger("django.server").info(
        '"%s" %s %s',
        f"GET /bellevue/?email={EMAIL}&name=Zelda HTTP/1.1",
        200,
        512,
        extra={"request": object(), "status_code": 200},
    )
    logger.info("mail to %s failed", "frontdesk@example.com")

    raw, lines = log_lines()
    assert lines[0]["message"] == '"GET /bellevue/?[redacted] HTTP/1.1" 200 512'
    assert lines[1]["message"] == "mail to [redacted] failed"
    assert_no_patient_data(raw)
    assert "frontdesk@example.com" not in raw


def test_each_line_is_one_json_object_with_time_level_and_logger(log_lines):
    logger.info("outbox: %d sent, %d waiting", 3, 1)

    _raw, [line] = log_lines()
    assert line["message"] == "outbox: 3 sent, 1 waiting"
    assert line["level"] == "INFO"
    assert line["logger"] == "consultations.example"
    assert line["time"].endswith("+00:00")


def test_errors_are_never_e_mailed_with_the_request_attached():
    # Django's default AdminEmailHandler would mail a 500's full form data to ADMINS.
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]

    assert not [
        (logger.name, handler)
        for logger in loggers
        for handler in logger.handlers
        if isinstance(handler, AdminEmailHandler)
    ]
