import io
import struct
import zlib

import pytest
from PIL import Image

from core.errors import Problem
from reception import services
from reception.models import Reception
from reception.photos import photo_clean

from .conftest import at, image_bytes, upload


def refused(content: bytes, name: str = "photo.jpg") -> str:
    with pytest.raises(Problem) as caught:
        photo_clean(upload(content, name=name))
    assert caught.value.status == 422
    assert caught.value.errors[0]["field"] == "photo"
    return caught.value.code


def test_a_real_png_is_accepted_and_stored_as_a_new_jpeg():
    # given a PNG made here, with transparency
    content = image_bytes((600, 800), fmt="PNG", mode="RGBA")
    # when
    photo = photo_clean(upload(content, name="photo.png", content_type="image/png"))
    # then
    assert (photo.width, photo.height) == (600, 800)
    with Image.open(io.BytesIO(photo.content)) as stored:
        assert stored.format == "JPEG" and stored.mode == "RGB"


def test_a_jpeg_is_stripped_of_its_metadata():
    # given a JPEG with EXIF data (an author and a comment)
    exif = Image.Exif()
    exif[0x013B] = "Someone's name"  # Artist
    exif[0x010E] = "Taken at home"  # ImageDescription
    content = image_bytes((600, 800), exif=exif.tobytes(), comment=b"secret", icc_profile=b"x" * 64)
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif()
    # when
    photo = photo_clean(upload(content))
    # then
    with Image.open(io.BytesIO(photo.content)) as stored:
        assert not stored.getexif()
        assert not {"comment", "exif", "icc_profile"} & set(stored.info)
    assert b"Someone" not in photo.content


def test_a_photo_taken_sideways_is_turned_upright_first():
    # given landscape pixels whose EXIF says "turn by 90 degrees"
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW
    content = image_bytes((800, 600), exif=exif.tobytes())
    # when
    photo = photo_clean(upload(content))
    # then it is portrait
    assert (photo.width, photo.height) == (600, 800)


def test_a_text_file_named_jpg_is_refused():
    assert refused(b"This is a text file, not a photo.\n" * 10) == "photo_not_an_image"


def test_an_empty_file_is_refused():
    assert refused(b"") == "photo_missing"


def test_a_truncated_jpeg_is_refused():
    content = image_bytes((600, 800))
    assert refused(content[: len(content) // 3]) == "photo_not_an_image"


def test_a_gif_is_refused_whatever_its_name():
    assert refused(image_bytes((600, 800), fmt="GIF", mode="P")) == "photo_wrong_format"


def test_an_oversized_file_is_refused_before_it_is_read(settings):
    settings.RECEPTION_PHOTO_MAX_BYTES = 2000
    content = image_bytes((600, 800), fmt="PNG")
    assert len(content) > 2000
    assert refused(content) == "photo_too_large"


def test_the_default_size_limit_is_2_mib(settings):
    assert settings.RECEPTION_PHOTO_MAX_BYTES == 2 * 1024 * 1024
    assert refused(b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024)) == "photo_too_large"


@pytest.mark.parametrize("size", [(200, 300), (299, 400), (300, 399)])
def test_a_photo_too_small_is_refused(size):
    assert refused(image_bytes(size)) == "photo_wrong_dimensions"


def test_a_photo_too_large_in_pixels_is_refused():
    assert refused(image_bytes((1800, 2400), quality=20)) == "photo_wrong_dimensions"


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims another size (its pixel data is never decoded)."""
    content = bytearray(image_bytes((1, 1), fmt="PNG"))
    ihdr = content.index(b"IHDR")
    content[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(content[ihdr : ihdr + 17]))
    content[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(content)


def test_a_huge_picture_in_a_small_file_is_refused_without_decoding_it():
    # given PNGs of a few bytes declaring 5000 x 6000 and 30000 x 40000 pixels
    large = _png_declaring(5000, 6000)
    with Image.open(io.BytesIO(large)) as declared:
        assert declared.size == (5000, 6000)
    huge = _png_declaring(30000, 40000)  # Pillow itself refuses to open this one
    # then both are refused as too large
    assert refused(large) == "photo_wrong_dimensions"
    assert refused(huge) == "photo_wrong_dimensions"


def test_a_landscape_photo_is_refused():
    assert refused(image_bytes((800, 600))) == "photo_not_portrait"


@pytest.mark.django_db
def test_the_photo_is_stored_under_media_root_with_a_random_name(officer, appointment, settings):
    # given
    services.reception_check_in(officer=officer, code=appointment.number, now=at(9, 50))
    # when
    reception = services.photo_record(
        officer=officer, number=appointment.number, upload=upload(image_bytes()), now=at(10)
    )
    # then
    path = settings.MEDIA_ROOT / reception.photo.name
    assert path.is_file()
    assert reception.photo.name.startswith("reception/photos/2030/01/")
    assert appointment.number not in reception.photo.name
    assert appointment.person.id_number not in reception.photo.name
    assert (reception.photo_width, reception.photo_height) == (600, 800)


@pytest.mark.django_db
def test_a_refused_photo_stores_nothing(officer, appointment, settings):
    services.reception_check_in(officer=officer, code=appointment.number, now=at(9, 50))
    with pytest.raises(Problem):
        services.photo_record(officer=officer, number=appointment.number, upload=upload(b"x"))
    assert Reception.objects.get().photo_at is None
    assert not (settings.MEDIA_ROOT / "reception").exists()


@pytest.mark.django_db
def test_a_second_photo_is_409_and_leaves_no_file_behind(officer, appointment, settings):
    services.reception_check_in(officer=officer, code=appointment.number, now=at(9, 50))
    first = services.photo_record(
        officer=officer, number=appointment.number, upload=upload(image_bytes())
    )
    with pytest.raises(Problem) as caught:
        services.photo_record(
            officer=officer, number=appointment.number, upload=upload(image_bytes())
        )
    assert caught.value.status == 409
    files = [p for p in (settings.MEDIA_ROOT / "reception").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [first.photo.name.rsplit("/", 1)[1]]
