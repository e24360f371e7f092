"""The progress lookup without signing in: an application number and the applicant's ID number.

Whoever asks learns only whether the two belong together, and then the application's progress
with a masked name. "No such application" and "not this person's ID number" must be the same
answer after the same work, or the lookup would tell which application numbers exist:

- the same one query either way (the application by its number, with its applicant and hall,
  a prepared statement), its row kept as plain values until the ID numbers matched, the same
  comparison in constant time (against a placeholder when nothing was found), and the same
  exception raised from one place;
- endorsement applications hold a number in the same format (Endorsement.application_number):
  the one statement reads both kinds (an application and an endorsement application by that
  number, each with its applicant and hall, either side NULL when missing), and the ID number is
  compared against both (or the placeholder), so a number of either kind, or none, costs the
  same;
- every attempt counts against two limits first: per client address and per application number
  (`PROGRESS_LOOKUP_RATE_PER_ADDRESS`, `PROGRESS_LOOKUP_RATE_PER_NUMBER`), so a number cannot be
  tried against many ID numbers, nor many numbers from one address.
"""

import datetime as dt
import hmac
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from core.errors import Problem
from core.i18n import is_chinese
from core.masking import mask_name
from core.ratelimit import rate_limit_hit
from core.rawsql import Part, RawSelect
from documents.models import DocumentType
from endorsements.models import Endorsement
from endorsements.selectors import PASS_FOR, endorsement_outlook
from guide.models import Hall
from persons.idnumbers import InvalidIdNumber, id_number_clean
from persons.models import Person

from . import selectors
from .errors import (
    InvalidApplicationNumber,
    InvalidLookupIdNumber,
    LookupInputInvalid,
    ProgressNoMatch,
)
from .models import Application, ApplicationStatus

APPLICATION_NUMBER_DIGITS = 14
# The application and the endorsement application by a number (one series: at most one of them
# exists), each with its applicant and hall (what the answer and the outlook read), in one
# prepared statement rather than two round trips (docs/benchmarks.md, "Applications"). The
# number is a parameter of the single-row subquery: the row comes back whether either exists
# or not, its missing side all NULL (RawSelect gives None for it).
_BY_NUMBER = RawSelect(
    [
        Part(Application, "a"),
        Part(Person, "p"),
        Part(Hall, "h"),
        Part(Endorsement, "e"),
        Part(Person, "ep"),
        Part(Hall, "eh"),
    ],
    "FROM (SELECT CAST(%s AS VARCHAR(14)) AS number) q"
    " LEFT JOIN applications_application a ON a.number = q.number"
    " LEFT JOIN persons_person p ON p.id = a.person_id"
    " LEFT JOIN guide_hall h ON h.id = a.hall_id"
    " LEFT JOIN endorsements_endorsement e ON e.application_number = q.number"
    " LEFT JOIN persons_person ep ON ep.id = e.person_id"
    " LEFT JOIN guide_hall eh ON eh.id = e.hall_id",
)
_ID_NUMBER_AT = _BY_NUMBER.index(1, "id_number")
_ENDORSEMENT_ID_NUMBER_AT = _BY_NUMBER.index(4, "id_number")
# Compared with the ID number given when no application has the number: the same comparison as
# for a real one (constant time, 18 characters), and no valid ID number can equal it.
_PLACEHOLDER_ID_NUMBER = "0" * 18


class ProgressError(StrEnum):
    """Stable codes of the progress lookup's errors (the classes are in applications.errors)."""

    INVALID_APPLICATION_NUMBER = InvalidApplicationNumber.code_value
    NO_MATCH = ProgressNoMatch.code_value
    RATE_LIMITED = "progress_lookup_rate_limited"


@dataclass(frozen=True, slots=True)
class ProgressAnswer:
    """What the lookup shows: the progress, and nothing personal but a masked name."""

    application_number: str
    kind: str  # "application" or "endorsement"
    name_masked: str
    document_type: str
    document_type_name: str
    status: str
    status_name: str
    stage_label: str
    expected_date: dt.date | None
    next_step: str
    updated_at: dt.datetime


def application_number_parse(value: str) -> str:
    """The number without spaces and hyphens; InvalidApplicationNumber unless 14 digits."""
    text = "".join(ch for ch in str(value or "") if ch not in " -\t")
    if len(text) != APPLICATION_NUMBER_DIGITS or not (text.isascii() and text.isdigit()):
        raise InvalidApplicationNumber()
    return text


def _parse(application_number: str, id_number: str) -> tuple[str, str]:
    """Both fields checked, every error reported at once (one code when only one is wrong)."""
    problems: list[Problem] = []
    number = person_id = ""
    try:
        number = application_number_parse(application_number)
    except InvalidApplicationNumber as problem:
        problems.append(problem)
    try:
        person_id = id_number_clean(id_number)
    except InvalidIdNumber as error:
        problems.append(InvalidLookupIdNumber(str(error)))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise LookupInputInvalid(
            " ".join(problem.detail for problem in problems),
            errors=[error for problem in problems for error in problem.errors],
        )
    return number, person_id


def _rate_limit(scope: str, key: str, rate: str) -> None:
    rate_limit_hit(scope=scope, key=key, rate=rate, code=ProgressError.RATE_LIMITED)


def progress_lookup(
    *, application_number: str, id_number: str, client_address: str | None
) -> ProgressAnswer:
    """The progress of the application with this number if the ID number is its applicant's;
    otherwise one and the same 404, whether the number exists or not."""
    if client_address:
        # First, so that malformed attempts count too.
        _rate_limit("progress-address", client_address, settings.PROGRESS_LOOKUP_RATE_PER_ADDRESS)
    number, person_id = _parse(application_number, id_number)
    _rate_limit("progress-number", number, settings.PROGRESS_LOOKUP_RATE_PER_NUMBER)

    # The same prepared statement (core.rawsql) whatever the number; its values stay a plain
    # tuple until an ID number matched, so a wrong ID number costs no more than a missing
    # number, and both comparisons run every time.
    (found,) = _BY_NUMBER.values([number])
    stored = found[_ID_NUMBER_AT] or _PLACEHOLDER_ID_NUMBER
    stored_endorsement = found[_ENDORSEMENT_ID_NUMBER_AT] or _PLACEHOLDER_ID_NUMBER
    same = hmac.compare_digest(stored.encode(), person_id.encode())
    same_endorsement = hmac.compare_digest(stored_endorsement.encode(), person_id.encode())
    if same or same_endorsement:
        application, person, hall, endorsement, endorsement_person, endorsement_hall = (
            _BY_NUMBER.instances(found)
        )
        if same and application is not None:
            application.person, application.hall = person, hall
            return progress_answer(application)
        if same_endorsement and endorsement is not None:
            endorsement.person, endorsement.hall = endorsement_person, endorsement_hall
            return endorsement_progress_answer(endorsement)
    raise ProgressNoMatch()


def progress_answer(application: Application) -> ProgressAnswer:
    """The lookup's answer for an application whose applicant was checked."""
    outlook = selectors.application_outlook(application)
    person = application.person
    return ProgressAnswer(
        application_number=application.number,
        kind="application",
        name_masked=mask_name(person.name_zh if is_chinese() else person.name_pinyin),
        document_type=application.document_type,
        document_type_name=application.get_document_type_display(),
        status=outlook.status,
        status_name=str(ApplicationStatus(outlook.status).label),
        stage_label=str(outlook.stage_label),
        expected_date=outlook.expected_date,
        next_step=str(outlook.next_step),
        updated_at=application.updated_at,
    )


def endorsement_progress_answer(endorsement: Endorsement) -> ProgressAnswer:
    """The lookup's answer for an endorsement application whose applicant was checked: the
    document is the card pass it goes on."""
    outlook = endorsement_outlook(endorsement, anonymous=True)
    person = endorsement.person
    document_type = PASS_FOR[endorsement.destination]
    return ProgressAnswer(
        application_number=endorsement.application_number,
        kind="endorsement",
        name_masked=mask_name(person.name_zh if is_chinese() else person.name_pinyin),
        document_type=document_type,
        document_type_name=str(DocumentType(document_type).label),
        status=outlook.status,
        status_name=outlook.status_label,
        stage_label=outlook.stage_label,
        expected_date=outlook.expected_date,
        next_step=outlook.next_step,
        updated_at=endorsement.updated_at,
    )
