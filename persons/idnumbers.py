"""Resident ID numbers (GB 11643): check character, validation with readable reasons."""

import datetime as dt

from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


class InvalidIdNumber(ValueError):
    """The value is not a valid resident ID number; str() says why, in the active language."""


def id_check_character(first17: str) -> str:
    """The 18th character for the first 17 digits (weighted sum mod 11)."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_clean(value: str) -> str:
    """Normalise (strip spaces, upper-case X) and validate; raise InvalidIdNumber."""
    number = "".join((value or "").split()).upper()
    if not number.isascii():
        raise InvalidIdNumber(_("An ID number is 17 digits followed by a digit or X."))
    if len(number) != 18:
        raise InvalidIdNumber(_("An ID number has 18 characters."))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(_("An ID number is 17 digits followed by a digit or X."))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(
            _("The date of birth in this ID number is not a real date.")
        ) from None
    if birth.year < 1900 or birth > dt.date.today():
        raise InvalidIdNumber(_("The date of birth in this ID number is not possible."))
    if id_check_character(number[:17]) != number[17]:
        raise InvalidIdNumber(_("This ID number is not valid: check the last character."))
    return number


def id_number_birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_sex(number: str) -> str:
    """'M' or 'F' from the sequence digit (odd is male)."""
    return "M" if int(number[16]) % 2 else "F"


def id_number_make(*, area: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid number (for demo data and tests)."""
    first17 = f"{area}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)
