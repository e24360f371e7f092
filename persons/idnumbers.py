"""Resident ID numbers (GB 11643): validation with readable reasons.

The rules are python-stdnum's (`stdnum.cn.ric`: the check character, the birth date); the
messages are the project's, and "not possible" means after today in Asia/Shanghai. stdnum's
check of the birth place against its list of counties is not applied: the registry holds
numbers from every era's area codes.
"""

import datetime as dt

from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from core.dates import today_shanghai


class InvalidIdNumber(ValueError):
    """The value is not a valid resident ID number; str() says why, in the active language."""


def id_check_character(first17: str) -> str:
    """The 18th character for the first 17 digits (weighted sum mod 11)."""
    return ric.calc_check_digit(first17 + "0")


def id_number_clean(value: str) -> str:
    """Normalise (strip spaces, upper-case X) and validate; raise InvalidIdNumber."""
    number = ric.compact("".join((value or "").split()))
    if not number.isascii():
        raise InvalidIdNumber(_("An ID number is 17 digits followed by a digit or X."))
    if len(number) != 18:
        raise InvalidIdNumber(_("An ID number has 18 characters."))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(_("An ID number is 17 digits followed by a digit or X."))
    try:
        birth = ric.get_birth_date(number)
    except ValidationError:
        raise InvalidIdNumber(
            _("The date of birth in this ID number is not a real date.")
        ) from None
    if birth.year < 1900 or birth > today_shanghai():
        raise InvalidIdNumber(_("The date of birth in this ID number is not possible."))
    if id_check_character(number[:17]) != number[17]:
        raise InvalidIdNumber(_("This ID number is not valid: check the last character."))
    return number


def id_number_birth_date(number: str) -> dt.date:
    return ric.get_birth_date(number)


def id_number_sex(number: str) -> str:
    """'M' or 'F' from the sequence digit (odd is male)."""
    return "M" if int(number[16]) % 2 else "F"


def id_number_make(*, area: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid number (for demo data and tests)."""
    first17 = f"{area}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)
