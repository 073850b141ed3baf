"""Uploaded images are checked, then re-encoded: this drops EXIF (with location), fixes the
orientation, bounds the size, and makes sure nothing but pixels is ever served back."""

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Refuse images so large in pixels that decoding them would exhaust memory.
MAX_PIXELS = 50_000_000


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
            if width * height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
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
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image we can read. Please upload a JPEG, PNG or WebP image."),
            code="invalid_image",
        ) from None
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.webp")
