"""Writes of travel documents: recording them from the registry, reporting one lost,
invalidating one. Every status change is an action of the document's workflow
(documents.workflow, on core.workflow), which appends the event."""

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.auth import require_bound
from core.errors import IdempotencyKeyReused, InvalidInput, NotFound
from core.masking import mask_document_number
from persons.selectors import persons_acting_for
from persons.services import Outcome, person_by_id_number

from .errors import AlreadyReportedLost, DocumentError, NotValid
from .models import Document, DocumentEvent, DocumentStatus, DocumentType, LossReport
from .mrz import mrz_lines
from .numbers import PREFIXES, InvalidDocumentNumber, document_number_clean
from .selectors import document_display_status, document_mrz_data, today_shanghai
from .workflow import DOCUMENTS

logger = logging.getLogger(__name__)

DEFAULT_AUTHORITY_ZH = "国家移民管理局"
DEFAULT_AUTHORITY_EN = "National Immigration Administration"
MAX_IDEMPOTENCY_KEY = 100


def _transition(
    *,
    document: Document,
    to: str,
    actor=None,
    note: str = "",
    idempotency_key: str = "",
) -> DocumentEvent:
    """Apply the workflow's action that leads to `to` (documents.workflow) and append its
    event, inside the caller's transaction."""
    action = _ACTION_TO.get(to, f"to_{to}")
    return DOCUMENTS.apply(
        document,
        action,
        actor=actor,
        note=note,
        data={"idempotency_key": idempotency_key} if idempotency_key else None,
        changes={"status_changed_at": timezone.now()},
    )


_ACTION_TO = {DocumentStatus.REPORTED_LOST: "report_lost", DocumentStatus.INVALIDATED: "invalidate"}


def idempotency_key_clean(value: str | None) -> str:
    """The client's Idempotency-Key header: printable ASCII, at most 100 characters."""
    key = (value or "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY or not all(33 <= ord(c) < 127 for c in key):
        raise InvalidInput(
            field="Idempotency-Key",
            code=DocumentError.INVALID_IDEMPOTENCY_KEY,
            message=_("An Idempotency-Key is up to 100 printable characters without spaces."),
        )
    return key


@dataclass(frozen=True)
class LossDetails:
    """When, where and how a document was lost, as the holder tells it."""

    lost_on: dt.date | None
    place: str
    how: str
    circumstances: str = ""


MAX_LOSS_PLACE = 200
MAX_LOSS_CIRCUMSTANCES = 500


def loss_details_check(loss: LossDetails, *, document: Document, today: dt.date) -> LossDetails:
    """The loss details cleaned, or a 422 naming the field (lost_on, place, how, ...)."""
    place, circumstances = loss.place.strip(), loss.circumstances.strip()
    if loss.lost_on is None:
        raise InvalidInput(field="lost_on", message=_("Enter the date the document was lost."))
    if loss.lost_on > today:
        raise InvalidInput(
            field="lost_on", message=_("The date the document was lost must be today or earlier.")
        )
    if loss.lost_on < document.issued_on:
        raise InvalidInput(
            field="lost_on",
            message=_(
                "The date the document was lost must be on or after its issue date, %(date)s."
            )
            % {"date": document.issued_on.isoformat()},
        )
    if not place:
        raise InvalidInput(field="place", message=_("Enter where the document was lost."))
    if len(place) > MAX_LOSS_PLACE:
        raise InvalidInput(
            field="place",
            message=_("Where the document was lost must be %(max)d characters or fewer.")
            % {"max": MAX_LOSS_PLACE},
        )
    if loss.how not in LossReport.How.values:
        raise InvalidInput(field="how", message=_("Choose how the document was lost."))
    if len(circumstances) > MAX_LOSS_CIRCUMSTANCES:
        raise InvalidInput(
            field="circumstances",
            message=_("What happened must be %(max)d characters or fewer.")
            % {"max": MAX_LOSS_CIRCUMSTANCES},
        )
    return LossDetails(lost_on=loss.lost_on, place=place, how=loss.how, circumstances=circumstances)


@transaction.atomic
def document_report_lost(
    *,
    user,
    document: Document,
    idempotency_key: str = "",
    today: dt.date | None = None,
    loss: LossDetails | None = None,
) -> Document:
    """Report a valid document lost (挂失), at once, for the user or a minor they act for; the
    loss details (when, where, how), when given, are kept with the report.

    Final: a lost document can no longer be used anywhere. Reporting it again is a 409, unless
    the request repeats an earlier one with the same Idempotency-Key, which returns its result.
    """
    require_bound(user)
    key = idempotency_key_clean(idempotency_key)
    today = today or today_shanghai()
    locked = Document.objects.select_for_update().filter(pk=document.pk).first()
    acting = {p.pk for p in persons_acting_for(user=user, today=today)}
    if locked is None or locked.person_id not in acting:
        raise NotFound(
            code=DocumentError.DOCUMENT_NOT_FOUND, detail=_("There is no such document.")
        )
    if key:
        earlier = DocumentEvent.objects.filter(actor=user, idempotency_key=key).first()
        if earlier is not None:
            if (
                earlier.document_id == locked.pk
                and earlier.kind == DocumentEvent.Kind.REPORTED_LOST
            ):
                return locked  # a retry of the same request: the same result, nothing new
            raise IdempotencyKeyReused()
    if locked.status == DocumentStatus.REPORTED_LOST:
        raise AlreadyReportedLost()
    if document_display_status(locked, today) != DocumentStatus.VALID:
        raise NotValid(DocumentStatus(document_display_status(locked, today)).label.lower())
    clean = loss_details_check(loss, document=locked, today=today) if loss else None
    event = _transition(
        document=locked,
        to=DocumentStatus.REPORTED_LOST,
        actor=user,
        idempotency_key=key,
    )
    if clean is not None:
        LossReport.objects.create(
            event=event,
            lost_on=clean.lost_on,
            place=clean.place,
            how=clean.how,
            circumstances=clean.circumstances,
        )
    logger.info(
        "document %s reported lost%s",
        mask_document_number(locked.number),
        "" if locked.person_id == user.person_id else " by a guardian",
    )
    return locked


@transaction.atomic
def document_invalidate(*, document: Document, actor=None, note: str = "") -> Document:
    """Invalidate a valid document (replaced or cancelled by the authority)."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    _transition(document=locked, to=DocumentStatus.INVALIDATED, actor=actor, note=note)
    logger.info("document %s invalidated", mask_document_number(locked.number))
    return locked


# Recording documents from the registry (import, demo data) ---------------------------------

_STATUSES_IN = {
    "valid": DocumentStatus.VALID,
    "expired": DocumentStatus.EXPIRED,
    "reported_lost": DocumentStatus.REPORTED_LOST,
    "invalidated": DocumentStatus.INVALIDATED,
}


def _date(value, *, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput(
            field=field, code=DocumentError.INVALID_DATES, message=_("Enter a date as YYYY-MM-DD.")
        ) from None


@transaction.atomic
def document_record(
    *,
    holder_id_number: str,
    type: str,
    number: str,
    issued_on: dt.date | str,
    expires_on: dt.date | str,
    status: str = DocumentStatus.VALID,
    issuing_authority_zh: str = "",
    issuing_authority_en: str = "",
    today: dt.date | None = None,
) -> tuple[Document, Outcome]:
    """Create or update a document as the registry states it (matched by type and number).

    A person holds one valid document of a type: when a newer one is recorded, the older valid
    one is invalidated; an older one recorded after a newer one is stored as invalidated.
    A document already reported lost or invalidated stays so (those are final).
    """
    today = today or today_shanghai()
    type = (type or "").strip()
    if type not in DocumentType.values:
        raise InvalidInput(
            field="type",
            code=DocumentError.INVALID_TYPE,
            message=_("The type is one of: %(types)s.") % {"types": ", ".join(DocumentType.values)},
        )
    try:
        number = document_number_clean(number, type=type)
    except InvalidDocumentNumber as error:
        raise InvalidInput(
            field="number", code=DocumentError.INVALID_NUMBER, message=str(error)
        ) from None
    issued, expires = _date(issued_on, field="issued_on"), _date(expires_on, field="expires_on")
    if issued > today:
        raise InvalidInput(
            field="issued_on",
            code=DocumentError.INVALID_DATES,
            message=_("The date of issue cannot be in the future."),
        )
    if expires <= issued:
        raise InvalidInput(
            field="expires_on",
            code=DocumentError.INVALID_DATES,
            message=_("The expiry date must be after the date of issue."),
        )
    wanted = _STATUSES_IN.get((status or "valid").strip())
    if wanted is None:
        raise InvalidInput(
            field="status",
            code=DocumentError.INVALID_STATUS,
            message=_("The status is one of: %(statuses)s.")
            % {"statuses": ", ".join(_STATUSES_IN)},
        )
    if wanted == DocumentStatus.EXPIRED:
        if expires >= today:
            raise InvalidInput(
                field="status",
                code=DocumentError.INVALID_STATUS,
                message=_("The status says expired, but the expiry date has not passed."),
            )
        wanted = DocumentStatus.VALID  # expiry is read from the date, never stored
    holder = person_by_id_number(holder_id_number, field="holder_id_number")
    values = {
        "issued_on": issued,
        "expires_on": expires,
        "issuing_authority_zh": (issuing_authority_zh or "").strip() or DEFAULT_AUTHORITY_ZH,
        "issuing_authority_en": (issuing_authority_en or "").strip() or DEFAULT_AUTHORITY_EN,
    }
    existing = Document.objects.select_for_update().filter(type=type, number=number).first()
    if existing is not None:
        return existing, _document_update(existing, holder=holder, values=values, wanted=wanted)
    return _document_create(holder=holder, type=type, number=number, values=values, wanted=wanted)


def _document_update(document: Document, *, holder, values: dict, wanted: str) -> Outcome:
    if document.person_id != holder.pk:
        raise InvalidInput(
            field="number",
            code=DocumentError.NUMBER_OF_ANOTHER_PERSON,
            message=_("A document with this number belongs to another person."),
        )
    changed = [name for name, value in values.items() if getattr(document, name) != value]
    if changed:
        for name in changed:
            setattr(document, name, values[name])
        document.save(update_fields=changed)
    if wanted != document.status and wanted in DOCUMENTS.statuses_after(document.status):
        _transition(document=document, to=wanted, note="registry")
        changed.append("status")
    return Outcome.UPDATED if changed else Outcome.UNCHANGED


def _document_create(*, holder, type: str, number: str, values: dict, wanted: str):
    note = ""
    if wanted == DocumentStatus.VALID:
        current = (
            Document.objects.select_for_update()
            .filter(person=holder, type=type, status=DocumentStatus.VALID)
            .first()
        )
        if current is not None and current.issued_on <= values["issued_on"]:
            _transition(
                document=current,
                to=DocumentStatus.INVALIDATED,
                note=f"replaced by {mask_document_number(number)}",
            )
        elif current is not None:
            wanted, note = DocumentStatus.INVALIDATED, "a newer document of this type is valid"
    document = Document.objects.create(
        person=holder,
        type=type,
        number=number,
        status=wanted,
        status_changed_at=None if wanted == DocumentStatus.VALID else timezone.now(),
        **values,
    )
    DocumentEvent.objects.create(
        document=document,
        kind=DocumentEvent.Kind.RECORDED,
        from_status="",
        to_status=wanted,
        on_behalf_of=holder,
        note=note,
    )
    logger.debug("registry: document %s recorded", mask_document_number(number))
    return document, Outcome.CREATED


# Issuing a new document (production of an application) ------------------------------------

ADULT_AGE = 16  # the guides: 10 years from 16 on, 5 years for children under 16


def document_validity_years(*, birth_date: dt.date, issued_on: dt.date) -> int:
    """Years of validity by the holder's age on the day of issue (the guides' rule)."""
    age = (
        issued_on.year
        - birth_date.year
        - ((issued_on.month, issued_on.day) < (birth_date.month, birth_date.day))
    )
    return 10 if age >= ADULT_AGE else 5


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def document_number_new(type: str) -> str:
    """A new number in the type's format (documents.numbers): its letter and eight digits."""
    return document_number_clean(f"{PREFIXES[type]}{secrets.randbelow(10**8):08d}", type=type)


def document_issue(*, person, type: str, actor=None, today: dt.date | None = None) -> Document:
    """Issue a new document of `type` to `person` into the registry, inside the caller's
    transaction: a new number in its format, valid 10 years (5 under 16) less a day, its MRZ
    checked, and the valid document it replaces invalidated in the same transaction."""
    today = today or today_shanghai()
    current = (
        Document.objects.select_for_update()
        .filter(person=person, type=type, status=DocumentStatus.VALID)
        .first()
    )
    expires = _years_later(
        today, document_validity_years(birth_date=person.birth_date, issued_on=today)
    ) - dt.timedelta(days=1)
    for _attempt in range(5):
        number = document_number_new(type)
        if not Document.objects.filter(type=type, number=number).exists():
            break
    else:  # pragma: no cover - 10^8 numbers per type
        raise RuntimeError("could not allocate a document number")
    if current is not None:
        _transition(
            document=current,
            to=DocumentStatus.INVALIDATED,
            actor=actor,
            note=f"replaced by {mask_document_number(number)}",
        )
    document = Document.objects.create(
        person=person,
        type=type,
        number=number,
        issued_on=today,
        expires_on=expires,
        issuing_authority_zh=DEFAULT_AUTHORITY_ZH,
        issuing_authority_en=DEFAULT_AUTHORITY_EN,
    )
    mrz_lines(document_mrz_data(document))  # raises MrzError if the data cannot make an MRZ
    DocumentEvent.objects.create(
        document=document,
        kind=DocumentEvent.Kind.ISSUED,
        from_status="",
        to_status=DocumentStatus.VALID,
        actor=actor,
        on_behalf_of=person,
    )
    logger.info("document %s issued", mask_document_number(number))
    return document
