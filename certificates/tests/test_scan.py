"""Verifying a certificate from a photo of its QR code: the API (POST verify/qr/image) and the
verification page's camera field. The pictures are made here: segno draws the QR code, Pillow
places it in a larger, tilted, grey "photo" and saves it as a phone would (JPEG)."""

import io
import subprocess
import zlib

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certificates import scan

from .test_api import _qr_of, problem

pytestmark = pytest.mark.django_db
VERIFY_IMAGE = "/api/v1/verify/qr/image"


def qr_png(text: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def photo_of(png: bytes, *, size=(3000, 2250), angle: float = 8) -> bytes:
    """The code on a grey desk, tilted, in a camera-sized JPEG."""
    code = Image.open(io.BytesIO(png)).convert("L").rotate(angle, expand=True, fillcolor=255)
    picture = Image.new("L", size, 150)
    picture.paste(code, (size[0] // 3, size[1] // 4))
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def blank_png(width: int = 400, height: int = 300) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def send(client, data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return client.post(VERIFY_IMAGE, {"image": SimpleUploadedFile(name, data, content_type)})


def test_a_photo_of_the_qr_code_verifies(client, issued):
    # given a phone's photo of the certificate's QR code
    picture = photo_of(qr_png(_qr_of(issued)))
    # when
    response = send(client, picture)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["authentic"] is True, body
    assert body["certificate"]["code"] == issued.code_display
    assert body["certificate"]["holder_masked"] == "王**"


def test_a_screenshot_png_verifies_and_the_declared_type_does_not_matter(client, issued):
    # when a PNG arrives named and typed as something else
    response = send(client, qr_png(_qr_of(issued)), "scan.bin", "application/octet-stream")
    # then its content decides
    assert response.json()["authentic"] is True


def test_the_qr_code_as_printed_on_the_certificate_verifies(client, issued, tmp_path):
    # given the first page of the signed PDF, rasterised as a scanner would
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(bytes(issued.pdf))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("p*.png")
    # when
    body = send(client, page.read_bytes(), "page.png", "image/png").json()
    # then
    assert body["authentic"] is True, body


def test_a_picture_without_a_qr_code_is_explained(client, issued):
    # when
    response = send(client, blank_png(), "blank.png", "image/png")
    # then
    body = problem(response, 422, "qr_not_found")
    assert body["errors"][0]["field"] == "image"


def test_a_qr_code_that_is_not_a_certificate_s_is_not_authentic(client, issued):
    # given a picture with a web address's QR code
    picture = photo_of(qr_png("https://example.com/menu"))
    # when
    body = send(client, picture).json()
    # then
    assert body["authentic"] is False and body["reason"] == "malformed"
    assert body["certificate"] is None


def test_a_certificate_s_qr_code_beside_another_one_is_found(client, issued):
    # given a picture holding a foreign QR code and the certificate's
    ours = Image.open(io.BytesIO(qr_png(_qr_of(issued)))).convert("L")
    theirs = Image.open(io.BytesIO(qr_png("https://example.com/"))).convert("L")
    both = Image.new("L", (ours.width + theirs.width + 40, max(ours.height, theirs.height)), 255)
    both.paste(theirs, (0, 0))
    both.paste(ours, (theirs.width + 40, 0))
    buffer = io.BytesIO()
    both.save(buffer, "PNG")
    # when
    body = send(client, buffer.getvalue(), "two.png", "image/png").json()
    # then
    assert body["authentic"] is True, body


def test_a_qr_code_of_a_forged_payload_is_not_authentic(client, issued):
    # given a payload with one character changed in its signed part
    payload = _qr_of(issued)
    forged = payload[:40] + ("A" if payload[40] != "A" else "B") + payload[41:]
    # when
    body = send(client, qr_png(forged), "forged.png", "image/png").json()
    # then
    assert body["authentic"] is False
    assert body["reason"] in {"malformed", "bad_signature"}


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%not a picture",
        b"hello",
        b"",
        b"GIF89a" + b"\x00" * 10,
    ],
    ids=["pdf", "text", "empty", "broken-gif"],
)
def test_a_file_that_is_not_a_picture_is_refused(client, data):
    # when / then
    problem(send(client, data), 415, "upload_not_image")


def test_a_truncated_picture_is_refused(client, issued):
    # given the first half of a JPEG
    picture = photo_of(qr_png(_qr_of(issued)))
    # when / then
    problem(send(client, picture[: len(picture) // 2]), 415, "upload_not_image")


def test_a_picture_over_the_size_limit_is_refused_unread(client, monkeypatch, issued):
    # given a limit below the picture's size
    picture = photo_of(qr_png(_qr_of(issued)))
    monkeypatch.setattr(scan, "MAX_BYTES", len(picture) - 1)
    # when / then
    problem(send(client, picture), 413, "image_too_large")


def test_a_small_file_declaring_a_huge_picture_is_refused(client):
    # given a PNG of 20,000 x 20,000 pixels (400 million) that compresses to a few hundred kB
    import struct

    width = height = 20_000

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    rows = zlib.compress(b"\x00" * ((width // 8 + 1) * height), 9)
    bomb = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
    assert len(bomb) < scan.MAX_BYTES
    # when / then
    problem(send(client, bomb, "bomb.png", "image/png"), 413, "image_too_large")


def test_the_image_is_required(client):
    # when
    response = client.post(VERIFY_IMAGE, {})
    # then
    problem(response, 422)


def test_the_verification_page_takes_a_photo(client, issued):
    # given the page offers the camera
    page = client.get("/verify/").content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    # when a photo of the QR code is sent with the page's form
    picture = SimpleUploadedFile("photo.jpg", photo_of(qr_png(_qr_of(issued))), "image/jpeg")
    response = client.post("/verify/", {"via": "image", "image": picture})
    # then
    assert response.status_code == 200
    assert 'data-authentic="true"' in response.content.decode()


def test_the_verification_page_explains_a_photo_without_a_qr_code_in_chinese(client):
    # when
    blank = SimpleUploadedFile("blank.png", blank_png(), "image/png")
    response = client.post(
        "/verify/", {"via": "image", "image": blank}, HTTP_ACCEPT_LANGUAGE="zh-Hans"
    )
    # then the photo's field says what to do
    assert response.status_code == 422
    text = response.content.decode()
    assert "图片中未找到二维码" in text
    assert 'id="id_image-error"' in text


def test_the_verification_page_says_a_photo_is_missing(client):
    # when the photo's button is pressed without a photo
    response = client.post("/verify/", {"via": "image"}, HTTP_ACCEPT_LANGUAGE="en")
    # then the photo's field (not the PDF's) says so
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="id_image-error"' in text and 'id="id_file-error"' not in text


def test_the_verification_page_refuses_a_pdf_as_the_photo(client, issued):
    # when
    pdf = SimpleUploadedFile("c.pdf", bytes(issued.pdf), "application/pdf")
    response = client.post("/verify/", {"via": "image", "image": pdf}, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 415
    assert "not a picture" in response.content.decode()
