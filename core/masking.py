"""Masking of personal numbers where the full value is not needed (lists, exports, logs)."""


def mask_id_number(value: str) -> str:
    """11010519491231002X -> 1101**********002X (area prefix and the last four kept)."""
    value = value or ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_document_number(value: str) -> str:
    """E12345678 -> E******78 (the type letter and the last two kept)."""
    value = value or ""
    if len(value) < 4:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 3) + value[-2:]


def mask_name(value: str) -> str:
    """王建国 -> 王**, Wang Jianguo -> Wang J. (the surname kept, the given name hidden).

    For answers to people who have not signed in (the progress lookup): enough for the person
    to recognise their own application, not enough to learn whose it is.
    """
    value = " ".join((value or "").split())
    if not value:
        return ""
    if not value.isascii():  # Chinese characters: the first (the surname) and one star each
        characters = value.replace(" ", "")
        return characters[0] + "*" * (len(characters) - 1)
    surname, *given = value.split(" ")
    return " ".join([surname, *(f"{word[0]}." for word in given)])
