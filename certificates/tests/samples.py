"""Sample certificate contents: the render tests and bench/certificates.py print the same page."""

from certificates import render
from certificates.records import CrossingRecord


def crossing(i: int) -> CrossingRecord:
    """The i-th of a series of Luohu crossings, entries and exits in turn."""
    return CrossingRecord(
        occurred_at=f"{2016 + i // 300}-{i // 25 % 12 + 1:02d}-{i % 25 + 1:02d} 10:{i % 60:02d}",
        direction_zh="出境" if i % 2 else "入境",
        direction_en="Exit" if i % 2 else "Entry",
        port_zh="罗湖口岸",
        port_en="Luohu",
        document="C******78",
        destination="香港 Hong Kong",
    )


def content(
    records: list,
    *,
    kind: str = "crossings",
    qr_text: str = "EEC1:" + "6BFOXN*TS0BI$ZD" * 20,
    issued_at: str = "2025-12-31 10:00",
) -> render.CertificateContent:
    return render.CertificateContent(
        kind=kind,
        code_display="ABCD-EFGH-JKAB-CDEF",
        holder_zh="王建国",
        holder_pinyin="Wang Jianguo",
        id_number_masked="1101**********002X",
        birth_date="1980-01-01",
        period="2016-01-01 – 2025-12-31",
        purpose="签证申请 Visa application",
        issued_at=issued_at,
        records=records,
        qr_text=qr_text,
        verify_url="https://example.test/verify/",
    )
