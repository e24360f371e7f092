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
    """A QR code drawn as vector squares, one rectangle per run of dark modules (no image to
    encode and decode: an order of magnitude faster than a PNG, and sharp when printed)."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        # A fixed mask pattern (valid for any reader) spares segno scoring all eight: most of
        # the time it takes.
        self.qr = segno.make(data, error="m", mask=0)
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        # segno's matrix has no quiet zone: the 4 modules of it are the margin around it.
        matrix = self.qr.matrix
        count = len(matrix)
        module = self.size / (count + 8)
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(colors.black)
        # In module units from the matrix's top left corner (rows downwards): the path's
        # numbers are small integers, quick to write.
        canvas.translate(4 * module, self.size - 4 * module)
        canvas.scale(module, -module)
        path = canvas.beginPath()
        for y, row in enumerate(matrix):
            x = 0
            while x < count:
                if row[x]:
                    start = x
                    while x < count and row[x]:
                        x += 1
                    path.rect(start, y, x - start, 1)
                else:
                    x += 1
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.restoreState()


class RecordsTable(Flowable):
    """The records as a table that continues on the next page with its header repeated.

    A platypus Table lays out and draws every cell on its own (style, padding, font, a text
    object per line): for a few hundred plain text cells that is most of the page's time. Here
    the rows are plain text (lines split at newlines, never wrapped), their heights known from
    the line count, and the whole body is one text object and one path of rules.
    """

    PADDING_X = 1.5
    PADDING_Y = 3

    def __init__(
        self,
        header: list,
        rows: list[list[str]],
        widths: list[float],
        *,
        font: str,
        size: float,
        leading: float,
        rule_color,
    ) -> None:
        super().__init__()
        self.header = header  # Paragraphs, which may wrap
        self.rows = rows
        self.widths = widths
        self.font, self.size, self.leading = font, size, leading
        self.rule_color = rule_color
        self.row_heights = [
            max(cell.count("\n") + 1 for cell in row) * leading + 2 * self.PADDING_Y for row in rows
        ]
        self.width = sum(widths)
        # The header is laid out once, at the columns' widths, for every page's part.
        self.header_heights = [
            p.wrap(w - 2 * self.PADDING_X, 10_000)[1] for p, w in zip(header, widths, strict=True)
        ]
        self.header_height = max(self.header_heights) + 2 * self.PADDING_Y
        self.height = self.header_height + sum(self.row_heights)
        # As wide as the page's other tables, placed as they are (centred on the frame).
        self.hAlign = "CENTER"

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def split(self, available_width, available_height):
        room = available_height - self.header_height
        fits = 0
        for height in self.row_heights:
            if room < height:
                break
            room -= height
            fits += 1
        if fits == len(self.rows):
            return [self]
        if fits == 0:  # not even one row: the whole table goes to the next page
            return []
        return [self._part(self.rows[:fits]), self._part(self.rows[fits:])]

    def _part(self, rows: list[list[str]]) -> "RecordsTable":
        return RecordsTable(
            self.header,
            rows,
            self.widths,
            font=self.font,
            size=self.size,
            leading=self.leading,
            rule_color=self.rule_color,
        )

    def draw(self) -> None:
        canvas = self.canv
        lefts = [sum(self.widths[:i]) + self.PADDING_X for i in range(len(self.widths))]
        top = self.height
        for paragraph, height, left in zip(self.header, self.header_heights, lefts, strict=True):
            paragraph.drawOn(canvas, left, top - self.PADDING_Y - height)
        y = top - self.header_height
        rules = []
        text = canvas.beginText()
        text.setFont(self.font, self.size, self.leading)
        for row, height in zip(self.rows, self.row_heights, strict=True):
            baseline = y - self.PADDING_Y - self.size
            for cell, left in zip(row, lefts, strict=True):
                text.setTextOrigin(left, baseline)
                text.textLines(cell, trim=0)
            y -= height
            rules.append((0, y, self.width, y))
        canvas.drawText(text)
        canvas.setLineWidth(0.8)
        canvas.line(0, top - self.header_height, self.width, top - self.header_height)
        canvas.setStrokeColor(self.rule_color)
        canvas.setLineWidth(0.3)
        canvas.lines(rules)


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


def _records_table(records: list, cell, label, p) -> RecordsTable | Paragraph:
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
    return RecordsTable(
        [p(h, label) for h in header],
        body,
        [w * mm for w in widths],
        font=cell.fontName,
        size=cell.fontSize,
        leading=cell.leading,
        rule_color=grid,
    )
