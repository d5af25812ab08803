"""`manage.py enrol_totp <username>` gives a staff member an authenticator device."""

from base64 import b32decode
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def enrol(*args):
    out = StringIO()
    call_command("enrol_totp", *args, stdout=out)
    return out.getvalue()


def otpauth_url(output):
    return next(line for line in output.splitlines() if line.startswith("otpauth://"))


@pytest.mark.django_db
def test_enrol_creates_a_confirmed_device_and_prints_its_setup_link_and_qr_code(staff_user):
    output = enrol(staff_user.username)

    device = TOTPDevice.objects.get(user=staff_user)
    assert device.confirmed
    url = urlsplit(otpauth_url(output))
    assert url.scheme == "otpauth" and url.netloc == "totp"
    assert url.path == f"/MOD%20Dermatology%3A{staff_user.username}"
    # The secret in the link is the device's key: an app set up from it makes valid codes.
    secret = b32decode(parse_qs(url.query)["secret"][0])
    assert device.verify_token(f"{totp(secret):06d}")
    # The QR code is drawn with Unicode block characters.
    assert sum(output.count(block) for block in "█▀▄") > 100


@pytest.mark.django_db
def test_enrol_refuses_a_second_device_unless_asked_to_replace(staff_user):
    enrol(staff_user.username)
    old_key = TOTPDevice.objects.get(user=staff_user).key

    with pytest.raises(CommandError, match="already has"):
        enrol(staff_user.username)
    enrol(staff_user.username, "--replace")

    device = TOTPDevice.objects.get(user=staff_user)
    assert device.key != old_key


@pytest.mark.django_db
def test_enrol_refuses_unknown_and_non_staff_users():
    User.objects.create_user("patient-portal", password="x" * 16)

    with pytest.raises(CommandError, match="No user"):
        enrol("nobody")
    with pytest.raises(CommandError, match="not staff"):
        enrol("patient-portal")
    assert not TOTPDevice.objects.exists()
