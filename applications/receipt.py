"""The acceptance receipt (受理回执) as a PDF: what was accepted, where, when, for how much, when it
should be ready, and a QR code that opens the progress lookup with the application number.

Chinese text needs a CJK font embedded in the file. reportlab embeds TrueType outlines as subsets
(only the characters used), so the font is a TrueType one: WenQuanYi Micro Hei from Debian's
fonts-wqy-microhei (scripts/ensure_fonts.sh installs it; RECEIPT_FONT_PATH points elsewhere).
The Noto CJK fonts are CFF-based OpenType, which reportlab cannot embed. Without the font the
receipt is refused with a 503 problem (`receipt_unavailable`) and an error in the log that says
what to install; `manage.py check --deploy` fails on it too, so production does not start
without it.
"""

import functools
import io
import logging
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from core.i18n import is_chinese, localized
from core.masking import mask_id_number
from guide.calendar import SHANGHAI

from . import selectors
from .errors import ReceiptUnavailable
from .models import Application

logger = logging.getLogger(__name__)

FONT_NAME = "ExitEntryCJK"


class ReceiptFontMissing(RuntimeError):
    """The CJK font the receipt embeds is not installed (or not a TrueType font)."""


@functools.cache
def _registered_font(path: str) -> str:
    """Register the font at `path` with reportlab once per process; return its name."""
    if not Path(path).is_file():
        raise ReceiptFontMissing(
            f"the receipt font {path} is missing: run scripts/ensure_fonts.sh (Debian's "
            "fonts-wqy-microhei) or set RECEIPT_FONT_PATH to a TrueType CJK font"
        )
    try:
        font = TTFont(FONT_NAME, path, subfontIndex=0)
    except (TTFError, OSError) as error:
        raise ReceiptFontMissing(
            f"the receipt font {path} cannot be embedded ({error}): RECEIPT_FONT_PATH must be "
            "a TrueType CJK font (.ttf, or .ttc whose first face is TrueType)"
        ) from error
    pdfmetrics.registerFont(font)
    return FONT_NAME


def receipt_font() -> str:
    """The registered receipt font's name; ReceiptFontMissing if it cannot be had."""
    return _registered_font(str(settings.RECEIPT_FONT_PATH))


def receipt_qr_png(data: str) -> bytes:
    """The QR code of `data` as a PNG, one pixel per module and a 4-module quiet zone."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=1, border=4)
    return buffer.getvalue()


def receipt_pdf(*, application: Application, lookup_url: str) -> bytes:
    """The acceptance receipt of `application` as a one-page A4 PDF in the active language.

    `lookup_url` is the progress lookup page with the application number filled in: the QR code
    holds it. Raises ReceiptUnavailable when the CJK font is missing.
    """
    try:
        font = receipt_font()
    except ReceiptFontMissing as error:
        logger.error("acceptance receipt refused: %s", error)
        raise ReceiptUnavailable() from None

    outlook = selectors.application_outlook(application)
    person, hall = application.person, application.hall
    accepted_at = application.accepted_at.astimezone(SHANGHAI)
    name = person.name_zh if is_chinese() else f"{person.name_zh} ({person.name_pinyin})"
    # No date once the document is made (or the application ended): say where it stands.
    expected = (
        outlook.expected_date.isoformat() if outlook.expected_date else str(outlook.stage_label)
    )
    rows = [
        (_("Application number"), application.number),
        (_("Applicant"), name),
        (_("ID number"), mask_id_number(person.id_number)),
        (_("Document"), application.get_document_type_display()),
        (_("Application"), application.get_kind_display()),
        (_("Hall"), f"{localized(hall, 'name')}\n{localized(hall, 'address')}"),
        (
            _("Accepted on"),
            _("%(when)s (Beijing time)") % {"when": f"{accepted_at:%Y-%m-%d %H:%M}"},
        ),
        (_("Fee paid"), _("RMB %(amount)s") % {"amount": f"{application.fee_amount:.2f}"}),
        (_("Expected completion"), expected),
        (_("Status"), application.get_status_display()),
    ]

    text = ParagraphStyle("text", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    label = ParagraphStyle("label", parent=text, textColor=colors.HexColor("#505a5f"))
    title = ParagraphStyle("title", parent=text, fontSize=20, leading=26, spaceAfter=2 * mm)
    small = ParagraphStyle("small", parent=text, fontSize=9, leading=13)

    def paragraph(value: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(value).replace("\n", "<br/>"), style)

    qr = Image(io.BytesIO(receipt_qr_png(lookup_url)), width=32 * mm, height=32 * mm)
    head = Table(
        [
            [
                [
                    paragraph(_("Exit-Entry Online Services"), label),
                    paragraph(_("Acceptance receipt"), title),
                    paragraph(
                        _("Application number %(number)s") % {"number": application.number}, text
                    ),
                ],
                qr,
            ]
        ],
        colWidths=[140 * mm, 34 * mm],
    )
    head.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    details = Table(
        [[paragraph(key, label), paragraph(value, text)] for key, value in rows],
        colWidths=[45 * mm, 129 * mm],
    )
    details.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5 * mm),
            ]
        )
    )
    story = [
        head,
        HRFlowable(width="100%", thickness=2, color=colors.black, spaceBefore=3 * mm),
        details,
        Spacer(1, 6 * mm),
        paragraph(
            _(
                "Follow your application under My applications, or scan the code to check its "
                "progress with the application number and the applicant's ID number."
            ),
            small,
        ),
        paragraph(lookup_url, small),
        Spacer(1, 3 * mm),
        paragraph(_("Keep this receipt until you have your document."), small),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Acceptance receipt %(number)s") % {"number": application.number},
        author=_("Exit-Entry Online Services"),
        creator="exitentry",
        lang="zh-CN" if is_chinese() else "en",
    ).build(story)
    return buffer.getvalue()


def receipt_response(request: HttpRequest, application: Application) -> HttpResponse:
    """The receipt as a response (the page and the API alike): inline, never stored."""
    lookup = reverse("applications:progress") + f"?number={application.number}"
    pdf = receipt_pdf(application=application, lookup_url=request.build_absolute_uri(lookup))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{application.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
