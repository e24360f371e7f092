"""The applicant's photo taken at the counter: checked by its content, then re-encoded.

The name and the declared content type of an upload say nothing about what it holds, so the
bytes are opened with Pillow: only a real JPEG or PNG of a sensible size passes. The stored file
is a fresh JPEG made from the pixels, so no metadata (EXIF location, camera serial, comments) and
nothing appended to the original survives.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import InvalidInput

from .errors import ReceptionError

ALLOWED_FORMATS = {"JPEG", "PNG"}
MIN_WIDTH, MIN_HEIGHT = 300, 400
MAX_WIDTH, MAX_HEIGHT = 2000, 2000
JPEG_QUALITY = 90
FIELD = "photo"


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes  # JPEG
    width: int
    height: int


def _refuse(code: str, message: str) -> InvalidInput:
    return InvalidInput(field=FIELD, code=code, message=message)


def _read(upload) -> bytes:
    """At most the allowed size plus one byte: a larger upload is refused without reading it."""
    limit = settings.RECEPTION_PHOTO_MAX_BYTES
    too_large = _refuse(
        ReceptionError.PHOTO_TOO_LARGE,
        _("The photo is larger than %(size)s MB. Take it again at a lower resolution.")
        % {"size": f"{limit / (1024 * 1024):g}"},
    )
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_large
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1) if hasattr(upload, "read") else bytes(upload)[: limit + 1]
    if len(data) > limit:
        raise too_large
    if not data:
        raise _refuse(ReceptionError.PHOTO_MISSING, _("Choose the photo to upload."))
    return data


def photo_clean(upload) -> CleanPhoto:
    """Check an uploaded photo (a file object or bytes) and return it re-encoded as JPEG.

    Raises a 422 problem on the `photo` field: too large, not an image, not JPEG/PNG, outside
    300x400 to 2000x2000 pixels, or not portrait.
    """
    data = _read(upload)
    not_image = _refuse(
        ReceptionError.PHOTO_NOT_AN_IMAGE,
        _("This file is not a photo. Upload the JPEG or PNG picture taken at the counter."),
    )
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        # Pillow refuses to open a header declaring hundreds of millions of pixels.
        raise _wrong_size(None, None) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise not_image from None
    with image:
        if image.format not in ALLOWED_FORMATS:
            raise _refuse(
                ReceptionError.PHOTO_WRONG_FORMAT,
                _("The photo must be a JPEG or PNG picture."),
            )
        # The header's size before decoding: a small file may declare a huge picture. (The
        # limit is square, so turning the picture upright below cannot change this answer.)
        width, height = image.size
        if width > MAX_WIDTH or height > MAX_HEIGHT:
            raise _wrong_size(width, height)
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise not_image from None
        width, height = upright.size
        if not (MIN_WIDTH <= width <= MAX_WIDTH and MIN_HEIGHT <= height <= MAX_HEIGHT):
            raise _wrong_size(width, height)
        if height <= width:
            raise _refuse(
                ReceptionError.PHOTO_NOT_PORTRAIT,
                _("The photo must be portrait: taller than it is wide."),
            )
        return CleanPhoto(content=_jpeg(upright), width=width, height=height)


def _wrong_size(width: int | None, height: int | None) -> InvalidInput:
    limits = {"min_w": MIN_WIDTH, "min_h": MIN_HEIGHT, "max_w": MAX_WIDTH, "max_h": MAX_HEIGHT}
    if width is None or height is None:
        message = (
            _("The photo must be from %(min_w)s x %(min_h)s to %(max_w)s x %(max_h)s pixels.")
            % limits
        )
    else:
        message = _(
            "The photo is %(width)s x %(height)s pixels; it must be from %(min_w)s x %(min_h)s "
            "to %(max_w)s x %(max_h)s pixels."
        ) % {"width": width, "height": height, **limits}
    return _refuse(ReceptionError.PHOTO_WRONG_SIZE, message)


def _jpeg(image: Image.Image) -> bytes:
    """The pixels alone as a new JPEG (transparency on white): no EXIF, ICC or comments."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    # A new image from the bare pixels: Pillow would otherwise write the source's comment and
    # ICC profile (kept in `info`) into the new file.
    bare = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
