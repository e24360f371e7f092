"""The QR code read from a photo of a certificate, on the server: "scan the QR" on the
verification page needs no app and no script, only a file input that opens a phone's camera.

The upload is checked before anything decodes it: its size, then (Pillow reading the header
only) that it is a picture in an allowed format and of a sensible number of pixels. The picture
is decoded at most MAX_SIDE pixels on its longer side (a camera's JPEG straight from its DCT at
reduced scale, the rest reduced after), in grey, and zxing-cpp looks for QR codes in it.
"""

import io

import zxingcpp
from PIL import Image, UnidentifiedImageError

from . import qr
from .errors import ImageTooLarge, QrNotFound, UploadNotImage

# What phones and screenshots make (Pillow's JPEG opener also reads MPO, the multi-picture
# JPEG of some Android cameras).
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000
# A certificate's QR code photographed with the whole page in the frame keeps 3 to 4 pixels a
# module at this size, which zxing-cpp reads; a larger picture only costs time.
MAX_SIDE = 2400


def _read(upload) -> bytes:
    """At most MAX_BYTES + 1 bytes: a larger upload is refused, by its declared size unread."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ImageTooLarge()
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImageTooLarge()
    return data


def _grey(data: bytes) -> Image.Image:
    """The picture in grey, at most MAX_SIDE pixels on its longer side."""
    try:
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError:  # a header declaring hundreds of millions of pixels
        raise ImageTooLarge() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise UploadNotImage() from None
    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageTooLarge()
        try:
            image.draft("L", (MAX_SIDE, MAX_SIDE))  # JPEG only: decodes at 1/2, 1/4 or 1/8
            grey = image.convert("L")
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise UploadNotImage() from None  # truncated or corrupt
    grey.thumbnail((MAX_SIDE, MAX_SIDE))
    return grey


def qr_image_text(upload) -> str:
    """The text of the certificate QR code in an uploaded picture.

    When the picture holds QR codes but none of a certificate (`EEC1:`), the first one's text,
    which verification then calls malformed. Raises ImageTooLarge (413), UploadNotImage (415)
    or QrNotFound (422).
    """
    image = _grey(_read(upload))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    texts = [barcode.text for barcode in found if barcode.valid]
    if not texts:
        raise QrNotFound()
    ours = [text for text in texts if text.startswith(qr.PREFIX)]
    return (ours or texts)[0]
