"""Public pages refuse file uploads and oversized bodies from the headers alone, before
the body is read; the staff admin still takes location photos."""

import io
import os
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from consultations.models import ConsultationRequest
from modsite.middleware import PUBLIC_BODY_MAX_BYTES
from tests.form_client import FormClient

pytestmark = pytest.mark.django_db

PUBLIC_POST_PATHS = ["/consultation/", "/bellevue/consultation/", "/", "/bellevue/isotretinoin/"]


class UnreadableBody:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.fixture
def client():
    return FormClient(raise_request_exception=True)


def send_unread(client, path, content_type, length):
    return client.generic(
        "POST",
        path,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadableBody()},
    )


@pytest.mark.parametrize("path", PUBLIC_POST_PATHS)
@pytest.mark.parametrize(
    "content_type", ["multipart/form-data; boundary=xyz", "Multipart/Mixed; boundary=a"]
)
def test_a_file_upload_to_a_public_page_is_refused_unread(client, bellevue, path, content_type):
    response = send_unread(client, path, content_type, 40 * 1024 * 1024)

    assert response.status_code == 415
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "typed answers only, not files" in text
    assert "call the clinic" in text
    assert not ConsultationRequest.objects.exists()


@pytest.mark.parametrize("path", PUBLIC_POST_PATHS)
def test_a_body_over_the_cap_is_refused_unread(client, bellevue, path):
    response = send_unread(
        client, path, "application/x-www-form-urlencoded", PUBLIC_BODY_MAX_BYTES + 1
    )

    assert response.status_code == 413
    assert "much bigger than our form can take" in response.content.decode()
    assert not ConsultationRequest.objects.exists()


def test_the_biggest_form_a_patient_can_send_is_under_the_cap(client, valid_form_data):
    # Every box at its limit, in 3-byte characters (9 bytes each once percent-encoded).
    wide = "語"
    valid_form_data.update(
        first_name=wide * 60,
        last_name=wide * 60,
        email="a" * 64 + "@" + ".".join([wide * 60] * 3) + ".examp",
        message=wide * 1000,
        csrfmiddlewaretoken="x" * 64,
    )
    body = urlencode(valid_form_data).encode()
    assert len(body) > PUBLIC_BODY_MAX_BYTES - 5 * 1024  # the cap is a few KB above it

    response = client.post("/consultation/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 302, response.content.decode()[:500]
    assert ConsultationRequest.objects.get().message == wide * 1000


def test_staff_can_still_upload_a_large_location_photo(admin_client, bellevue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3)).save(out, format="PNG")
    assert len(out.getvalue()) > 10 * PUBLIC_BODY_MAX_BYTES
    data = {
        "name": "Bellevue",
        "slug": "bellevue",
        "is_active": "on",
        "sort_order": "10",
        "photo": SimpleUploadedFile("front.png", out.getvalue(), content_type="image/png"),
        "photo_alt": "The clinic's front door",
        # The location form's time zone and its (empty) opening-hours and closure inlines.
        "time_zone": bellevue.time_zone,
        "opening_hours-TOTAL_FORMS": "0",
        "opening_hours-INITIAL_FORMS": "0",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:pages_location_change", args=[bellevue.pk]), data)

    assert response.status_code == 302
    bellevue.refresh_from_db()
    assert bellevue.photo
