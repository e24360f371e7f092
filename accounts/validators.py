"""Password validators: a maximum length, and a refusal of guessable, breached-looking passwords.

Django's own validators (minimum length, the 20,000 common passwords, all digits, similarity
to the username) catch whole passwords; the breach corpora show that most of the rest are built
from a few guessable parts: sequences (123456, abcdef), keyboard runs (qwerty, 1qaz2wsx),
repetitions (aaaaaa, 5201314 5201314), dates and years, a handful of words (password, woaini),
and the holder's own mobile number, date of birth or ID number. GuessablePasswordValidator
refuses a password whose characters are almost all covered by such parts.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

_KEYBOARD_LINES = (
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "~!@#$%^&*()_+",
    # Columns, as people type them top to bottom: 1qaz2wsx3edc...
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7",
    "qazwsxedcrfvtgbyhnujmik,ol.p;/",
    # Two lines zipped: 1q2w3e4r, q1w2e3r4.
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
)
_KEYBOARD_MIN = 4
_SEQUENCE_MIN = 3
# Parts of passwords that breach corpora show again and again (checked after undoing the usual
# letter-for-digit swaps, so p@ssw0rd counts as password).
_COMMON_WORDS = (
    "password",
    "passwd",
    "pass",
    "admin",
    "root",
    "login",
    "welcome",
    "letmein",
    "iloveyou",
    "woaini",
    "aini",
    "qwerty",
    "dragon",
    "monkey",
    "master",
    "shadow",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "superman",
    "batman",
    "hello",
    "china",
    "zhongguo",
    "beijing",
    "shanghai",
    "shenzhen",
    "test",
    "user",
)
# Numbers with a meaning in Chinese ("I love you", "for a lifetime", luck).
_COMMON_NUMBERS = ("5201314", "1314", "520", "666", "888", "168")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


@dataclass
class _Coverage:
    """Which characters of the password belong to a guessable part, and which kinds were found."""

    length: int
    covered: list[bool] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.covered = [False] * self.length

    def mark(self, start: int, end: int, kind: str) -> None:
        for i in range(start, end):
            self.covered[i] = True
        if kind not in self.kinds:
            self.kinds.append(kind)

    @property
    def uncovered(self) -> int:
        return self.covered.count(False)


def _same_class(a: str, b: str) -> bool:
    return (a.isdigit() and b.isdigit()) or (a.isalpha() and b.isalpha())


def _mark_sequences(text: str, cover: _Coverage) -> None:
    """abc, 4321, xyz: runs of neighbouring characters, up or down."""
    i = 0
    while i < len(text) - 1:
        step = ord(text[i + 1]) - ord(text[i])
        j = i + 1
        if step in (1, -1) and _same_class(text[i], text[i + 1]):
            while (
                j + 1 < len(text)
                and ord(text[j + 1]) - ord(text[j]) == step
                and _same_class(text[j], text[j + 1])
            ):
                j += 1
            if j - i + 1 >= _SEQUENCE_MIN:
                cover.mark(i, j + 1, "sequence")
        i = j


def _mark_interleaved(text: str, cover: _Coverage) -> None:
    """a1b2c3, 1a2b3c: two sequences zipped together."""
    for i in range(len(text) - 5):
        end = i + 2
        while (
            end < len(text)
            and abs(ord(text[end]) - ord(text[end - 2])) == 1
            and _same_class(text[end], text[end - 2])
        ):
            end += 1
        if end - i >= 6:
            cover.mark(i, end, "sequence")


def _mark_keyboard(text: str, cover: _Coverage) -> None:
    """qwerty, asdf, 1qaz2wsx: runs along a keyboard line, either way."""
    lines = [*_KEYBOARD_LINES, *(line[::-1] for line in _KEYBOARD_LINES)]
    for i in range(len(text)):
        longest = 0
        for line in lines:
            length = _KEYBOARD_MIN
            while i + length <= len(text) and text[i : i + length] in line:
                length += 1
            longest = max(longest, length - 1)
        if longest >= _KEYBOARD_MIN:
            cover.mark(i, i + longest, "keyboard")


def _mark_repeats(text: str, cover: _Coverage) -> None:
    """aaa, abab, woaiwoai: a character three times running, or a group said twice."""
    for match in re.finditer(r"(.)\1{2,}", text):
        cover.mark(match.start(), match.end(), "repeated")
    for unit in range(2, len(text) // 2 + 1):
        for i in range(len(text) - 2 * unit + 1):
            if text[i : i + unit] == text[i + unit : i + 2 * unit]:
                cover.mark(i, i + 2 * unit, "repeated")


def _is_date(digits: str) -> bool:
    try:
        day = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return 1900 <= day.year <= 2099


def _mark_dates(text: str, cover: _Coverage) -> None:
    """19900101, 1990: a date written as YYYYMMDD, or a year."""
    for i in range(len(text) - 7):
        if text[i : i + 8].isdigit() and _is_date(text[i : i + 8]):
            cover.mark(i, i + 8, "date")
    for match in re.finditer(r"(?=((19|20)\d\d))", text):
        cover.mark(match.start(), match.start() + 4, "date")


def _mark_words(text: str, cover: _Coverage) -> None:
    leet = text.translate(_LEET)
    for word in _COMMON_WORDS:
        for source in (text, leet):
            start = source.find(word)
            while start != -1:
                cover.mark(start, start + len(word), "common")
                start = source.find(word, start + 1)
    for number in _COMMON_NUMBERS:
        start = text.find(number)
        while start != -1:
            cover.mark(start, start + len(number), "common")
            start = text.find(number, start + 1)


def password_coverage(password: str) -> _Coverage:
    """Mark the characters of the password that belong to guessable parts."""
    text = password.lower()
    cover = _Coverage(len(text))
    _mark_sequences(text, cover)
    _mark_interleaved(text, cover)
    _mark_keyboard(text, cover)
    _mark_repeats(text, cover)
    _mark_dates(text, cover)
    _mark_words(text, cover)
    return cover


def _part_names() -> dict[str, str]:
    return {
        "sequence": _("sequences such as 1234 or abcd"),
        "keyboard": _("keyboard runs such as qwerty or 1qaz2wsx"),
        "repeated": _("repeated characters or groups such as aaaa or abab"),
        "date": _("dates or years"),
        "common": _("common words or numbers such as password or 5201314"),
    }


# Django's four validators with the project's own words: citizens have no "username" (their
# account is their mobile number), and the messages say what to do instead.


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: use at least %(min_length)d character.",
            "This password is too short: use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Use at least %(min_length)d character.",
            "Use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class PersonalInformationSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Refuse a password too like the account's mobile number or email address."""

    def __init__(self, user_attributes=("username", "phone", "email"), max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def get_error_message(self) -> str:
        return _(
            "This password is too like your mobile number or email address: choose one that "
            "has nothing to do with them."
        )

    def get_help_text(self) -> str:
        return _("Do not base it on your mobile number or email address.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _(
            "This password is one of the most used ones, which are tried first: choose another."
        )

    def get_help_text(self) -> str:
        return _("Do not use a common password.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password has only digits: add letters or other characters.")

    def get_help_text(self) -> str:
        return _("Do not use only digits.")


class MaximumLengthValidator:
    """Refuse passwords longer than `max_length` characters (hashing very long input is slow)."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long: use at most %(max_length)d character.",
                    "This password is too long: use at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password can have at most %(max_length)d character.",
            "Your password can have at most %(max_length)d characters.",
            self.max_length,
        ) % {"max_length": self.max_length}


class GuessablePasswordValidator:
    """Refuse a password made almost only of guessable parts, or holding the holder's own
    mobile number, date of birth or ID number."""

    def __init__(self, min_unguessable: int = 4) -> None:
        self.min_unguessable = min_unguessable

    def validate(self, password: str, user=None) -> None:
        errors = self._personal(password.lower(), user)
        if errors:
            raise ValidationError(errors)
        cover = password_coverage(password)
        if cover.uncovered < self.min_unguessable:
            names = _part_names()
            parts = pgettext("list separator", ", ").join(names[kind] for kind in cover.kinds)
            raise ValidationError(
                _(
                    "This password is too easy to guess: it is made mostly of %(parts)s. "
                    "Add words or characters that follow no pattern."
                ),
                code="password_guessable",
                params={"parts": parts},
            )

    @staticmethod
    def _personal(text: str, user) -> list[ValidationError]:
        errors = []
        phone = (getattr(user, "phone", None) or "").removeprefix("+86")
        if len(phone) == 11 and (phone in text or phone[-8:] in text):
            errors.append(
                ValidationError(
                    _("Your password must not contain your mobile number."),
                    code="password_contains_phone",
                )
            )
        person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
        birth = getattr(person, "birth_date", None)
        if birth is not None and any(
            form in text
            for form in (f"{birth:%Y%m%d}", f"{birth:%y%m%d}", f"{birth:%d%m%Y}", f"{birth:%m%d%Y}")
        ):
            errors.append(
                ValidationError(
                    _("Your password must not contain your date of birth."),
                    code="password_contains_birth_date",
                )
            )
        id_number = (getattr(person, "id_number", "") or "").lower()
        if id_number and id_number[-6:] in text:
            errors.append(
                ValidationError(
                    _("Your password must not contain your ID number or its last six characters."),
                    code="password_contains_id_number",
                )
            )
        return errors

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be mostly a sequence, a keyboard run, a repetition, a date or a "
            "common word, and cannot contain your mobile number, date of birth or ID number."
        )
