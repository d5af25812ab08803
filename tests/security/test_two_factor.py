"""With STAFF_REQUIRE_2FA on, the admin needs a password and an authenticator code."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.STAFF_REQUIRE_2FA = True


@pytest.fixture
def device(staff_user):
    return TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def wrong_code(device):
    return f"{(int(current_code(device)) + 1) % 1_000_000:06d}"


def test_two_factor_is_on_by_default_in_production(load_production_settings, monkeypatch):
    monkeypatch.delenv("STAFF_REQUIRE_2FA", raising=False)

    assert load_production_settings().STAFF_REQUIRE_2FA is True


@pytest.mark.django_db
def test_password_alone_does_not_open_the_admin(client, admin_login_url, staff_user, device):
    client.force_login(staff_user)  # signed in with a password only

    response = client.get(admin_login_url.removesuffix("login/"))

    assert response.status_code == 302
    assert response["Location"].startswith(admin_login_url)


@pytest.mark.django_db
def test_sign_in_without_a_code_is_refused(
    client, admin_login_url, staff_user, staff_password, device
):
    response = client.post(
        admin_login_url, {"username": staff_user.username, "password": staff_password}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_with_a_wrong_code_is_refused(
    client, admin_login_url, staff_user, staff_password, device
):
    response = client.post(
        admin_login_url,
        {
            "username": staff_user.username,
            "password": staff_password,
            "otp_token": wrong_code(device),
        },
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_without_a_device_cannot_sign_in(client, admin_login_url, staff_user, staff_password):
    response = client.post(
        admin_login_url,
        {"username": staff_user.username, "password": staff_password, "otp_token": "123456"},
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_and_current_code_open_the_admin(
    client, admin_login_url, staff_user, staff_password, device
):
    response = client.post(
        admin_login_url,
        {
            "username": staff_user.username,
            "password": staff_password,
            "otp_token": current_code(device),
        },
    )

    assert response.status_code == 302
    assert client.get(admin_login_url.removesuffix("login/")).status_code == 200


@pytest.mark.django_db
def test_with_two_factor_off_a_password_is_enough(
    settings, client, admin_login_url, staff_user, staff_password
):
    settings.STAFF_REQUIRE_2FA = False

    response = client.post(
        admin_login_url, {"username": staff_user.username, "password": staff_password}
    )

    assert response.status_code == 302
    assert client.get(admin_login_url.removesuffix("login/")).status_code == 200


@pytest.mark.django_db
def test_guessing_codes_is_slowed_down(client, admin_login_url, staff_user, staff_password, device):
    # A wrong code makes the device refuse every code for a while, even the right one.
    credentials = {"username": staff_user.username, "password": staff_password}
    client.post(admin_login_url, {**credentials, "otp_token": wrong_code(device)})

    response = client.post(admin_login_url, {**credentials, "otp_token": current_code(device)})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_wrong_code_reads_like_a_wrong_password(
    client, admin_login_url, staff_user, staff_password, device
):
    def error_after(password, code):
        response = client.post(
            admin_login_url,
            {"username": staff_user.username, "password": password, "otp_token": code},
        )
        return response.context["form"].non_field_errors()

    assert error_after(staff_password, wrong_code(device)) == error_after("wrong", "123456")


@pytest.mark.django_db
def test_repeated_wrong_codes_pause_sign_in_like_wrong_passwords(
    settings, client, admin_login_url, staff_user, staff_password, device
):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    credentials = {"username": staff_user.username, "password": staff_password}
    for _ in range(5):
        response = client.post(admin_login_url, {**credentials, "otp_token": wrong_code(device)})
    assert response.status_code == 429
    assert b"Sign-in is paused" in response.content
