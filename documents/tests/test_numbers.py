import pytest
from django.utils import translation

from documents.models import DocumentType
from documents.numbers import InvalidDocumentNumber, document_number_clean, document_number_is_valid

P, C, L = DocumentType.PASSPORT, DocumentType.HK_MACAO_PASS, DocumentType.TAIWAN_PERMIT


@pytest.mark.parametrize(
    ("type_", "value", "expected"),
    [
        (P, "E12345678", "E12345678"),
        (P, "EA1234567", "EA1234567"),
        (P, " e a123 4567 ", "EA1234567"),
        (P, "EI1234567", "EI1234567"),  # the passport series may use any letter
        (C, "C12345678", "C12345678"),
        (C, "CA0000001", "CA0000001"),
        (C, "cz9999999", "CZ9999999"),
        (L, "L12345678", "L12345678"),
    ],
)
def test_valid_numbers_are_normalised(type_, value, expected):
    assert document_number_clean(value, type=type_) == expected
    assert document_number_is_valid(value, type=type_)


@pytest.mark.parametrize(
    ("type_", "value", "reason"),
    [
        (P, "", "Enter the document number"),
        (P, "E1234567", "has 9 characters; this one has 8"),
        (P, "E123456789", "this one has 10"),
        (P, "C12345678", "starts with C; numbers of this document start with E"),
        (P, "EAB123456", "E followed by 8 digits, or E, a letter and 7 digits"),
        (P, "E1234567X", "E followed by 8 digits"),
        (C, "CI1234567", "not I or O"),
        (C, "CO1234567", "not I or O"),
        (C, "E12345678", "start with C"),
        (L, "LA1234567", "L followed by 8 digits"),
        (L, "C12345678", "start with L"),
    ],
)
def test_bad_numbers_give_a_readable_reason(type_, value, reason):
    with translation.override("en"), pytest.raises(InvalidDocumentNumber) as error:
        document_number_clean(value, type=type_)
    assert reason in str(error.value)
    assert not document_number_is_valid(value, type=type_)


def test_unknown_type_is_refused():
    with translation.override("en"), pytest.raises(InvalidDocumentNumber, match="Unknown"):
        document_number_clean("E12345678", type="visa")


def test_digits_of_other_scripts_are_refused():
    assert not document_number_is_valid("E1234567٠", type=P)
    assert not document_number_is_valid("L１2345678", type=L)
