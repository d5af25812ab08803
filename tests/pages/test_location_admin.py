"""Staff manage locations in the admin; what they save shows on the site at once."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from pages.models import Location

pytestmark = pytest.mark.django_db


def location_form(**fields):
    from location_admin_forms import location_admin_data

    return location_admin_data(**fields)


def test_staff_add_a_location_and_its_pages_appear(admin_client, client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    assert client.get("/").status_code == 200  # warm the page cache first
    response = admin_client.post(reverse("admin:pages_location_add"), location_form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert client.get("/papillion/isotretinoin/").status_code == 200
    assert 'href="/papillion/"' in client.get("/").content.decode()


def test_admin_rejects_a_reserved_slug_with_a_clear_message(admin_client):
    response = admin_client.post(
        reverse("admin:pages_location_add"), location_form(slug="consultation")
    )
    assert response.status_code == 200
    assert "used by another part of the site" in response.content.decode()
    assert not Location.objects.filter(slug="consultation").exists()


def test_admin_photo_upload_builds_renditions(admin_client, bellevue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (10, 80, 90)).save(out, format="JPEG")
    data = location_form(name="Bellevue", slug="bellevue", sort_order="10")
    data["photo"] = SimpleUploadedFile("front.jpg", out.getvalue(), content_type="image/jpeg")
    data["photo_alt"] = "The clinic's front door"
    response = admin_client.post(reverse("admin:pages_location_change", args=[bellevue.pk]), data)
    assert response.status_code == 302
    bellevue.refresh_from_db()
    assert sorted(bellevue.photo_renditions["webp"], key=int) == ["480", "960"]
    assert (tmp_path / bellevue.photo_renditions["webp"]["960"]).exists()


def test_admin_refuses_a_fake_image(admin_client, bellevue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = location_form(name="Bellevue", slug="bellevue", sort_order="10")
    data["photo"] = SimpleUploadedFile("front.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = admin_client.post(reverse("admin:pages_location_change", args=[bellevue.pk]), data)
    assert response.status_code == 200
    bellevue.refresh_from_db()
    assert not bellevue.photo
