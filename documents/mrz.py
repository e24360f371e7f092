"""Machine-readable zones (ICAO Doc 9303): generation with check digits, and a checking parser.

TD3 (passports): 2 lines of 44 characters. TD1 (cards: the Hong Kong and Macao pass `CS`, the
Taiwan travel permit `CD`): 3 lines of 30. Check digits use the weights 7, 3, 1 over the values
0-9 for digits, 10-35 for A-Z and 0 for the filler `<`, modulo 10.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

FILLER = "<"
TD3, TD1 = "TD3", "TD1"
TD3_WIDTH, TD1_WIDTH = 44, 30
ISSUING_STATE = "CHN"

_WEIGHTS = (7, 3, 1)
_ALPHABET = re.compile(r"^[A-Z0-9<]*$")
_NAME = re.compile(r"^[A-Z]+(?: [A-Z]+)*$")


class MrzError(ValueError):
    """An MRZ that does not read back: `field` names the part that failed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class MrzData:
    """What an MRZ holds. Names are upper-case A-Z words separated by single spaces."""

    format: str  # TD3 or TD1
    document_code: str  # "P" (passport), "CS", "CD"
    issuing_state: str
    document_number: str
    surname: str
    given_names: str
    nationality: str
    birth_date: dt.date
    sex: str  # "M", "F", or "X" / "<" (unspecified)
    expiry_date: dt.date
    optional_data: str = ""  # TD3: personal number; TD1: optional data of line 1
    optional_data_2: str = ""  # TD1 only: optional data of line 2


def _value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    raise MrzError("character", _("%(char)s is not allowed in an MRZ.") % {"char": repr(char)})


def check_digit(field: str) -> str:
    """The ICAO 9303 check digit of a field: L898902C3 -> "6"."""
    return str(sum(_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field)) % 10)


def _pad(text: str, width: int) -> str:
    if len(text) > width:
        raise ValueError(f"{text!r} is longer than {width} characters")
    return text + FILLER * (width - len(text))


def _field(text: str, width: int, name: str) -> str:
    text = (text or "").upper()
    if not _ALPHABET.match(text.replace(" ", FILLER)):
        raise ValueError(f"{name}: only A-Z, 0-9 and < are allowed")
    return _pad(text.replace(" ", FILLER), width)


def _date(value: dt.date) -> str:
    return f"{value:%y%m%d}"


def _name_field(surname: str, given_names: str, width: int) -> str:
    """SURNAME<<GIVEN<NAMES, padded; truncated from the given names when too long."""
    surname = transliterate(surname).replace(" ", FILLER)
    given = transliterate(given_names).replace(" ", FILLER)
    text = f"{surname}<<{given}" if given else surname
    return _pad(text[:width], width)


def transliterate(text: str) -> str:
    """Upper-case A-Z words: ü -> YU (as Chinese passports write 吕 LYU), other signs dropped."""
    text = (text or "").upper().replace("Ü", "YU")
    text = re.sub(r"[-']", " ", text)
    text = re.sub(r"[^A-Z ]", "", text)
    return " ".join(text.split())


def mrz_lines(data: MrzData) -> list[str]:
    """The lines of the MRZ for `data` (TD3 or TD1, from data.format)."""
    if data.format == TD3:
        return _td3(data)
    if data.format == TD1:
        return _td1(data)
    raise ValueError(f"unknown MRZ format {data.format!r}")


def mrz_generate(data: MrzData) -> str:
    """The MRZ as text, lines separated by newlines."""
    return "\n".join(mrz_lines(data))


def _td3(d: MrzData) -> list[str]:
    code = _field(d.document_code, 2, "document_code")
    line1 = code + _field(d.issuing_state, 3, "issuing_state")
    line1 += _name_field(d.surname, d.given_names, TD3_WIDTH - 5)
    number = _field(d.document_number, 9, "document_number")
    birth, expiry = _date(d.birth_date), _date(d.expiry_date)
    personal = _field(d.optional_data, 14, "optional_data")
    # An unused personal number has the filler as its check digit (ICAO 9303-4, 4.2.2).
    personal_check = FILLER if personal == FILLER * 14 else check_digit(personal)
    parts = [
        number + check_digit(number),
        _field(d.nationality, 3, "nationality"),
        birth + check_digit(birth),
        _field(d.sex, 1, "sex"),
        expiry + check_digit(expiry),
        personal + personal_check,
    ]
    composite = parts[0] + parts[2] + parts[4] + parts[5]
    line2 = "".join(parts) + check_digit(composite)
    return [line1, line2]


def _td1(d: MrzData) -> list[str]:
    number = _field(d.document_number, 9, "document_number")
    optional1 = _field(d.optional_data, 15, "optional_data")
    line1 = _field(d.document_code, 2, "document_code") + _field(d.issuing_state, 3, "state")
    line1 += number + check_digit(number) + optional1
    birth, expiry = _date(d.birth_date), _date(d.expiry_date)
    line2 = (
        birth
        + check_digit(birth)
        + _field(d.sex, 1, "sex")
        + expiry
        + check_digit(expiry)
        + _field(d.nationality, 3, "nationality")
        + _field(d.optional_data_2, 11, "optional_data_2")
    )
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += check_digit(composite)
    line3 = _name_field(d.surname, d.given_names, TD1_WIDTH)
    return [line1, line2, line3]


# Reading back ------------------------------------------------------------------------------


def _strip(text: str) -> str:
    return text.rstrip(FILLER)


def _expect(field: str, digits: str, check: str, *, empty_ok: bool = False) -> None:
    if empty_ok and set(digits) == {FILLER} and check in (FILLER, "0"):
        return
    if check != check_digit(digits):
        raise MrzError(
            field,
            _("The check digit %(check)s does not match (it should be %(expected)s).")
            % {"check": check, "expected": check_digit(digits)},
        )


def _parse_date(field: str, text: str, *, birth: bool, today: dt.date) -> dt.date:
    if not re.fullmatch(r"\d{6}", text):
        raise MrzError(field, _("A date is six digits, YYMMDD."))
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    # Expiry dates are in this century. A birth date is in the latest century that does not
    # put it in the future: 26 read in 2026 is 2026, 27 is 1927.
    year = 2000 + yy
    if birth and year > today.year:
        year -= 100
    try:
        value = dt.date(year, mm, dd)
    except ValueError:
        raise MrzError(field, _("%(text)s is not a real date.") % {"text": text}) from None
    if birth and value > today:
        try:
            value = value.replace(year=year - 100)
        except ValueError:  # 29 February of a century year that was not a leap year
            raise MrzError(field, _("%(text)s is not a real date.") % {"text": text}) from None
    return value


def _parse_name(field: str) -> tuple[str, str]:
    surname, _sep, given = field.partition("<<")
    return (
        " ".join(p for p in surname.split(FILLER) if p),
        " ".join(p for p in given.split(FILLER) if p),
    )


def mrz_parse(text: str, *, today: dt.date | None = None) -> MrzData:
    """Read a TD3 or TD1 MRZ back, checking every check digit; raise MrzError naming the field."""
    today = today or dt.date.today()
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    if [len(line) for line in lines] == [TD3_WIDTH, TD3_WIDTH]:
        kind = TD3
    elif [len(line) for line in lines] == [TD1_WIDTH] * 3:
        kind = TD1
    else:
        raise MrzError(
            "format", _("An MRZ is 2 lines of 44 characters (TD3) or 3 lines of 30 (TD1).")
        )
    for number, line in enumerate(lines, start=1):
        if not _ALPHABET.match(line):
            raise MrzError(f"line {number}", _("Only A-Z, 0-9 and < are allowed."))
    return _read_td3(lines, today) if kind == TD3 else _read_td1(lines, today)


def _read_td3(lines: list[str], today: dt.date) -> MrzData:
    line1, line2 = lines
    _expect("document_number", line2[0:9], line2[9])
    _expect("birth_date", line2[13:19], line2[19])
    _expect("expiry_date", line2[21:27], line2[27])
    _expect("optional_data", line2[28:42], line2[42], empty_ok=True)
    _expect("composite", line2[0:10] + line2[13:20] + line2[21:43], line2[43])
    surname, given = _parse_name(line1[5:])
    return MrzData(
        format=TD3,
        document_code=_strip(line1[0:2]),
        issuing_state=_strip(line1[2:5]),
        document_number=_strip(line2[0:9]),
        surname=surname,
        given_names=given,
        nationality=_strip(line2[10:13]),
        birth_date=_parse_date("birth_date", line2[13:19], birth=True, today=today),
        sex=_sex(line2[20]),
        expiry_date=_parse_date("expiry_date", line2[21:27], birth=False, today=today),
        optional_data=_strip(line2[28:42]),
    )


def _read_td1(lines: list[str], today: dt.date) -> MrzData:
    line1, line2, line3 = lines
    _expect("document_number", line1[5:14], line1[14])
    _expect("birth_date", line2[0:6], line2[6])
    _expect("expiry_date", line2[8:14], line2[14])
    _expect("composite", line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29], line2[29])
    surname, given = _parse_name(line3)
    return MrzData(
        format=TD1,
        document_code=_strip(line1[0:2]),
        issuing_state=_strip(line1[2:5]),
        document_number=_strip(line1[5:14]),
        surname=surname,
        given_names=given,
        nationality=_strip(line2[15:18]),
        birth_date=_parse_date("birth_date", line2[0:6], birth=True, today=today),
        sex=_sex(line2[7]),
        expiry_date=_parse_date("expiry_date", line2[8:14], birth=False, today=today),
        optional_data=_strip(line1[15:30]),
        optional_data_2=_strip(line2[18:29]),
    )


def _sex(char: str) -> str:
    if char not in ("M", "F", "X", FILLER):
        raise MrzError("sex", _("The sex is M, F, X or <."))
    return char
