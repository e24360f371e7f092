import datetime as dt
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents.mrz import (
    TD1,
    TD3,
    MrzData,
    MrzError,
    check_digit,
    mrz_generate,
    mrz_lines,
    mrz_parse,
    transliterate,
)

TODAY = dt.date(2026, 11, 25)
# ICAO Doc 9303 part 4, appendix: the specimen passport of Anna Maria Eriksson (Utopia).
TD3_SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
# ICAO Doc 9303 part 5, appendix: the specimen TD1 card.
TD1_SPECIMEN = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)


@pytest.mark.parametrize(
    ("field", "digit"),
    [
        ("L898902C3", "6"),  # the known vector
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
        ("D23145890", "7"),
        ("<<<<<<<<<", "0"),
        ("", "0"),
    ],
)
def test_check_digits(field, digit):
    assert check_digit(field) == digit


def test_the_icao_td3_specimen_reads_and_regenerates():
    # when
    data = mrz_parse(TD3_SPECIMEN, today=TODAY)
    # then
    assert data == MrzData(
        format=TD3,
        document_code="P",
        issuing_state="UTO",
        document_number="L898902C3",
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        nationality="UTO",
        birth_date=dt.date(1974, 8, 12),
        sex="F",
        expiry_date=dt.date(2012, 4, 15),
        optional_data="ZE184226B",
    )
    assert mrz_generate(data) == TD3_SPECIMEN


def test_the_icao_td1_specimen_reads_and_regenerates():
    data = mrz_parse(TD1_SPECIMEN, today=TODAY)
    assert (data.format, data.document_code, data.document_number) == (TD1, "I", "D23145890")
    assert (data.surname, data.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert data.birth_date == dt.date(1974, 8, 12)
    assert mrz_generate(data) == TD1_SPECIMEN


def _chinese(**overrides) -> MrzData:
    values = {
        "format": TD3,
        "document_code": "P",
        "issuing_state": "CHN",
        "document_number": "EA1234567",
        "surname": "WANG",
        "given_names": "JIANGUO",
        "nationality": "CHN",
        "birth_date": dt.date(1986, 5, 20),
        "sex": "M",
        "expiry_date": dt.date(2034, 4, 30),
    }
    return MrzData(**(values | overrides))


def test_a_chinese_passport_is_td3_two_lines_of_44():
    lines = mrz_lines(_chinese())
    assert [len(line) for line in lines] == [44, 44]
    assert lines[0] == "P<CHNWANG<<JIANGUO" + "<" * 26
    assert lines[1].startswith("EA1234567" + check_digit("EA1234567") + "CHN860520")
    # An unused personal number: filler check digit.
    assert lines[1][28:43] == "<" * 15


def test_card_passes_are_td1_three_lines_of_30():
    lines = mrz_lines(_chinese(format=TD1, document_code="CS", document_number="CA1234567"))
    assert [len(line) for line in lines] == [30, 30, 30]
    assert lines[0].startswith("CSCHNCA1234567" + check_digit("CA1234567"))
    assert lines[2] == "WANG<<JIANGUO" + "<" * 17


def test_long_names_are_cut_to_the_field():
    lines = mrz_lines(_chinese(format=TD1, given_names="A" * 40))
    assert len(lines[2]) == 30


def test_transliteration():
    assert transliterate("Lyu Fang") == "LYU FANG"
    assert transliterate("lü") == "LYU"
    assert transliterate("O'Neil-Smith") == "O NEIL SMITH"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (TD3_SPECIMEN.replace("L898902C36", "L898902C35"), "document_number"),
        (TD3_SPECIMEN.replace("7408122", "7408123"), "birth_date"),
        (TD3_SPECIMEN.replace("1204159", "1204158"), "expiry_date"),
        (TD3_SPECIMEN.replace("<<<<<10", "<<<<<20"), "optional_data"),
        (TD3_SPECIMEN[:-1] + "9", "composite"),
        (TD1_SPECIMEN.replace("D231458907", "D231458908"), "document_number"),
        (TD1_SPECIMEN.replace("UTO<<<<<<<<<<<6", "UTO<<<<<<<<<<<5"), "composite"),
        ("P<UTO", "format"),
        ("", "format"),
        (TD3_SPECIMEN.replace("ERIKSSON", "eriksson"), "line 1"),
        (TD3_SPECIMEN.replace("2F12", "2Q12"), "sex"),
    ],
)
def test_a_wrong_mrz_names_the_failing_field(text, field):
    with pytest.raises(MrzError) as error:
        mrz_parse(text, today=TODAY)
    assert error.value.field == field


def test_an_impossible_date_with_a_right_check_digit_is_refused():
    # given a birth date of 31 February with its correct check digit
    line2 = "L898902C36UTO740231" + check_digit("740231") + "F1204159ZE184226B<<<<<1"
    line2 += check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    text = TD3_SPECIMEN.splitlines()[0] + "\n" + line2
    with pytest.raises(MrzError) as error:
        mrz_parse(text, today=TODAY)
    assert error.value.field == "birth_date"


@pytest.mark.parametrize(
    ("yymmdd", "expected"),
    [
        ("260101", dt.date(2026, 1, 1)),  # this year, already past
        ("261231", dt.date(1926, 12, 31)),  # this year but later than today: a century ago
        ("270101", dt.date(1927, 1, 1)),
        ("991231", dt.date(1999, 12, 31)),
        ("000229", dt.date(2000, 2, 29)),
    ],
)
def test_birth_century_is_the_latest_not_in_the_future(yymmdd, expected):
    data = _chinese()
    lines = mrz_lines(data)
    line2 = lines[1][:13] + yymmdd + check_digit(yymmdd) + lines[1][20:43]
    line2 += check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    assert mrz_parse(lines[0] + "\n" + line2, today=TODAY).birth_date == expected


_letters = st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=8)
_names = st.lists(_letters, min_size=1, max_size=3).map(" ".join)
_number = st.from_regex(r"\A(E[0-9]{8}|E[A-Z][0-9]{7}|C[0-9]{8}|C[A-HJ-NP-Z][0-9]{7}|L[0-9]{8})\Z")


@st.composite
def documents(draw):
    fmt = draw(st.sampled_from([TD3, TD1]))
    surname, given = draw(_names), draw(_names)
    width = 39 if fmt == TD3 else 30
    # Names that fit the field (longer ones are cut, and cannot read back whole).
    if len(surname) + 2 + len(given) > width:
        given = given[: max(0, width - len(surname) - 2)].strip()
    return MrzData(
        format=fmt,
        document_code="P" if fmt == TD3 else draw(st.sampled_from(["CS", "CD"])),
        issuing_state="CHN",
        document_number=draw(_number),
        surname=surname,
        given_names=" ".join(given.split()),
        nationality="CHN",
        birth_date=draw(st.dates(dt.date(1927, 11, 26), TODAY)),
        sex=draw(st.sampled_from(["M", "F", "<"])),
        expiry_date=draw(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))),
        optional_data=draw(st.from_regex(r"\A[A-Z0-9]{0,9}\Z")) if fmt == TD3 else "",
    )


@given(documents())
def test_parse_reads_back_what_generate_wrote(data):
    text = mrz_generate(data)
    assert mrz_parse(text, today=TODAY) == data
