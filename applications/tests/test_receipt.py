"""The acceptance receipt (受理回执): a PDF that parses, holds the number and the Chinese text
(the font embedded as a subset), a QR code that decodes to the lookup link, the application
detail's access check, and a clear refusal when the font is missing."""

import datetime as dt
import io
import logging

import pytest
import segno
import zxingcpp
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from accounts.auth import token_hash, token_new_key
from accounts.models import ApiToken
from applications.checks import receipt_font_installed
from applications.receipt import receipt_qr_png
from core.masking import mask_id_number
from documents.tests.factories import CitizenFactory, UnboundCitizenFactory
from guide.tests.factories import HallFactory
from persons.tests.factories import GuardianshipFactory, MinorFactory, PersonFactory

from .accepted import accepted_application

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(user) -> dict:
    prefix, secret, key = token_new_key()
    ApiToken.objects.create(
        user=user,
        name="test phone",
        prefix=prefix,
        key_hash=token_hash(secret),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {"authorization": f"Bearer {key}"}


def api_url(number: str) -> str:
    return f"/api/v1/me/applications/{number}/receipt.pdf"


def page_url(number: str) -> str:
    return f"/applications/{number}/receipt.pdf"


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def qr_texts(reader: PdfReader) -> list[str]:
    """Decode every QR code among the images of the first page."""
    found = []
    for image in reader.pages[0].images:
        picture = image.image.convert("L")
        # one pixel per module in the file: enlarged so that the decoder sees clean edges
        big = picture.resize((picture.width * 8, picture.height * 8), Image.Resampling.NEAREST)
        found += [result.text for result in zxingcpp.read_barcodes(big)]
    return found


@pytest.fixture
def citizen():
    return CitizenFactory(person=PersonFactory(name_zh="王建国", name_pinyin="Wang Jianguo"))


@pytest.fixture
def application(citizen):
    hall = HallFactory(name_zh="罗湖出入境大厅", name_en="Luohu Exit-Entry Hall")
    return accepted_application(
        citizen.person, hall=hall, fee="120", expected_on=dt.date(2026, 12, 18)
    )


def test_the_receipt_holds_the_application_in_chinese(client, citizen, application):
    # when the citizen downloads the receipt in Chinese
    response = client.get(
        api_url(application.number), headers=bearer(citizen) | {"accept-language": "zh-Hans"}
    )
    # then it is a one-page PDF, never stored, with the number, the Chinese text and masked ID
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert f"receipt-{application.number}.pdf" in response["Content-Disposition"]
    reader, text = pdf_text(response.content)
    assert len(reader.pages) == 1
    assert application.number in text
    assert "王建国" in text and "罗湖出入境大厅" in text and "受理回执" in text
    assert "120.00" in text and "2026-12-18" in text
    person = citizen.person
    assert mask_id_number(person.id_number) in text
    assert person.id_number not in text


def test_the_font_is_embedded_as_a_subset(client, citizen, application):
    response = client.get(api_url(application.number), headers=bearer(citizen))
    reader = PdfReader(io.BytesIO(response.content))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    cjk = [name for name in names if "WenQuanYi" in name]
    assert cjk, names
    for name in cjk:
        # a subset's name starts with a six-letter tag and "+" (PDF 32000, 9.6.4)
        tag, plus, _rest = name.lstrip("/").partition("+")
        assert plus and len(tag) == 6 and tag.isalpha() and tag.isupper(), name
    # and the whole font (several MB) is not in the file
    assert len(response.content) < 200_000


def test_the_receipt_in_english(client, citizen, application):
    response = client.get(
        api_url(application.number), headers=bearer(citizen) | {"accept-language": "en"}
    )
    _reader, text = pdf_text(response.content)
    assert "Acceptance receipt" in text and "Wang Jianguo" in text and "王建国" in text
    assert "Luohu Exit-Entry Hall" in text and "RMB 120.00" in text


def test_the_qr_code_opens_the_lookup_with_the_number(client, citizen, application):
    # when
    response = client.get(api_url(application.number), headers=bearer(citizen))
    reader, _text = pdf_text(response.content)
    # then the code decodes to the lookup page with the number filled in
    link = f"http://testserver/progress/?number={application.number}"
    assert qr_texts(reader) == [link]
    # and the image is segno's matrix for that link, module for module
    image = Image.open(io.BytesIO(receipt_qr_png(link))).convert("1")
    qr = segno.make(link, error="m")
    border = 4
    for y, row in enumerate(qr.matrix):
        for x, dark in enumerate(row):
            assert (image.getpixel((x + border, y + border)) == 0) == bool(dark)


def test_a_guardian_gets_the_receipt_of_their_minor(client, citizen):
    # given a minor of the citizen with an application
    minor = MinorFactory(name_zh="王小明", name_pinyin="Wang Xiaoming")
    GuardianshipFactory(guardian=citizen.person, child=minor)
    application = accepted_application(minor)
    # when
    response = client.get(
        api_url(application.number), headers=bearer(citizen) | {"accept-language": "zh-Hans"}
    )
    # then
    assert response.status_code == 200
    assert "王小明" in pdf_text(response.content)[1]


def test_someone_elses_receipt_is_not_found(client, application):
    # given another bound citizen
    stranger = CitizenFactory()
    # when
    response = client.get(api_url(application.number), headers=bearer(stranger))
    # then
    assert response.status_code == 404 and response["Content-Type"].startswith(PROBLEM)
    assert response.json()["code"] == "application_not_found"
    missing = client.get(api_url("26010100000000"), headers=bearer(stranger))
    ignored = {"request_id", "instance"}
    assert {k: v for k, v in missing.json().items() if k not in ignored} == {
        k: v for k, v in response.json().items() if k not in ignored
    }


def test_the_receipt_needs_a_bound_citizen(client, application):
    assert client.get(api_url(application.number)).status_code == 401
    unbound = UnboundCitizenFactory()
    assert client.get(api_url(application.number), headers=bearer(unbound)).status_code == 403


def test_the_page_link_downloads_the_same_receipt(client, citizen, application):
    # given the citizen signed in on the website
    client.force_login(citizen)
    # when the application page is opened and its receipt link followed
    detail = client.get(f"/applications/{application.number}/")
    assert page_url(application.number) in detail.content.decode()
    response = client.get(page_url(application.number))
    # then
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert application.number in pdf_text(response.content)[1]


def test_the_page_hides_someone_elses_receipt(client, application):
    client.force_login(CitizenFactory())
    assert client.get(page_url(application.number)).status_code == 404


def test_without_its_font_the_receipt_is_refused_clearly(
    client, settings, citizen, application, caplog
):
    # given a server whose receipt font is missing
    settings.RECEIPT_FONT_PATH = "/nonexistent/wqy-microhei.ttc"
    # when the API and the page are asked for the receipt
    with caplog.at_level(logging.ERROR, logger="applications.receipt"):
        response = client.get(api_url(application.number), headers=bearer(citizen))
    client.force_login(citizen)
    page = client.get(page_url(application.number), headers={"accept-language": "en"})
    # then a 503 problem for the API, a page saying so, and the log tells what to install
    assert response.status_code == 503 and response["Content-Type"].startswith(PROBLEM)
    assert response.json()["code"] == "receipt_unavailable"
    assert page.status_code == 503 and b"cannot be made right now" in page.content
    assert "scripts/ensure_fonts.sh" in caplog.text and "RECEIPT_FONT_PATH" in caplog.text


def test_a_font_that_cannot_be_embedded_is_refused_too(settings, tmp_path):
    # given a file that is not a TrueType font
    bogus = tmp_path / "not-a-font.ttf"
    bogus.write_bytes(b"OTTO" + b"\0" * 64)
    settings.RECEIPT_FONT_PATH = str(bogus)
    # when the deployment check runs
    errors = receipt_font_installed(None)
    # then it fails, saying why
    assert [error.id for error in errors] == ["applications.E001"]
    assert "cannot be embedded" in errors[0].msg


def test_the_deployment_check_passes_with_the_font(settings):
    assert receipt_font_installed(None) == []
    settings.RECEIPT_FONT_PATH = "/nonexistent/font.ttf"
    assert "is missing" in receipt_font_installed(None)[0].msg
