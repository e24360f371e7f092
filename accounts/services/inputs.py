"""What a citizen typed, cleaned and checked: mobile number, email, password; a number or an
address already used by another account; how many tries a citizen has."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.errors import ErrorCode, InvalidInput, Problem
from core.ratelimit import Rate, RateLimited, rate_limit_check, rate_limit_hit
from persons.models import Person

from ..errors import AccountsError, Throttled
from ..models import User
from ..phones import InvalidPhone, phone_clean
from ..validators import GuessablePasswordValidator, MaximumLengthValidator

T = TypeVar("T")


def phone_input(value: str, field: str = "phone") -> str:
    """The mobile number in E.164, or InvalidInput naming `field` with the reason."""
    try:
        return phone_clean(value)
    except InvalidPhone as exc:
        raise InvalidInput(
            field=field, message=str(exc), code=AccountsError.PHONE_INVALID
        ) from None


def email_input(value: str | None, *, required: bool = False) -> str:
    """The email address normalised ("" for none, unless `required`); InvalidInput if malformed."""
    value = (value or "").strip()
    if not value and not required:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidInput(
            field="email",
            message=_("Enter an email address in the form name@example.com."),
            code=AccountsError.EMAIL_INVALID,
        ) from None
    return User.objects.normalize_email(value)


def _password_validators() -> list:
    validators = password_validation.get_default_password_validators()
    configured = {type(v) for v in validators}
    # Until AUTH_PASSWORD_VALIDATORS lists them, the project's own validators are added here.
    extra = [MaximumLengthValidator(), GuessablePasswordValidator()]
    return [*validators, *(v for v in extra if type(v) not in configured)]


def password_check(*, password: str, user: User) -> None:
    """Refuse a password that a validator refuses (all the reasons, in the field `password`)."""
    try:
        password_validation.validate_password(
            password, user, password_validators=_password_validators()
        )
    except ValidationError as exc:
        messages = list(exc.messages)
        raise Problem(
            status=422,
            code=AccountsError.PASSWORD_INVALID,
            detail=" ".join(messages),
            errors=[{"field": "password", "message": m} for m in messages],
        ) from None


def valid_or_blank(phone: str) -> str:
    """The mobile number in E.164, or "" when it is not one."""
    try:
        return phone_clean(phone)
    except InvalidPhone:
        return ""


def gather(*checks: Callable[[], T]) -> list[T]:
    """Run every check; raise one 422 with the errors of all that refused."""
    results, problems = [], []
    for check in checks:
        try:
            results.append(check())
        except Problem as problem:
            if problem.status != 422:
                raise
            problems.append(problem)
            results.append(None)
    if problems:
        codes = {p.code for p in problems}
        errors = [e for p in problems for e in p.errors]
        raise Problem(
            status=422,
            code=codes.pop() if len(codes) == 1 else ErrorCode.VALIDATION_FAILED,
            detail=" ".join(p.detail for p in problems),
            errors=errors,
        )
    return results


def taken_problem(field: str, *, in_field: bool = True) -> Problem:
    """409: another account uses this mobile number (`field` "phone") or email address."""
    if field == "phone":
        code, message = (
            AccountsError.PHONE_TAKEN,
            _("This mobile number is used by another account."),
        )
    else:
        code = AccountsError.EMAIL_TAKEN
        message = _("This email address is already used by another account.")
    errors = [{"field": field, "message": message}] if in_field else None
    return Problem(status=409, code=code, detail=message, errors=errors)


def refuse_taken(field: str, value: str, *, user: User | None = None) -> None:
    """Refuse a mobile number (`field` "phone") or email address (any case) that another
    account than `user` uses."""
    others = User.objects.filter(**{"phone" if field == "phone" else "email__iexact": value})
    if user is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise taken_problem(field)


def phone_on_file(person: Person) -> str | None:
    """The registry's mobile number for the person, cleaned; None when it has no usable one."""
    try:
        return phone_clean(person.phone_on_file) if person.phone_on_file else None
    except InvalidPhone:
        return None


def attempt_count(
    *, scope: str, key: str, rate: Rate, detail: Callable[[], str], count: bool = True
) -> None:
    """Count one attempt of `key` (core.ratelimit); past `rate`, refuse with `detail` (429
    too_many_tries, Retry-After when the window ends). With count=False only refuse when the
    window is already full, counting nothing (for limits that count failures only)."""
    check = rate_limit_hit if count else rate_limit_check
    try:
        check(scope=scope, key=key, rate=rate, code=AccountsError.TOO_MANY_TRIES)
    except RateLimited as exc:
        raise Throttled(
            code=AccountsError.TOO_MANY_TRIES, detail=detail(), retry_after=exc.retry_after
        ) from None
