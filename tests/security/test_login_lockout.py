"""Repeated failed sign-ins pause sign-in, per username and per address (django-axes)."""

import pytest
from django.contrib.auth.models import User


@pytest.fixture(autouse=True)
def _lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.STAFF_REQUIRE_2FA = False
    settings.TRUSTED_PROXIES = ["127.0.0.0/8", "::1/128"]


@pytest.fixture
def sign_in(client, admin_login_url):
    def attempt(username, password, ip="203.0.113.10", **headers):
        return client.post(
            admin_login_url,
            {"username": username, "password": password},
            REMOTE_ADDR=ip,
            **headers,
        )

    return attempt


def is_locked_out(response):
    return response.status_code == 429 and b"Sign-in is paused" in response.content


@pytest.mark.django_db
def test_five_wrong_passwords_pause_sign_in_even_with_the_right_one(
    sign_in, staff_user, staff_password
):
    for _ in range(4):
        assert sign_in(staff_user.username, "wrong-password").status_code == 200
    assert is_locked_out(sign_in(staff_user.username, "wrong-password"))

    response = sign_in(staff_user.username, staff_password)

    assert is_locked_out(response)
    assert "_auth_user_id" not in response.client.session
    assert b"30 minutes" in response.content


@pytest.mark.django_db
def test_a_username_is_locked_whatever_address_the_attempts_come_from(
    sign_in, staff_user, staff_password
):
    for n in range(5):
        sign_in(staff_user.username, "wrong-password", ip=f"198.51.100.{n}")

    assert is_locked_out(sign_in(staff_user.username, staff_password, ip="198.51.100.99"))


@pytest.mark.django_db
def test_an_address_is_locked_whatever_usernames_it_tries(sign_in, staff_user, staff_password):
    for n in range(5):
        sign_in(f"guess{n}", "wrong-password", ip="192.0.2.7")

    assert is_locked_out(sign_in(staff_user.username, staff_password, ip="192.0.2.7"))


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_address_lockout(sign_in):
    for n in range(5):
        sign_in(f"guess{n}", "wrong-password", ip="192.0.2.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    assert is_locked_out(
        sign_in("guess9", "wrong-password", ip="192.0.2.7", HTTP_X_FORWARDED_FOR="10.0.0.9")
    )


@pytest.mark.django_db
def test_other_staff_at_other_addresses_can_still_sign_in(sign_in, staff_user, staff_password):
    for _ in range(5):
        sign_in("someone-else", "wrong-password", ip="192.0.2.7")
    User.objects.create_user("nurse", password=staff_password, is_staff=True)

    response = sign_in("nurse", staff_password, ip="203.0.113.50")

    assert response.status_code == 302


@pytest.mark.django_db
def test_fewer_failures_than_the_limit_do_not_lock(sign_in, staff_user, staff_password):
    for _ in range(4):
        sign_in(staff_user.username, "wrong-password")

    assert sign_in(staff_user.username, staff_password).status_code == 302


@pytest.mark.django_db
def test_behind_our_proxy_the_address_it_saw_is_locked_not_the_proxy(
    settings, sign_in, staff_user, staff_password
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = "10.0.0.1"
    for n in range(5):
        sign_in(f"guess{n}", "wrong-password", ip=proxy, HTTP_X_FORWARDED_FOR="192.0.2.7")

    attacker = sign_in("guess9", "wrong-password", ip=proxy, HTTP_X_FORWARDED_FOR="192.0.2.7")
    colleague = sign_in(
        staff_user.username, staff_password, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )

    assert is_locked_out(attacker)
    assert colleague.status_code == 302


@pytest.mark.django_db
def test_a_caller_straight_at_the_server_cannot_escape_the_lockout_by_forwarded_for(
    settings, sign_in
):
    # A proxy is configured, but this caller connects directly, around it.
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(5):
        forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}
        sign_in(f"guess{n}", "wrong-password", ip="192.0.2.7", **forged)

    assert is_locked_out(
        sign_in("guess9", "wrong-password", ip="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    )


@pytest.mark.django_db
def test_addresses_of_one_ipv6_slash_64_share_one_lockout(sign_in, staff_user, staff_password):
    for n in range(1, 6):
        sign_in(f"guess{n}", "wrong-password", ip=f"2001:db8:1:2::{n:x}")

    assert is_locked_out(sign_in("guess9", "wrong-password", ip="2001:db8:1:2:ffff::9"))
    neighbour = sign_in(staff_user.username, staff_password, ip="2001:db8:1:3::1")
    assert neighbour.status_code == 302


@pytest.mark.django_db
def test_failed_sign_ins_log_neither_what_was_typed_nor_the_address(sign_in, log_lines):
    # Staff sometimes type a password into the username box.
    for _ in range(5):
        sign_in("Correct-Horse-Battery-9", "another-secret-guess", ip="192.0.2.7")

    raw, lines = log_lines()
    assert any(line["logger"].startswith("axes") for line in lines)
    for typed in ("Correct-Horse-Battery-9", "another-secret-guess", "192.0.2.7"):
        assert typed not in raw
