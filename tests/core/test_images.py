import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from treffpunkt.core.images import reencode_image


def image_upload(fmt="JPEG", size=(800, 600), exif=None, name="photo.jpg"):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 80, 40))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=fmt, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_reencoding_drops_exif_including_location():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPS info
    result = reencode_image(image_upload(exif=exif))

    with Image.open(io.BytesIO(result.read())) as image:
        assert image.format == "WEBP"
        assert not image.getexif()
        assert "exif" not in image.info


def test_large_images_are_scaled_down_and_squares_cropped():
    result = reencode_image(image_upload(size=(3000, 1000)), max_side=1000)
    with Image.open(io.BytesIO(result.read())) as image:
        assert image.size == (1000, 333)

    square = reencode_image(image_upload(size=(600, 300)), max_side=256, square=True)
    with Image.open(io.BytesIO(square.read())) as image:
        assert image.size == (256, 256)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"not an image at all", "photo.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg"),
    ],
)
def test_non_images_are_refused_with_a_clear_message(content, name):
    with pytest.raises(ValidationError) as error:
        reencode_image(SimpleUploadedFile(name, content))
    assert error.value.code == "invalid_image"


def test_other_image_formats_are_refused():
    with pytest.raises(ValidationError) as error:
        reencode_image(image_upload(fmt="GIF", name="anim.gif"))
    assert error.value.code == "wrong_type"


def test_too_large_files_are_refused(settings):
    settings.MAX_UPLOAD_MB = 0
    with pytest.raises(ValidationError) as error:
        reencode_image(image_upload())
    assert error.value.code == "too_large"
