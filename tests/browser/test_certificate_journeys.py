"""Certificates in Chromium: a citizen asks for an entry/exit record certificate and downloads
the signed PDF; the verification page, without signing in, accepts that file and refuses a copy
with one byte changed and a copy with an edit appended after the signature (made with pyHanko's
IncrementalPdfFileWriter, as a PDF editor would), and a photo of its QR code (the printed page
as a scanner sees it) through the camera field. Every page passes the axe-core check."""

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from certificates import qr, signing
from certificates.models import Certificate
from crossings.tests.factories import CrossingFactory, PortFactory
from documents.tests.factories import CitizenFactory, PassportFactory

from .conftest import confirm_new_device
from .test_account_journeys import form_button, open_page, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-long-test-password-1"  # documents.tests.factories.CitizenFactory's


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("certificates-pki")


@pytest.fixture(autouse=True)
def _certificate_keys(settings, pki_dir):
    settings.CERTIFICATES_SIGNER = "embedded"
    settings.CERTIFICATES_KEY_DIR = pki_dir
    settings.CERTIFICATES_TSA_URL = ""
    settings.CERTIFICATES_VERIFY_RATE_PER_ADDRESS = "100/60"
    signing.signing_material_reset()
    qr._keys_for.cache_clear()
    yield
    signing.signing_material_reset()


def appended_edit(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (0 records) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def one_byte_changed(pdf: bytes) -> bytes:
    changed = bytearray(pdf)
    at = pdf.index(b"/Producer") + 3
    changed[at] = ord("X") if changed[at] != ord("X") else ord("Y")
    return bytes(changed)


def verify_file(page: Page, site: str, content: bytes) -> None:
    open_page(page, site + "/verify/")
    page.locator("#id_file").set_input_files(
        files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": content}]
    )
    submit(page, form_button(page))


def first_page_png(pdf: bytes, directory: Path) -> bytes:
    """The first page as a 150 dpi picture, as a scanner or a phone held over it sees it."""
    (directory / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "certificate.pdf", "page"],
        cwd=directory,
        check=True,
        timeout=60,
    )
    return next(directory.glob("page*.png")).read_bytes()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_citizen_downloads_a_certificate_that_verifies_and_copies_that_do_not(
    page: Page, site: str, language: str, tmp_path: Path
):
    # Given a citizen with a passport and two crossings in the last year
    citizen = CitizenFactory(person__name_zh="王建国", person__name_pinyin="Wang Jianguo")
    passport = PassportFactory(person=citizen.person)
    port = PortFactory(code="LUOHU", name_zh="罗湖口岸", name_en="Luohu")
    for days in (60, 50):
        CrossingFactory(
            document=passport, port=port, occurred_at=timezone.now() - dt.timedelta(days=days)
        )
    open_page(page, site + "/accounts/login/")
    page.locator("#id_phone").fill(citizen.phone[3:])
    page.locator("#id_password").fill(PASSWORD)
    submit(page, form_button(page))
    confirm_new_device(page, citizen.phone)

    # When they ask for an entry/exit record certificate for the last 100 days
    open_page(page, site + "/certificates/")
    today = timezone.localdate()
    page.locator("#id_kind").select_option("crossings")
    page.locator("#id_period_start").fill(str(today - dt.timedelta(days=100)))
    page.locator("#id_period_end").fill(str(today))
    page.locator("#id_purpose").fill("签证申请 Visa application")
    submit(page, form_button(page))

    # Then it is listed with its code, and downloads as the signed PDF
    certificate = Certificate.objects.get(person=citizen.person)
    assert certificate.record_count == 2
    expect(page.locator("#certificates")).to_contain_text(certificate.code_display)
    with page.expect_download() as download:
        page.locator(f"main a[href='/certificates/{certificate.pk}.pdf']").click()
    content = Path(download.value.path()).read_bytes()
    assert content == bytes(certificate.pdf)

    # When anyone uploads it to the verification page (signed out)
    page.context.clear_cookies()
    verify_file(page, site, content)

    # Then it is authentic, issued to a masked name, with its records counted
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-authentic", "true")
    expect(page.locator("#verdict-certificate")).to_contain_text("王**")
    expect(page.locator("#verdict-certificate")).to_contain_text(certificate.code_display)
    expect(page.locator("main")).not_to_contain_text("王建国")

    # And a copy with one byte changed is not authentic: altered after signing
    verify_file(page, site, one_byte_changed(content))
    expect(verdict).to_have_attribute("data-authentic", "false")
    expect(verdict).to_have_attribute("data-reason", "altered")

    # And a copy with an edit appended after the signature is not authentic either, saying so
    verify_file(page, site, appended_edit(content))
    expect(verdict).to_have_attribute("data-authentic", "false")
    expect(verdict).to_have_attribute("data-reason", "appended_edit")
    expect(page.locator("#verify-by-file")).to_be_visible()

    # When anyone photographs the QR code printed on it, with the page's camera field
    open_page(page, site + "/verify/")
    camera = page.locator("#id_image")
    expect(camera).to_have_attribute("capture", "environment")
    camera.set_input_files(
        files=[
            {
                "name": "photo.png",
                "mimeType": "image/png",
                "buffer": first_page_png(content, tmp_path),
            }
        ]
    )
    submit(page, page.locator("main form:has(#id_image) button[type=submit]"))

    # Then the server read the code and it is authentic
    expect(verdict).to_have_attribute("data-authentic", "true")
    expect(page.locator("#verdict-certificate")).to_contain_text(certificate.code_display)


def test_verification_page_explains_a_file_that_is_not_a_pdf(page: Page, site: str):
    # When a picture is uploaded instead of the PDF
    open_page(page, site + "/verify/")
    page.locator("#id_file").set_input_files(
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}]
    )
    submit(page, form_button(page), status=415)
    # Then the field says what to upload
    expect(page.locator(".error-summary")).to_be_visible()
