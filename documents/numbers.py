"""Travel-document numbers: the format of each document type, validated with readable reasons.

| type | format |
|---|---|
| ordinary passport | `E` + 8 digits, or `E` + letter + 7 digits (newer series) |
| Hong Kong and Macao pass | `C` + 8 digits, or `C` + letter (not I or O) + 7 digits |
| Taiwan travel permit | `L` + 8 digits |
"""

import re

from django.utils.translation import gettext as _

from .models import DocumentType

NUMBER_LENGTH = 9

# The letter each type's numbers start with, and the full pattern.
PREFIXES = {
    DocumentType.PASSPORT: "E",
    DocumentType.HK_MACAO_PASS: "C",
    DocumentType.TAIWAN_PERMIT: "L",
}
PATTERNS = {
    DocumentType.PASSPORT: re.compile(r"^E(?:[0-9]{8}|[A-Z][0-9]{7})$"),
    # I and O are never used as the series letter: they read as 1 and 0.
    DocumentType.HK_MACAO_PASS: re.compile(r"^C(?:[0-9]{8}|[A-HJ-NP-Z][0-9]{7})$"),
    DocumentType.TAIWAN_PERMIT: re.compile(r"^L[0-9]{8}$"),
}


class InvalidDocumentNumber(ValueError):
    """The value is not a number of this document type; str() says why, in the active language."""


def _format_hint(type: str) -> str:
    return {
        DocumentType.PASSPORT: _(
            "A passport number is E followed by 8 digits, or E, a letter and 7 digits."
        ),
        DocumentType.HK_MACAO_PASS: _(
            "A Hong Kong and Macao pass number is C followed by 8 digits, or C, a letter "
            "(not I or O) and 7 digits."
        ),
        DocumentType.TAIWAN_PERMIT: _("A Taiwan travel permit number is L followed by 8 digits."),
    }[type]


def document_number_clean(value: str, *, type: str) -> str:
    """Normalise (strip spaces, upper-case) and validate; raise InvalidDocumentNumber."""
    if type not in PATTERNS:
        raise InvalidDocumentNumber(_("Unknown document type."))
    number = "".join((value or "").split()).upper()
    if not number:
        raise InvalidDocumentNumber(_("Enter the document number."))
    if len(number) != NUMBER_LENGTH:
        raise InvalidDocumentNumber(
            _("A document number has 9 characters; this one has %(count)s.")
            % {"count": len(number)}
            + " "
            + _format_hint(type)
        )
    if number[0] != PREFIXES[type]:
        raise InvalidDocumentNumber(
            _("This number starts with %(letter)s; numbers of this document start with %(prefix)s.")
            % {"letter": number[0], "prefix": PREFIXES[type]}
        )
    if not PATTERNS[type].match(number):
        raise InvalidDocumentNumber(_format_hint(type))
    return number


def document_number_is_valid(value: str, *, type: str) -> bool:
    try:
        document_number_clean(value, type=type)
    except InvalidDocumentNumber:
        return False
    return True
