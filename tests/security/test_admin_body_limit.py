"""Only signed-in staff may send the site more than a small form: the admin's sign-in page
and every other admin address refuse an anonymous upload or a large body from the headers,
before anything reads (or spools to disk) the body."""

import pytest
from django.contrib.auth.models import User

from modsite.middleware import PUBLIC_BODY_MAX_BYTES
from tests.form_client import FormClient

pytestmark = pytest.mark.django_db

THREE_MB = 3 * 1024 * 1024


class UnreadableBody:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.fixture
def client():
    return FormClient(raise_request_exception=True)


def send_unread(client, path, content_type, **headers):
    return client.generic(
        "POST", path, CONTENT_TYPE=content_type, **{"wsgi.input": UnreadableBody()}, **headers
    )


@pytest.fixture
def admin_paths(settings):
    admin = f"/{settings.ADMIN_URL}"
    return [f"{admin}login/", admin, f"{admin}pages/location/add/"]


def test_an_anonymous_three_megabyte_upload_to_the_admin_is_refused_unread(client, admin_paths):
    for path in admin_paths:
        response = send_unread(
            client, path, "multipart/form-data; boundary=xyz", CONTENT_LENGTH=str(THREE_MB)
        )

        assert response.status_code == 415, path
        assert "typed answers only, not files" in response.content.decode()


def test_an_anonymous_body_over_the_public_cap_to_the_admin_is_refused_unread(client, admin_paths):
    for path in admin_paths:
        response = send_unread(
            client,
            path,
            "application/x-www-form-urlencoded",
            CONTENT_LENGTH=str(PUBLIC_BODY_MAX_BYTES + 1),
        )

        assert response.status_code == 413, path
        assert response["Content-Type"].startswith("text/html")
        assert "much bigger than our form can take" in response.content.decode()


@pytest.mark.parametrize("path", ["/consultation/", "/{admin}login/"])
def test_a_chunked_body_without_a_length_is_refused_unread(client, settings, path):
    response = send_unread(
        client,
        path.format(admin=settings.ADMIN_URL),
        "application/x-www-form-urlencoded",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert response.status_code == 413
    assert "much bigger than our form can take" in response.content.decode()


def test_a_signed_in_user_who_is_not_staff_is_held_to_the_public_cap(client, admin_paths):
    client.force_login(User.objects.create_user("patient-portal", password="x" * 16))

    response = send_unread(
        client, admin_paths[2], "multipart/form-data; boundary=xyz", CONTENT_LENGTH=str(THREE_MB)
    )

    assert response.status_code == 415


def test_the_sign_in_form_itself_still_works(client, settings):
    User.objects.create_user("frontdesk", password="a-long-staff-passphrase-42", is_staff=True)

    response = client.post(
        f"/{settings.ADMIN_URL}login/",
        {"username": "frontdesk", "password": "a-long-staff-passphrase-42"},
    )

    assert response.status_code == 302
