"""Location photos: validate uploads, strip metadata, and build responsive renditions once.

Renditions are written when a photo is uploaded (from the admin), never per request.
"""

import io
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

RENDITION_WIDTHS = (480, 960, 1440)
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def _open(file):
    file.seek(0)
    image = Image.open(file)
    image.verify()  # catches truncated and corrupt files
    file.seek(0)
    return Image.open(file)


def validate_photo(field_file):
    """Reject anything that is not a reasonably sized JPEG, PNG or WebP image."""
    if not field_file:
        return
    file = getattr(field_file, "file", field_file)
    if field_file.size > settings.LOCATION_PHOTO_MAX_BYTES:
        limit = settings.LOCATION_PHOTO_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"This photo is too large. Upload a file under {limit} MB.")
    try:
        with _open(file) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError("Upload a JPEG, PNG or WebP photo.")
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            "This file is not a photo we can read. Upload a JPEG, PNG or WebP image."
        ) from None
    finally:
        file.seek(0)
    if width * height > settings.LOCATION_PHOTO_MAX_PIXELS:
        raise ValidationError(
            f"This photo is {width}×{height} pixels, which is too big. "
            "Resize it to under 40 megapixels."
        )


_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(image):
    """Phone photos often carry a wider colour profile (Display P3). The copy we keep has
    no profile at all, so its colours are converted to sRGB, what browsers then assume;
    left as they were, they would look washed out."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError):
        return image  # a broken profile: keep the pixels as they are


def _on_white(image):
    """JPEG and WebP renditions have no transparency: clear areas become white, not black."""
    if "A" not in image.getbands():
        return image.convert("RGB")
    image = image.convert("RGBA")
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def sanitize(upload):
    """Return a re-encoded copy of an uploaded image with EXIF (GPS, camera) data removed.

    The orientation tag is applied to the pixels first so the photo still stands upright,
    and the colours are converted to sRGB, since the colour profile goes too.
    """
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
        image = _to_srgb(image.convert("RGBA" if has_alpha else "RGB"))
        out = io.BytesIO()
        # Saving without exif=/icc_profile= keeps no metadata.
        if has_alpha:
            image.save(out, format="PNG", optimize=True)
            suffix = ".png"
        else:
            image.save(out, format="JPEG", quality=88, optimize=True, progressive=True)
            suffix = ".jpg"
    stem = PurePosixPath(upload.name).stem[:60] or "photo"
    return ContentFile(out.getvalue(), name=f"{stem}{suffix}")


def build_renditions(location, storage=default_storage):
    """Write WebP and JPEG copies of the location's photo at each width; return their paths."""
    if not location.photo:
        return {}
    location.photo.open("rb")
    try:
        with Image.open(location.photo) as original:
            original.load()
    finally:
        location.photo.close()
    base = PurePosixPath(location.photo.name)
    folder = f"locations/renditions/{base.stem}"
    renditions = {"width": original.width, "height": original.height, "webp": {}, "jpeg": {}}
    # Never upscale: a small photo gets one rendition at its own width.
    widths = [w for w in RENDITION_WIDTHS if w <= original.width] or [original.width]
    rgb = _on_white(original)
    for width in widths:
        height = round(original.height * width / original.width)
        resized = rgb.resize((width, height), Image.Resampling.LANCZOS)
        for fmt, ext, options in (
            ("webp", "webp", {"quality": 80, "method": 6}),
            ("jpeg", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
        ):
            out = io.BytesIO()
            resized.save(out, format=fmt.upper(), **options)
            name = storage.save(f"{folder}/{width}.{ext}", ContentFile(out.getvalue()))
            renditions[fmt][str(width)] = name
    return renditions
