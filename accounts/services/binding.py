"""Real-name binding: an account bound to its registry person, with a code sent to the phone
the registry holds for that person."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, Problem
from core.ratelimit import SHANGHAI_DAY_OFFSET, Rate
from persons.idnumbers import InvalidIdNumber, id_number_clean
from persons.models import Person

from ..errors import AccountsError
from ..models import User, VerificationCode
from .codes import CodeSent, code_problem, code_send, destination_hash, redeem
from .inputs import attempt_count, phone_on_file

logger = logging.getLogger(__name__)

Purpose = VerificationCode.Purpose

# Lookups of name + ID number per account and day: binding is not a way to probe the registry.
IDENTITY_DAILY_LIMIT = 10


def _normalised_name(value: str) -> str:
    text = "".join((value or "").split()).replace("-", "")
    for dot in "·•‧・.":
        text = text.replace(dot, "")
    return text.casefold()


def _name_matches(person: Person, name: str) -> bool:
    given = _normalised_name(name)
    return bool(given) and given in (
        _normalised_name(person.name_zh),
        _normalised_name(person.name_pinyin),
    )


def _person_is_bound(person: Person) -> bool:
    return User.objects.filter(person=person).exists()


def _already_bound() -> Problem:
    return Problem(
        status=409,
        code=AccountsError.IDENTITY_ALREADY_BOUND,
        detail=_(
            "This identity is already bound to another account: one person can have only one "
            "account. Sign in to that account, or visit a hall with your ID card if you cannot."
        ),
    )


def _account_already_bound() -> Problem:
    return Problem(
        status=409,
        code=AccountsError.ACCOUNT_ALREADY_BOUND,
        detail=_("Your account is already bound to your identity."),
    )


def _count_identity_lookup(user: User) -> None:
    # A day as the message says it: from midnight to midnight in Beijing.
    attempt_count(
        scope="accounts-identity",
        key=str(user.pk),
        rate=Rate(IDENTITY_DAILY_LIMIT, 24 * 3600, offset=SHANGHAI_DAY_OFFSET),
        detail=lambda: _("Too many attempts to bind an identity today. Try again tomorrow."),
    )


# Reads only: the code is sent in its own transaction (code_send).
def identity_bind_start(*, user: User, name: str, id_number: str) -> CodeSent:
    """Find the registry person by ID number AND name and send a code to THEIR phone on file.

    A mismatch gets one neutral answer, whether or not the ID number exists.
    """
    if user.person_id:
        raise _account_already_bound()
    try:
        number = id_number_clean(id_number)
    except InvalidIdNumber as exc:
        raise InvalidInput(
            field="id_number", message=str(exc), code=AccountsError.ID_NUMBER_INVALID
        ) from None
    if not _normalised_name(name):
        raise InvalidInput(field="name", message=_("Enter your name as written on your ID card."))
    _count_identity_lookup(user)
    person = Person.objects.filter(id_number=number).first()
    if person is None or not _name_matches(person, name):
        logger.info("Identity binding for account %s: no match in the registry", user.pk)
        raise Problem(
            status=422,
            code=AccountsError.IDENTITY_NOT_MATCHED,
            detail=_(
                "These details do not match the population registry. Check your name and ID "
                "number exactly as they are written on your ID card."
            ),
        )
    if _person_is_bound(person):
        raise _already_bound()
    on_file = phone_on_file(person)
    if on_file is None:
        raise Problem(
            status=422,
            code=AccountsError.NO_PHONE_ON_FILE,
            detail=_(
                "The registry has no mobile number for you, so no code can be sent. Bring your "
                "ID card to any exit-entry hall to bind your account."
            ),
        )
    return code_send(
        purpose=Purpose.BIND_IDENTITY,
        destination=on_file,
        user=user,
        payload={"person_id": person.pk},
    )


@transaction.atomic
def identity_bind(*, user: User, person: Person) -> User:
    """Bind the account to the person (one person, one account; the database checks it too)."""
    account = User.objects.select_for_update().get(pk=user.pk)
    if account.person_id:
        raise _account_already_bound()
    if _person_is_bound(person):
        raise _already_bound()
    account.person = person
    account.bound_at = timezone.now()
    try:
        with transaction.atomic():
            account.save(update_fields=["person", "bound_at"])
    except IntegrityError:
        raise _already_bound() from None
    user.person, user.bound_at = person, account.bound_at
    logger.info("Account %s bound to registry person %s", user.pk, person.pk)
    return account


def identity_bind_confirm(*, user: User, code: str) -> User:
    """Bind the account with the code sent to the person's phone on file."""
    if user.person_id:
        raise _account_already_bound()

    def bind(row: VerificationCode) -> User:
        person = Person.objects.select_for_update().filter(pk=row.payload.get("person_id")).first()
        on_file = phone_on_file(person) if person else None
        # The code proves the phone on file; it must still be the number the code went to.
        if on_file is None or destination_hash(on_file) != row.destination_hash:
            raise code_problem(
                AccountsError.CODE_INVALID,
                _("The registry's mobile number has changed. Please start again."),
            )
        return identity_bind(user=user, person=person)

    return redeem(purpose=Purpose.BIND_IDENTITY, user=user, code=code, then=bind)
