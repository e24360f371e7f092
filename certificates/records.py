"""What a certificate states, read from the apps that hold it: the person's crossings (the
crossings app) and their ordinary passports (the documents app), as plain rows the PDF prints,
the QR code's digest covers and the verification page shows."""

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass

from core.masking import mask_document_number
from crossings.selectors import person_crossings
from documents.models import Document, DocumentType
from guide.calendar import SHANGHAI

DIRECTIONS = {"exit": ("出境", "Exit"), "entry": ("入境", "Entry")}
PLACES = {"HKG": "香港 Hong Kong", "MAC": "澳门 Macao", "TWN": "台湾 Taiwan"}


@dataclass(frozen=True)
class CrossingRecord:
    occurred_at: str  # Asia/Shanghai, "YYYY-MM-DD HH:MM"
    direction_zh: str
    direction_en: str
    port_zh: str
    port_en: str
    document: str  # type and number, masked
    destination: str


@dataclass(frozen=True)
class PassportRecord:
    number: str
    issued_on: str
    expires_on: str
    authority_zh: str
    authority_en: str
    status: str


def _crossing(row) -> CrossingRecord:
    """One row of crossings.selectors.person_crossings as the certificate prints it."""
    zh, en = DIRECTIONS.get(row.direction, (row.direction, row.direction))
    return CrossingRecord(
        occurred_at=row.occurred_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        direction_zh=zh,
        direction_en=en,
        port_zh=row.port.name_zh,
        port_en=row.port.name_en,
        document=mask_document_number(row.document.number) if row.document_id else "",
        destination=PLACES.get(row.destination, row.destination),
    )


def crossing_records(*, person_id: int, start: dt.date, end: dt.date) -> list[CrossingRecord]:
    """The person's crossings from `start` to `end` (whole days, Asia/Shanghai), oldest first."""
    begin = dt.datetime.combine(start, dt.time(), SHANGHAI)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), SHANGHAI)
    rows = person_crossings(person_id, start=begin, end=until)
    records = [_crossing(row) for row in rows]
    return sorted(records, key=lambda r: r.occurred_at)


def passport_records(*, person_id: int) -> list[PassportRecord]:
    """Every ordinary passport issued to the person, oldest first (numbers in full: the holder's
    own certificate, for a visa office that needs them)."""
    passports = Document.objects.filter(person_id=person_id, type=DocumentType.PASSPORT).order_by(
        "issued_on", "id"
    )
    return [
        PassportRecord(
            number=p.number,
            issued_on=p.issued_on.isoformat(),
            expires_on=p.expires_on.isoformat(),
            authority_zh=p.issuing_authority_zh,
            authority_en=p.issuing_authority_en,
            status=p.status,
        )
        for p in passports
    ]


def content_digest(*, header: dict, records: list) -> str:
    """SHA-256 of what the certificate states, as canonical JSON (the QR code carries it)."""
    body = {"header": header, "records": [asdict(r) for r in records]}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
