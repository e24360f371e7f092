"""The print-ready endorsement label (签注页) as a PDF: the endorsement code, validity dates,
trips and stay, sized for the label printer (85.6 x 54 mm, a card pass's size).

The CJK font comes from the same place as the acceptance receipt's (applications.receipt:
RECEIPT_FONT_PATH, installed by scripts/ensure_fonts.sh); without it the label is refused with
a 503 problem, as the receipt is.
"""

import io
import logging

from django.http import HttpResponse
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from applications.receipt import ReceiptFontMissing, receipt_font
from core.masking import mask_document_number

from .errors import LabelUnavailable
from .models import Endorsement

logger = logging.getLogger(__name__)
SIZE = (85.6 * mm, 54 * mm)


def _trips(endorsement: Endorsement) -> str:
    if endorsement.trips_total is None:
        return _("Multiple trips") + " / M"
    return _("%(n)s trip(s)") % {"n": endorsement.trips_total} + f" / {endorsement.trips_total}"


def label_lines(endorsement: Endorsement) -> list[tuple[str, str]]:
    """What the label says, label and value, in the active language plus the codes."""
    e = endorsement
    stay = _("%(n)s days") % {"n": e.stay_days} if e.stay_days is not None else _("As approved")
    return [
        (
            _("Endorsement"),
            f"{e.destination} {e.type_code} · {e.policy.name_zh} {e.policy.name_en}",
        ),
        (_("Code"), e.number),
        (_("Valid"), f"{e.valid_from:%Y.%m.%d} - {e.valid_until:%Y.%m.%d}"),
        (_("Trips"), _trips(e)),
        (_("Stay per trip"), stay),
        (_("Pass"), mask_document_number(e.document.number)),
    ]


def label_pdf(endorsement: Endorsement) -> bytes:
    """One label page; raises LabelUnavailable (503) without the CJK font."""
    try:
        font = receipt_font()
    except ReceiptFontMissing as error:
        logger.error("endorsement label refused: %s", error)
        raise LabelUnavailable() from None
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=SIZE, pageCompression=1)
    page.setTitle(_("Endorsement %(number)s") % {"number": endorsement.number})
    page.setAuthor(_("Exit-Entry Online Services"))
    page.setCreator("exitentry")
    y = SIZE[1] - 8 * mm
    page.setFont(font, 10)
    page.drawString(5 * mm, y, _("Exit-Entry endorsement") + " 签注")
    y -= 7 * mm
    for key, value in label_lines(endorsement):
        page.setFont(font, 7)
        page.drawString(5 * mm, y, key)
        page.setFont(font, 8.5)
        page.drawString(27 * mm, y, value)
        y -= 6 * mm
    page.showPage()
    page.save()
    return buffer.getvalue()


def label_response(pdf: bytes, endorsement: Endorsement) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="endorsement-{endorsement.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
