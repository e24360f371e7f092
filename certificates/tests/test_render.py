"""The certificate's PDF before signing: the records table over several pages, the QR code."""

import io

import zxingcpp
from pypdf import PdfReader

from certificates import render
from certificates.records import PassportRecord

from .samples import content, crossing


def test_a_long_table_continues_on_the_next_pages_with_its_header():
    # given 150 crossings: more than two pages hold
    records = [crossing(i) for i in range(150)]
    # when
    pages = PdfReader(io.BytesIO(render.certificate_pdf(content(records)))).pages
    # then every record is printed once, in order, and every page of the table has the header
    texts = [page.extract_text() for page in pages]
    assert len(pages) >= 3
    times = [r.occurred_at for r in records]
    found = [t for text in texts for line in text.splitlines() for t in times if t in line]
    assert found == times
    table_pages = [text for text in texts if any(t in text for t in times)]
    assert all("时间 Time" in text and "前往地 To/From" in text for text in table_pages)
    assert "罗湖口岸" in texts[1] and "Luohu" in texts[1]


def test_passport_records_print_every_column():
    # given
    records = [
        PassportRecord(
            number="E12345678",
            issued_on="2015-03-01",
            expires_on="2025-02-28",
            authority_zh="公安部出入境管理局",
            authority_en="Exit and Entry Administration",
            status="expired",
        )
    ]
    # when
    text = PdfReader(io.BytesIO(render.certificate_pdf(content(records, kind="passport_issuance"))))
    # then
    page = text.pages[0].extract_text()
    for value in ("E12345678", "2015-03-01", "2025-02-28", "公安部出入境管理局", "已过期 Expired"):
        assert value in page


def test_the_qr_code_reads_back_from_the_printed_page(tmp_path):
    # given
    import subprocess

    from PIL import Image

    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(render.certificate_pdf(content([crossing(1)])))
    # when the first page is rasterised as a printer would and read by a QR reader
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    (image,) = tmp_path.glob("p*.png")
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(image))]
    # then
    assert found == [content([]).qr_text]
