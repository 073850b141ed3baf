"""Uploaded images are checked, then re-encoded: this drops EXIF (with location), fixes the
orientation, bounds the size, and makes sure nothing but pixels is ever served back.

Decoding is what costs memory (width times height times 4 bytes, before any resizing):
- the pixel budget is checked from the file's header before anything is decoded;
- JPEG photos (what phones send) are decoded at a reduced scale straight away (Pillow's
  ``draft``), so a 48-megapixel photo never exists at full size in memory;
- one image is decoded at a time per process, so several uploads at once cannot add up.
"""

import io
import threading
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
# JPEG decodes at a reduced scale, so large phone photos are fine.
MAX_JPEG_PIXELS = 100_000_000
# PNG and WebP decode at full size: 25 megapixels are about 100 MB while decoding.
MAX_OTHER_PIXELS = 25_000_000
# Pillow's own guard against decompression bombs, set to our largest budget.
Image.MAX_IMAGE_PIXELS = MAX_JPEG_PIXELS

_decoding = threading.BoundedSemaphore(1)


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image has too many pixels. Please send a smaller one (a phone photo is fine)."),
        code="too_many_pixels",
    )


def reencode_image(
    upload: UploadedFile, *, max_side: int = 2048, square: bool = False
) -> ContentFile[bytes]:
    """Validate an uploaded JPEG, PNG or WebP and return it re-encoded as WebP.

    Raises ValidationError with a sentence the uploader understands.
    """
    max_bytes = settings.MAX_UPLOAD_MB * 1024 * 1024
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The image is too large (at most %(mb)s MB).") % {"mb": settings.MAX_UPLOAD_MB},
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            if image_format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    _("Please upload a JPEG, PNG or WebP image."), code="wrong_type"
                )
            budget = MAX_JPEG_PIXELS if image_format == "JPEG" else MAX_OTHER_PIXELS
            if width * height > budget:
                raise _too_many_pixels()
            probe.verify()
        upload.seek(0)
        with _decoding, Image.open(upload) as opened:
            if opened.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale when that still covers the target size.
                opened.draft("RGB", (max_side, max_side))
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened)
            image = image.convert("RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB")
            if square:
                image = ImageOps.fit(image, (max_side, max_side), Image.Resampling.LANCZOS)
            else:
                image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            output = io.BytesIO()
            # Saving without exif= drops all metadata, location included.
            image.save(output, format="WEBP", quality=85, method=4)
            del image
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image we can read. Please upload a JPEG, PNG or WebP image."),
            code="invalid_image",
        ) from None
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.webp")
