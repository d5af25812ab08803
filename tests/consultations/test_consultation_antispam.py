"""Robot checks: honeypot, signed form time, per-client rate limit."""

import re
import time
import uuid
from datetime import UTC, datetime

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from consultations import antispam
from consultations.models import ConsultationRequest
from staff.models import NotificationOutbox
from tests.form_client import FormClient

URL = "/consultation/"
CALM = "We could not send your request. Please try again, or call the clinic."


def nothing_stored():
    return not ConsultationRequest.objects.exists() and not NotificationOutbox.objects.exists()


def fresh(data, aged_token):
    """The same answers from a new form page (new key, new started time)."""
    key = str(uuid.uuid4())
    return {**data, "submission_key": key, antispam.STARTED_FIELD: aged_token(key)}


def test_filled_honeypot_gets_a_calm_answer_and_stores_nothing(client, valid_form_data):
    valid_form_data["website"] = "http://spam.example"
    response = client.post(URL, valid_form_data)
    assert response.status_code == 200
    assert CALM in response.content.decode()
    assert nothing_stored()


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, CALM),
        ("not-a-token", CALM),
        ("MTc5NTQ1OTcwMw:1xVZ5T:forged-signature", CALM),
        ("fresh", "That was very fast"),
        ("stale", "This page was open a long time"),
    ],
)
def test_missing_forged_too_fast_or_expired_form_is_refused(
    client, valid_form_data, aged_token, token, message
):
    key = valid_form_data["submission_key"]
    tokens = {"fresh": antispam.make_token(key), "stale": aged_token(key, seconds=2 * 3600)}
    if token is None:
        del valid_form_data[antispam.STARTED_FIELD]
    else:
        valid_form_data[antispam.STARTED_FIELD] = tokens.get(token, token)
    response = client.post(URL, valid_form_data)
    assert message in response.content.decode()
    assert nothing_stored()


def test_started_time_signed_for_another_purpose_is_refused():
    forged = signing.dumps(int(time.time()) - 60, salt="some.other.form")
    with pytest.raises(antispam.SpamCheckFailed):
        antispam.check_token(forged, uuid.uuid4())


def test_one_pages_started_token_brings_in_one_request_only(client, valid_form_data):
    assert client.post(URL, valid_form_data).status_code == 302
    # The same token with made-up keys, as a script would replay it.
    for _ in range(20):
        replay = client.post(URL, {**valid_form_data, "submission_key": str(uuid.uuid4())})
        assert CALM in replay.content.decode()
    assert ConsultationRequest.objects.count() == 1
    assert NotificationOutbox.objects.count() == 1


def test_a_started_token_is_refused_with_any_key_but_its_pages(client, valid_form_data):
    valid_form_data["submission_key"] = str(uuid.uuid4())
    response = client.post(URL, valid_form_data)
    assert CALM in response.content.decode()
    assert nothing_stored()


def test_a_re_shown_form_can_be_sent_with_the_token_it_was_shown_with(
    client, valid_form_data, settings
):
    settings.CONSULTATION_MIN_SECONDS = 0
    valid_form_data["consent"] = ""
    html = client.post(URL, valid_form_data).content.decode()
    token = re.search(rf'name="{antispam.STARTED_FIELD}" value="([^"]+)"', html)[1]
    key = valid_form_data["submission_key"].upper()  # as a browser may echo it
    answers = {**valid_form_data, "consent": "on", "submission_key": key}
    assert client.post(URL, {**answers, antispam.STARTED_FIELD: token}).status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_min_seconds_zero_turns_the_speed_check_off(client, valid_form_data, settings):
    settings.CONSULTATION_MIN_SECONDS = 0
    valid_form_data[antispam.STARTED_FIELD] = antispam.make_token(valid_form_data["submission_key"])
    assert client.post(URL, valid_form_data).status_code == 302


def test_sixth_request_in_an_hour_is_refused_and_tells_how_to_call(
    client, valid_form_data, aged_token, bellevue, gretna
):
    bellevue.phone = "402-555-0100"
    bellevue.save()
    for _ in range(5):
        assert client.post(URL, fresh(valid_form_data, aged_token)).status_code == 302
    response = client.post(URL, fresh(valid_form_data, aged_token))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Please call the clinic" in html
    # The clinic phone staff entered is shown; a clinic without one is not listed.
    assert 'href="tel:402-555-0100"' in html
    assert "Gretna:" not in html
    assert ConsultationRequest.objects.count() == 5
    other = client.post(URL, fresh(valid_form_data, aged_token), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302


def test_rate_limit_holds_across_two_clients_sharing_one_cache(
    valid_form_data, aged_token, settings
):
    settings.CONSULTATION_RATE_LIMIT = "2/h"
    # Two separate clients (as two gunicorn workers would see them), one address.
    first, second = FormClient(), FormClient()
    assert first.post(URL, fresh(valid_form_data, aged_token)).status_code == 302
    assert second.post(URL, fresh(valid_form_data, aged_token)).status_code == 302
    assert first.post(URL, fresh(valid_form_data, aged_token)).status_code == 429
    assert second.post(URL, fresh(valid_form_data, aged_token)).status_code == 429
    assert ConsultationRequest.objects.count() == 2


def test_rate_limit_off_lets_everything_through(client, valid_form_data, aged_token, settings):
    settings.CONSULTATION_RATE_LIMIT = "off"
    for _ in range(8):
        assert client.post(URL, fresh(valid_form_data, aged_token)).status_code == 302


@pytest.mark.parametrize(
    ("value", "expected"), [("5/h", (5, 3600)), ("10 / m", (10, 60)), ("OFF", None)]
)
def test_rate_setting_is_read_like_5_per_hour(value, expected):
    assert antispam.parse_rate(value) == expected


@pytest.mark.parametrize("value", ["5", "five/h", "0/h", "5/week", ""])
def test_a_mistyped_rate_setting_is_reported(value):
    with pytest.raises(ImproperlyConfigured, match="CONSULTATION_RATE_LIMIT"):
        antispam.parse_rate(value)


def test_invalid_forms_do_not_use_up_the_allowance(client, valid_form_data, aged_token):
    valid_form_data["consent"] = ""
    for _ in range(10):
        client.post(URL, valid_form_data)
    valid_form_data["consent"] = "on"
    assert client.post(URL, fresh(valid_form_data, aged_token)).status_code == 302


def test_rate_limit_uses_the_trusted_proxy_hop(client, valid_form_data, aged_token, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    # The left-most entry is the caller's to forge; only the proxy's own entry counts.
    forwarded = {**proxy, "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.5"}
    assert client.post(URL, fresh(valid_form_data, aged_token), **forwarded).status_code == 302
    forged = {**proxy, "HTTP_X_FORWARDED_FOR": "2.2.2.2, 203.0.113.5"}
    assert client.post(URL, fresh(valid_form_data, aged_token), **forged).status_code == 429
    other = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.6"}
    assert client.post(URL, fresh(valid_form_data, aged_token), **other).status_code == 302


def test_a_caller_straight_at_the_server_cannot_pick_fresh_addresses(
    client, valid_form_data, aged_token, settings
):
    # The site sits behind a proxy, but this caller reaches the server around it.
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.CONSULTATION_RATE_LIMIT = "5/h"
    answers = [
        client.post(
            URL,
            fresh(valid_form_data, aged_token),
            REMOTE_ADDR="198.51.100.9",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(6)
    ]
    assert answers == [302] * 5 + [429]
    assert ConsultationRequest.objects.count() == 5


def test_addresses_of_one_ipv6_slash_64_share_one_allowance(
    client, valid_form_data, aged_token, settings
):
    settings.CONSULTATION_RATE_LIMIT = "5/h"
    answers = [
        client.post(
            URL, fresh(valid_form_data, aged_token), REMOTE_ADDR=f"2001:db8:5:6::{n + 1:x}"
        ).status_code
        for n in range(7)
    ]
    assert answers == [302] * 5 + [429] * 2
    other = client.post(URL, fresh(valid_form_data, aged_token), REMOTE_ADDR="2001:db8:5:7::1")
    assert other.status_code == 302


def test_rate_limit_key_does_not_reveal_the_address(rf):
    request = rf.post(URL, REMOTE_ADDR="203.0.113.5")
    antispam.check_rate_limit(request)
    key = antispam._rate_key(request, 3600, time.time())
    assert "203.0.113.5" not in key
    assert cache.get(f"{key}:0") == 1


def test_cache_outage_lets_the_request_through(client, valid_form_data, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(cache, "add", down)
    monkeypatch.setattr(cache, "get_many", down)
    assert client.post(URL, valid_form_data).status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_a_mistyped_rate_setting_never_costs_a_patients_request(
    client, valid_form_data, settings, caplog
):
    settings.CONSULTATION_RATE_LIMIT = "5/hour"
    assert client.post(URL, valid_form_data).status_code == 302
    assert ConsultationRequest.objects.count() == 1
    assert "CONSULTATION_RATE_LIMIT is mistyped" in caplog.text


def test_the_allowance_lasts_the_whole_hour_on_the_database_cache(
    client, valid_form_data, aged_token, settings, monkeypatch
):
    # The database cache is the default without Redis. Its incr() would also cut a
    # counter's lifetime to the cache's default five minutes.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "rate_limit_test_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    settings.CONSULTATION_RATE_LIMIT = "2/h"
    hour_start = (int(time.time()) // 3600 + 1) * 3600
    clock = [hour_start + 1]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    monkeypatch.setattr(timezone, "now", lambda: datetime.fromtimestamp(clock[0], tz=UTC))

    for _ in range(2):
        assert client.post(URL, fresh(valid_form_data, aged_token)).status_code == 302
    clock[0] += 20 * 60
    assert client.post(URL, fresh(valid_form_data, aged_token)).status_code == 429
    clock[0] = hour_start + 3600 + 1  # the next hour: a new allowance
    assert client.post(URL, fresh(valid_form_data, aged_token)).status_code == 302
    assert ConsultationRequest.objects.count() == 3


def test_a_form_wide_refusal_is_in_the_focused_error_summary_once(client, valid_form_data):
    valid_form_data[antispam.STARTED_FIELD] = antispam.make_token(
        valid_form_data["submission_key"]
    )  # sent at once
    html = client.post(URL, valid_form_data).content.decode()
    summary = html.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert "Your request was not sent" in summary
    assert "That was very fast." in summary
    assert html.count("That was very fast.") == 1
    assert nothing_stored()
