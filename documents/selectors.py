"""Reads of travel documents: what a citizen holds (and their minors hold), one access check,
the derived status, and whether a document can be used in a service."""

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from core.dates import today_shanghai
from core.errors import NotFound
from core.masking import mask_document_number
from core.rawsql import Part, RawSelect
from persons.models import Guardianship, Person
from persons.names import pinyin_parts
from persons.selectors import minor_born_after, persons_acting_for

from . import mrz
from .errors import DocumentError
from .models import Document, DocumentEvent, DocumentStatus, DocumentType

# A warning shows when less than this remains (many destinations ask for 6 months' validity).
EXPIRING_SOON = relativedelta(months=6)
MAX_ID = 2**63 - 1
TYPE_ORDER = {value: index for index, value in enumerate(DocumentType.values)}
# Card passes carry a TD1 MRZ with these document codes; passports a TD3 with "P".
MRZ_CODES = {
    DocumentType.PASSPORT: (mrz.TD3, "P"),
    DocumentType.HK_MACAO_PASS: (mrz.TD1, "CS"),
    DocumentType.TAIWAN_PERMIT: (mrz.TD1, "CD"),
}


def document_display_status(document: Document, today: dt.date | None = None) -> str:
    """The status as people see it: a valid document past its expiry date is expired."""
    today = today or today_shanghai()
    if document.status == DocumentStatus.VALID and document.expires_on < today:
        return DocumentStatus.EXPIRED
    return document.status


def document_usable(document: Document, today: dt.date | None = None) -> bool:
    """Whether the document can be used in a service: not lost, invalidated or expired."""
    return document_display_status(document, today) == DocumentStatus.VALID


@dataclass(frozen=True)
class DocumentView:
    """A document as one reader sees it."""

    document: Document
    display_status: str
    days_left: int | None  # while valid: days until the expiry date (0 on the last day)
    expiring_soon: bool
    number: str  # in full for the holder and their guardians, masked for anyone else
    number_masked: str

    @property
    def pk(self) -> int:
        return self.document.pk

    @property
    def usable(self) -> bool:
        return self.display_status == DocumentStatus.VALID

    @property
    def status_label(self) -> str:
        return str(DocumentStatus(self.display_status).label)

    @property
    def can_report_lost(self) -> bool:
        return self.usable


@dataclass(frozen=True)
class PersonDocuments:
    """The documents of one person the reader acts for."""

    person: Person
    is_self: bool
    documents: list[DocumentView]


def document_view(
    document: Document, *, today: dt.date | None = None, full_number: bool
) -> DocumentView:
    """The document with its derived status, days left and the number as the reader may see it."""
    today = today or today_shanghai()
    status = document_display_status(document, today)
    valid = status == DocumentStatus.VALID
    return DocumentView(
        document=document,
        display_status=status,
        days_left=(document.expires_on - today).days if valid else None,
        expiring_soon=valid and document.expires_on < today + EXPIRING_SOON,
        number=document.number if full_number else mask_document_number(document.number),
        number_masked=mask_document_number(document.number),
    )


def _sort_key(document: Document) -> tuple:
    # Per type; within a type the one in use first, then the newest.
    return (
        TYPE_ORDER.get(document.type, 99),
        document.status != DocumentStatus.VALID,
        -document.issued_on.toordinal(),
        -document.pk,
    )


# The bound person and their registered minors (persons.selectors.minors_of), each with their
# documents (none: one row with NULL document columns), in one fixed SQL query: the hot path of
# GET /api/v1/me/documents (core.rawsql, measured in docs/benchmarks.md "My documents").
_ACTING_FOR_DOCUMENTS = RawSelect(
    [Part(Person, "p"), Part(Document, "d")],
    "FROM persons_person p"
    " LEFT JOIN documents_document d ON d.person_id = p.id"
    # IN (UNION) rather than "id = me OR id IN (...)": PostgreSQL keeps to the indexes.
    " WHERE p.id IN (SELECT %s UNION ALL"
    " SELECT g.child_id FROM persons_guardianship g WHERE g.guardian_id = %s)"
    " AND (p.id = %s OR p.birth_date > %s)",
)


def documents_for(*, user, today: dt.date | None = None) -> list[PersonDocuments]:
    """The documents of every person the user acts for (persons_acting_for): themself first,
    then each minor, youngest last.

    The user is the holder or a guardian of each holder, so numbers are in full. One query.
    """
    today = today or today_shanghai()
    me = getattr(user, "person", None) if user.is_authenticated else None
    if me is None:
        return []
    persons: dict[int, Person] = {me.pk: me}
    by_person: dict[int, list[Document]] = {me.pk: []}
    for person, document in _ACTING_FOR_DOCUMENTS.rows(
        [me.pk, me.pk, me.pk, minor_born_after(today)]
    ):
        person = persons.setdefault(person.pk, person)
        documents = by_person.setdefault(person.pk, [])
        if document is not None:
            document.person = person  # no query per document for the holder
            documents.append(document)
    minors = sorted(
        (p for p in persons.values() if p.pk != me.pk), key=lambda p: (p.birth_date, p.pk)
    )
    return [
        PersonDocuments(
            person=person,
            is_self=person is me,
            documents=[
                document_view(d, today=today, full_number=True)
                for d in sorted(by_person[person.pk], key=_sort_key)
            ],
        )
        for person in [me, *minors]
    ]


def document_get_for(*, user, document_id: int, today: dt.date | None = None) -> DocumentView:
    """The one access check: a document of a person the user acts for, or 404 as if it did not
    exist (for someone else's document too)."""
    today = today or today_shanghai()
    persons = {p.pk: p for p in persons_acting_for(user=user, today=today)}
    document = None
    if persons and 0 < document_id <= MAX_ID:
        document = Document.objects.filter(pk=document_id, person_id__in=persons).first()
    if document is None:
        raise NotFound(
            code=DocumentError.DOCUMENT_NOT_FOUND, detail=_("There is no such document.")
        )
    document.person = persons[document.person_id]
    return document_view(document, today=today, full_number=True)


# Every booking reads the person's documents to check the answers (a prepared statement).
_HELD = RawSelect([Part(Document, "d")], "FROM documents_document d WHERE d.person_id = %s")


def documents_held(*, person_id: int) -> list[Document]:
    """The documents a person holds, whatever their status, in no particular order (for
    checks, not for display: that is documents_for)."""
    return [document for (document,) in _HELD.rows([person_id])]


def documents_of_person(*, person: Person, today: dt.date | None = None) -> list[DocumentView]:
    """A person's documents for a back-office reader: numbers masked, derived status."""
    today = today or today_shanghai()
    documents = sorted(Document.objects.filter(person=person), key=_sort_key)
    for document in documents:
        document.person = person
    return [document_view(d, today=today, full_number=False) for d in documents]


def document_events(*, document: Document) -> list[DocumentEvent]:
    """The document's history, oldest first, with who did each change."""
    return list(
        DocumentEvent.objects.filter(document=document)
        .select_related("actor_person", "on_behalf_of", "loss_report")
        .order_by("at", "id")
    )


def document_mrz_data(document: Document) -> mrz.MrzData:
    """What the document's MRZ holds: the holder's pinyin name, birth date, sex, dates."""
    person = document.person
    surname, given = pinyin_parts(person.name_pinyin)
    fmt, code = MRZ_CODES[document.type]
    return mrz.MrzData(
        format=fmt,
        document_code=code,
        issuing_state=mrz.ISSUING_STATE,
        document_number=document.number,
        surname=mrz.transliterate(surname),
        given_names=mrz.transliterate(given),
        nationality=mrz.ISSUING_STATE,
        birth_date=person.birth_date,
        sex=person.sex,
        expiry_date=document.expires_on,
    )


def document_mrz(document: Document) -> list[str]:
    """The document's MRZ lines (ICAO 9303: TD3 for passports, TD1 for card passes)."""
    return mrz.mrz_lines(document_mrz_data(document))


def document_number_for(*, user, document: Document) -> str:
    """The number as this reader may see it: in full for the holder and the holder's guardians,
    masked for everyone else (staff lists, exports, other services)."""
    person_id = getattr(user, "person_id", None) if user.is_authenticated else None
    if person_id is not None and (
        person_id == document.person_id
        or Guardianship.objects.filter(guardian_id=person_id, child_id=document.person_id).exists()
    ):
        return document.number
    return mask_document_number(document.number)
