"""Location photos: only real, reasonably sized images; metadata removed; renditions made once."""

import io
import struct

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
        "time_zone": location.time_zone,
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


def linear_rgb_profile():
    """A minimal ICC v2 display profile: sRGB's primaries with linear (gamma 1.0) curves,
    like a camera's linear-light space. Pillow can only make sRGB, LAB and XYZ ones."""

    def s15(value):
        return struct.pack(">i", round(value * 65536))

    def xyz(x, y, z):
        return b"XYZ " + bytes(4) + s15(x) + s15(y) + s15(z)

    text = b"linear RGB test profile"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text) + 1) + text + b"\0"
    desc += bytes(4 + 4 + 2 + 1 + 67)
    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, 0x0100) + bytes(2)
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text" + bytes(4) + b"none\0\0\0\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += bytes(-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = struct.pack(">I", size) + bytes(4) + struct.pack(">I", 0x02100000)
    header += b"mntrRGB XYZ " + bytes(12) + b"acsp" + bytes(4 + 4 + 4 + 4 + 8 + 4)
    header += s15(0.9642) + s15(1.0) + s15(0.8249) + bytes(4 + 16 + 28)
    return header + struct.pack(">I", len(tags)) + table + data


def test_colours_are_converted_to_srgb_when_the_profile_is_removed(bellevue, media_root):
    image = Image.new("RGB", (800, 600), (60, 60, 60))
    out = io.BytesIO()
    image.save(out, format="PNG", icc_profile=linear_rgb_profile())
    upload = SimpleUploadedFile("linear.png", out.getvalue(), content_type="image/png")
    cleaned = Image.open(images.sanitize(upload))
    assert "icc_profile" not in cleaned.info
    # 60 of 255 in linear light is a mid grey in sRGB (about 136): the look is kept.
    r, g, b = cleaned.getpixel((400, 300))
    assert 125 <= r <= 145 and abs(r - g) <= 3 and abs(r - b) <= 3


def test_transparent_areas_become_white_in_the_renditions(bellevue, media_root):
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 0))  # fully transparent
    out = io.BytesIO()
    image.save(out, format="PNG")
    upload = SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")
    bellevue.photo = images.sanitize(upload)
    bellevue.save()
    renditions = images.build_renditions(bellevue)
    with Image.open(media_root / renditions["jpeg"]["480"]) as jpeg:
        assert jpeg.convert("RGB").getpixel((10, 10)) == (255, 255, 255)


def test_a_photo_needs_a_description_for_people_who_cannot_see_it(bellevue, media_root):
    upload = SimpleUploadedFile("door.jpg", jpeg_with_exif(), content_type="image/jpeg")
    form = LocationAdminForm(
        data=form_data(bellevue, photo_alt="  "), files={"photo": upload}, instance=bellevue
    )
    assert not form.is_valid()
    assert "Describe the photo" in form.errors["photo_alt"][0]
