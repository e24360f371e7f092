"""Mainland mobile numbers: normalise to E.164, validate, mask."""

import phonenumbers
from django.utils.translation import gettext as _

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_MAX_INPUT = 32


class InvalidPhone(ValueError):
    """Not a mainland mobile number; str() says why, in the active language."""


def phone_clean(value: str) -> str:
    """Return the number in E.164 (+8613912345678); raise InvalidPhone.

    Accepts the usual ways of writing it: 13912345678, 139 1234 5678, +86 139-1234-5678,
    008613912345678.
    """
    raw = (value or "").strip()
    if not raw:
        raise InvalidPhone(_("Enter your mobile number."))
    if len(raw) > _MAX_INPUT:
        raise InvalidPhone(_("Enter a mainland mobile number, for example 139 1234 5678."))
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidPhone(
            _("Enter a mainland mobile number, for example 139 1234 5678.")
        ) from None
    if phonenumbers.region_code_for_number(number) != "CN":
        raise InvalidPhone(_("Enter a mainland China mobile number (+86)."))
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        raise InvalidPhone(_("This is not a mainland mobile number: check the 11 digits."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_national(e164: str) -> str:
    """+8613912345678 -> 13912345678."""
    return e164[3:] if (e164 or "").startswith("+86") else (e164 or "")


def mask_phone(value: str | None) -> str:
    """+8613912345678 -> *******5678: only the last four digits are shown."""
    digits = phone_national(value or "")
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_email(value: str | None) -> str:
    """zhang.wei@example.com -> z***@example.com."""
    local, sep, domain = (value or "").partition("@")
    if not sep:
        return "*" * len(local)
    return f"{local[:1]}***@{domain}"
