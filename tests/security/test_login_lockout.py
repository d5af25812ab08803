"""Repeated failed sign-ins pause sign-in for a username at one address, and for an address
whatever usernames it tries (django-axes); a username attacked from many addresses is
slowed down for addresses it never signed in from, never locked (modsite/signin.py)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import F, Sum

# Failures an address may have, whatever usernames it tries (a test value, apart from the
# 5 for one username at one address, so the tests tell the two limits apart).
ADDRESS_LIMIT = 8


@pytest.fixture(autouse=True)
def _lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = ADDRESS_LIMIT
    settings.SIGN_IN_SLOWDOWN_MAX_SECONDS = 60
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


def is_slowed_down(response):
    return (
        response.status_code == 429
        and b"wait" in response.content
        and response.has_header("Retry-After")
    )


def failures_recorded():
    return AccessAttempt.objects.aggregate(total=Sum("failures_since_start"))["total"] or 0


def let_time_pass(seconds):
    """As if `seconds` had passed since every failure so far (axes stamps them itself)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


@pytest.fixture
def known_address(client, sign_in, staff_user, staff_password):
    """An address the staff member has signed in from before (then signed out)."""
    address = "203.0.113.10"
    assert sign_in(staff_user.username, staff_password, ip=address).status_code == 302
    client.logout()
    return address


def attack(sign_in, username, addresses):
    """One wrong password from each address, waiting out each slow-down as a patient
    attacker would, so that every guess is really checked."""
    for n in range(addresses):
        response = sign_in(username, "wrong-password", ip=f"198.51.100.{n}")
        if response.has_header("Retry-After"):
            let_time_pass(int(response["Retry-After"]))
            response = sign_in(username, "wrong-password", ip=f"198.51.100.{n}")
        assert response.status_code == 200


@pytest.mark.django_db
def test_wrong_passwords_from_many_addresses_do_not_lock_the_owner_out_of_their_own(
    sign_in, staff_user, staff_password, known_address
):
    attack(sign_in, staff_user.username, addresses=6)

    response = sign_in(staff_user.username, staff_password, ip=known_address)

    assert response.status_code == 302


@pytest.mark.django_db
def test_a_username_under_attack_makes_new_addresses_wait_seconds_not_30_minutes(
    sign_in, staff_user, staff_password
):
    attack(sign_in, staff_user.username, addresses=6)

    response = sign_in(staff_user.username, staff_password, ip="192.0.2.200")

    assert is_slowed_down(response)
    assert "_auth_user_id" not in response.client.session
    wait = int(response["Retry-After"])
    assert 0 < wait <= 60
    assert f"{wait} second".encode() in response.content
    let_time_pass(wait)
    assert sign_in(staff_user.username, staff_password, ip="192.0.2.200").status_code == 302


@pytest.mark.django_db
def test_while_a_username_is_slowed_down_guesses_are_not_even_checked(sign_in, staff_user):
    attack(sign_in, staff_user.username, addresses=6)
    before = failures_recorded()

    for n in range(10):
        assert is_slowed_down(sign_in(staff_user.username, "guess", ip=f"192.0.2.{n}"))

    assert failures_recorded() == before


@pytest.mark.django_db
def test_the_wait_grows_with_each_failure_up_to_its_cap(sign_in, staff_user):
    waits = []
    for failures in (5, 7, 9, 20):
        attack(sign_in, staff_user.username, addresses=failures - failures_recorded())
        waits.append(int(sign_in(staff_user.username, "guess", ip="192.0.2.99")["Retry-After"]))

    assert waits[0] < waits[1] < waits[2] < waits[3] == 60


@pytest.mark.django_db
def test_one_person_mistyping_does_not_lock_colleagues_at_the_same_address(
    sign_in, staff_user, staff_password
):
    # The clinic's computers share one address.
    for _ in range(5):
        sign_in("nurse", "wrong-password", ip="192.0.2.7")

    assert is_locked_out(sign_in("nurse", "wrong-password", ip="192.0.2.7"))
    assert sign_in(staff_user.username, staff_password, ip="192.0.2.7").status_code == 302


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
def test_an_address_is_locked_whatever_usernames_it_tries(sign_in, staff_user, staff_password):
    for n in range(ADDRESS_LIMIT):
        sign_in(f"guess{n}", "wrong-password", ip="192.0.2.7")

    assert is_locked_out(sign_in(staff_user.username, staff_password, ip="192.0.2.7"))


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_address_lockout(sign_in):
    for n in range(ADDRESS_LIMIT):
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
    for n in range(ADDRESS_LIMIT):
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
    for n in range(ADDRESS_LIMIT):
        forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}
        sign_in(f"guess{n}", "wrong-password", ip="192.0.2.7", **forged)

    assert is_locked_out(
        sign_in("guess9", "wrong-password", ip="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    )


@pytest.mark.django_db
def test_addresses_of_one_ipv6_slash_64_share_one_lockout(sign_in, staff_user, staff_password):
    for n in range(1, ADDRESS_LIMIT + 1):
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
