"""Location photos: only real, reasonably sized images; metadata removed; renditions made once."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pages import images
from pages.forms import LocationAdminForm

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_exif(width=1600, height=1000, orientation=1):
    image = Image.new("RGB", (width, height), (200, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (41.0, 8.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def form_data(location, **extra):
    data = {
        "name": location.name,
        "slug": location.slug,
        "is_active": "on",
        "sort_order": location.sort_order,
        "photo_alt": "The clinic's front door",
    }
    data.update(extra)
    return data


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_upload_keeps_the_picture_and_strips_exif(bellevue, media_root):
    upload = SimpleUploadedFile("door.jpg", jpeg_with_exif(), content_type="image/jpeg")
    assert Image.open(io.BytesIO(upload.read())).getexif().get(0x010F) == "PhoneMaker"
    upload.seek(0)

    form = LocationAdminForm(data=form_data(bellevue), files={"photo": upload}, instance=bellevue)
    assert form.is_valid(), form.errors
    location = form.save()

    with Image.open(location.photo.path) as saved:
        assert saved.size == (1600, 1000)
        exif = saved.getexif()
        assert not exif.get(0x010F)
        assert not exif.get_ifd(GPS_IFD)
        assert "exif" not in saved.info


def test_orientation_is_applied_before_exif_is_removed(bellevue, media_root):
    # Orientation 6 means "rotate 90°": the stored pixels must stand upright without it.
    upload = SimpleUploadedFile("door.jpg", jpeg_with_exif(1600, 1000, orientation=6))
    form = LocationAdminForm(data=form_data(bellevue), files={"photo": upload}, instance=bellevue)
    assert form.is_valid(), form.errors
    location = form.save()
    with Image.open(location.photo.path) as saved:
        assert saved.size == (1000, 1600)


def test_a_file_that_is_not_an_image_is_rejected(bellevue, media_root):
    upload = SimpleUploadedFile("door.jpg", b"%PDF-1.4 definitely not a photo")
    form = LocationAdminForm(data=form_data(bellevue), files={"photo": upload}, instance=bellevue)
    assert not form.is_valid()
    assert "photo" in form.errors
    bellevue.refresh_from_db()
    assert not bellevue.photo


def test_a_file_over_the_size_limit_is_rejected(bellevue, media_root, settings):
    settings.LOCATION_PHOTO_MAX_BYTES = 50_000
    big = SimpleUploadedFile("door.jpg", jpeg_with_exif(3000, 3000) + b"\0" * 60_000)
    with pytest.raises(ValidationError, match="too large"):
        images.validate_photo(big)
    form = LocationAdminForm(data=form_data(bellevue), files={"photo": big}, instance=bellevue)
    assert not form.is_valid()
    assert "too large" in str(form.errors["photo"])


def test_an_image_with_too_many_pixels_is_rejected(media_root, settings):
    settings.LOCATION_PHOTO_MAX_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("RGB", (2000, 1000)).save(out, format="PNG")
    with pytest.raises(ValidationError, match="too big"):
        images.validate_photo(SimpleUploadedFile("wide.png", out.getvalue()))


def test_a_gif_is_rejected(media_root):
    out = io.BytesIO()
    Image.new("RGB", (100, 100)).save(out, format="GIF")
    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        images.validate_photo(SimpleUploadedFile("anim.gif", out.getvalue()))


def test_renditions_are_made_once_at_each_width_in_webp_and_jpeg(bellevue, media_root):
    bellevue.photo.save("door.jpg", images.sanitize(SimpleUploadedFile("d.jpg", jpeg_with_exif())))
    renditions = images.build_renditions(bellevue)
    assert sorted(renditions["webp"], key=int) == ["480", "960", "1440"]
    assert sorted(renditions["jpeg"], key=int) == ["480", "960", "1440"]
    for width, name in renditions["webp"].items():
        with Image.open(media_root / name) as img:
            assert img.format == "WEBP"
            assert img.width == int(width)
    bellevue.photo_renditions = renditions
    bellevue.save()
    srcsets = bellevue.photo_srcsets()
    assert "480w" in srcsets["webp"] and "1440w" in srcsets["jpeg"]


def test_small_photos_are_not_upscaled(bellevue, media_root):
    out = io.BytesIO()
    Image.new("RGB", (600, 400)).save(out, format="JPEG")
    bellevue.photo.save("small.jpg", SimpleUploadedFile("small.jpg", out.getvalue()))
    renditions = images.build_renditions(bellevue)
    assert list(renditions["webp"]) == ["480"]


def test_location_page_shows_the_responsive_photo_and_is_complete_without(
    client, bellevue, media_root
):
    assert "<picture" not in client.get("/bellevue/").content.decode()
    bellevue.photo.save("door.jpg", images.sanitize(SimpleUploadedFile("d.jpg", jpeg_with_exif())))
    bellevue.photo_renditions = images.build_renditions(bellevue)
    bellevue.save()
    html = client.get("/bellevue/").content.decode()
    assert '<source type="image/webp"' in html
    assert "960w" in html
    assert 'alt="The clinic' not in html  # alt comes from photo_alt, empty here
    assert 'width="1600" height="1000"' in html
