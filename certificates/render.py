"""The certificate as a PDF, in Chinese with English on every line (it goes to employers, banks
and visa offices abroad), whatever the reader's language.

The CJK font is the acceptance receipt's (WenQuanYi Micro Hei, embedded as a subset, so the
text renders and copies as text everywhere): applications.receipt registers it.
"""

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable, HRFlowable

from applications.receipt import ReceiptFontMissing, receipt_font

from .errors import CertificateUnavailable
from .records import CrossingRecord, PassportRecord

AUTHORITY_ZH = "国家移民管理局"
AUTHORITY_EN = "National Immigration Administration"
TITLES = {
    "crossings": ("出入境记录证明", "Entry/Exit Record Certificate"),
    "passport_issuance": ("普通护照签发记录", "Ordinary Passport Issuance Record"),
}
STATUS = {
    "valid": "有效 Valid",
    "expired": "已过期 Expired",
    "reported_lost": "已挂失 Reported lost",
    "invalidated": "已作废 Invalidated",
}


class QrCode(Flowable):
    """A QR code drawn as vector squares, one run of dark modules at a time (no image to encode
    and decode: an order of magnitude faster than a PNG, and sharp when printed)."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        # A fixed mask pattern (valid for any reader) spares segno scoring all eight: most of
        # the time it takes.
        self.qr = segno.make(data, error="m", mask=0)
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        rows = list(self.qr.matrix_iter(scale=1, border=4))
        module = self.size / len(rows)
        canvas = self.canv
        canvas.setFillColor(colors.black)
        path = canvas.beginPath()
        for y, row in enumerate(rows):
            x = 0
            while x < len(row):
                if row[x]:
                    start = x
                    while x < len(row) and row[x]:
                        x += 1
                    top = self.size - (y + 1) * module
                    path.rect(start * module, top, (x - start) * module, module)
                else:
                    x += 1
        canvas.drawPath(path, stroke=0, fill=1)


@dataclass(frozen=True)
class CertificateContent:
    kind: str
    code_display: str
    holder_zh: str
    holder_pinyin: str
    id_number_masked: str
    birth_date: str
    period: str  # "2020-01-01 – 2025-12-31" or ""
    purpose: str
    issued_at: str  # Asia/Shanghai, "YYYY-MM-DD HH:MM"
    records: list
    qr_text: str
    verify_url: str


def certificate_pdf(content: CertificateContent) -> bytes:
    """The certificate's PDF, unsigned."""
    try:
        font = receipt_font()
    except ReceiptFontMissing as error:
        raise CertificateUnavailable() from error
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=11)
    label = ParagraphStyle("label", parent=base, textColor=colors.HexColor("#505a5f"))
    title = ParagraphStyle("title", parent=base, fontSize=17, leading=23)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11)

    def p(text: str, style=base) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    zh, en = TITLES[content.kind]
    qr = QrCode(content.qr_text, 38 * mm)
    head = Table(
        [
            [
                [
                    p(f"{AUTHORITY_ZH}\n{AUTHORITY_EN}", label),
                    Spacer(1, 2 * mm),
                    p(zh, title),
                    p(en, title),
                ],
                qr,
            ]
        ],
        colWidths=[134 * mm, 40 * mm],
    )
    head.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    rows = [
        ("姓名 Name", f"{content.holder_zh}  {content.holder_pinyin}"),
        ("公民身份号码 ID number", content.id_number_masked),
        ("出生日期 Date of birth", content.birth_date),
    ]
    if content.period:
        rows.append(("查询期间 Period", content.period))
    if content.purpose:
        rows.append(("用途 Purpose", content.purpose))
    rows += [
        ("出具时间 Issued", f"{content.issued_at} (UTC+8)"),
        ("核验码 Verification code", content.code_display),
        ("记录数 Records", str(len(content.records))),
    ]
    details = Table([[p(k, label), p(v)] for k, v in rows], colWidths=[50 * mm, 124 * mm])
    details.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#b1b4b6")),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story = [
        head,
        HRFlowable(width="100%", thickness=1.5, color=colors.black, spaceBefore=2 * mm),
        details,
        Spacer(1, 5 * mm),
        _records_table(content.records, cell, label, p),
        Spacer(1, 5 * mm),
        p(
            "本证明由国家移民管理局电子签名，与加盖印章的纸质证明具有同等效力。"
            f"核验：{content.verify_url}（输入核验码、上传本文件或扫描二维码）。\n"
            "This certificate is signed electronically by the National Immigration "
            "Administration and has the same force as a stamped paper copy. Verify it at "
            f"{content.verify_url} with the verification code, this file or the QR code.",
            small,
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{zh} {en}",
        author=f"{AUTHORITY_ZH} {AUTHORITY_EN}",
        subject=content.code_display,
        keywords=f"verification-code:{content.code_display}",
        creator="exitentry",
        lang="zh-CN",
    ).build(story)
    return buffer.getvalue()


def _records_table(records: list, cell, label, p) -> Table | Paragraph:
    if not records:
        return p("该期间无出入境记录。 No entry or exit was recorded in this period.")
    grid = colors.HexColor("#b1b4b6")
    if isinstance(records[0], CrossingRecord):
        header = ["时间 Time", "出入境 Direction", "口岸 Port", "证件 Document", "前往地 To/From"]
        body = [
            [
                r.occurred_at,
                f"{r.direction_zh} {r.direction_en}",
                f"{r.port_zh}\n{r.port_en}",
                r.document,
                r.destination,
            ]
            for r in records
        ]
        widths = [30, 24, 60, 30, 30]
    else:
        assert isinstance(records[0], PassportRecord)
        header = [
            "护照号码 Number",
            "签发日期 Issued",
            "有效期至 Expires",
            "签发机关 Authority",
            "状态 Status",
        ]
        body = [
            [
                r.number,
                r.issued_on,
                r.expires_on,
                f"{r.authority_zh}\n{r.authority_en}",
                STATUS.get(r.status, r.status),
            ]
            for r in records
        ]
        widths = [28, 26, 26, 64, 30]
    # Plain strings, not Paragraphs: a table of a few hundred records lays out ten times faster.
    table = Table(
        [[p(h, label) for h in header], *body],
        colWidths=[w * mm for w in widths],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 1), (-1, -1), cell.fontName),
                ("FONTSIZE", (0, 1), (-1, -1), cell.fontSize),
                ("LEADING", (0, 1), (-1, -1), cell.leading),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, grid),
                ("LEFTPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table
