"""Import of the population registry from CSV or JSON: persons, documents, guardianships.

Each row is validated and written in its own transaction by the registry's services; a bad row
is reported (row number, field, reason) and the import goes on. Rows are matched by ID number
or document number, so importing the same file twice changes nothing.

CSV: one file with a `record` column (person, document or guardianship) and the union of the
columns below. JSON: an object with the lists "persons", "documents" and "guardianships", or a
list of objects each with a "record" key. Persons are written before documents and guardianships.

- person: id_number, name_zh, name_pinyin (optional: generated), household_region (region code),
  phone_on_file (optional), sex and birth_date (optional: checked against the ID number)
- document: holder_id_number, type (passport, hk_macao_pass, taiwan_permit), number, issued_on,
  expires_on, status (valid, expired, reported_lost, invalidated; default valid),
  issuing_authority_zh, issuing_authority_en (optional)
- guardianship: guardian_id_number, child_id_number, relation (parent or other; default parent)
"""

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError
from django.utils.translation import gettext as _

from core.errors import Problem

from . import services

RECORD_KINDS = ("person", "document", "guardianship")
SECTIONS = {"persons": "person", "documents": "document", "guardianships": "guardianship"}
_FIELDS = {
    "person": (
        "id_number",
        "name_zh",
        "name_pinyin",
        "household_region",
        "phone_on_file",
        "sex",
        "birth_date",
    ),
    "document": (
        "holder_id_number",
        "type",
        "number",
        "issued_on",
        "expires_on",
        "status",
        "issuing_authority_zh",
        "issuing_authority_en",
    ),
    "guardianship": ("guardian_id_number", "child_id_number", "relation"),
}
_REQUIRED = {
    "person": ("id_number", "name_zh", "household_region"),
    "document": ("holder_id_number", "type", "number", "issued_on", "expires_on"),
    "guardianship": ("guardian_id_number", "child_id_number"),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (unknown extension, not CSV/JSON, wrong shape)."""


@dataclass(frozen=True)
class Row:
    number: int  # the line in a CSV file (header = 1), the position in a JSON list (from 1)
    kind: str
    data: dict[str, Any]
    section: str = ""  # the JSON list it came from, if any

    @property
    def where(self) -> str:
        return f"{self.section} row {self.number}" if self.section else f"row {self.number}"


@dataclass(frozen=True)
class Reject:
    row: Row
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.row.where} ({self.row.kind or '?'}): {self.field}: {self.reason}"


@dataclass
class ImportReport:
    counts: Counter = field(default_factory=Counter)  # (kind, outcome) -> rows
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.counts.values()) + len(self.rejects)

    def summary(self) -> str:
        def part(kind: str, label: str) -> str:
            c = {o: self.counts[(kind, o)] for o in services.Outcome}
            return (
                f"{label} {c['created']} created, {c['updated']} updated, "
                f"{c['unchanged']} unchanged"
            )

        return (
            f"{self.rows} rows: "
            + "; ".join(
                part(kind, label)
                for kind, label in (
                    ("person", "persons"),
                    ("document", "documents"),
                    ("guardianship", "guardianships"),
                )
            )
            + f"; {len(self.rejects)} rejected."
        )


def read_rows(path: Path) -> list[Row]:
    """The rows of a CSV or JSON file (by extension), persons first."""
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(f"cannot read {path.name}: {error}") from None
    if suffix == ".csv":
        rows = list(_csv_rows(text))
    elif suffix == ".json":
        rows = list(_json_rows(text))
    else:
        raise ImportFileError("the file must end in .csv or .json")
    order = {kind: index for index, kind in enumerate(RECORD_KINDS)}
    # Stable: within a kind, the file's order; rows of an unknown kind first, to be reported.
    return sorted(rows, key=lambda row: order.get(row.kind, -1))


def _csv_rows(text: str) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "record" not in reader.fieldnames:
        raise ImportFileError("a CSV file needs a header line with a 'record' column")
    for record in reader:
        data = {k: (v or "").strip() for k, v in record.items() if k is not None}
        yield Row(number=reader.line_num, kind=data.pop("record", ""), data=data)


def _json_rows(text: str) -> Iterator[Row]:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"not valid JSON: {error}") from None
    if isinstance(payload, dict):
        unknown = set(payload) - set(SECTIONS) - {"_note"}
        if unknown:
            raise ImportFileError(f"unknown sections: {', '.join(sorted(unknown))}")
        for section, kind in SECTIONS.items():
            items = payload.get(section, [])
            if not isinstance(items, list):
                raise ImportFileError(f"'{section}' must be a list")
            for index, item in enumerate(items, start=1):
                yield Row(number=index, kind=kind, data=_object(item), section=section)
    elif isinstance(payload, list):
        for index, item in enumerate(payload, start=1):
            data = _object(item)
            yield Row(number=index, kind=str(data.pop("record", "")), data=data)
    else:
        raise ImportFileError("the JSON must be an object of lists or a list of records")


def _object(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {"__not_an_object__": True}
    return {str(k): ("" if v is None else v) for k, v in item.items()}


def _apply(row: Row, today=None):
    """Validate and write one row; return the outcome or raise Problem."""
    from documents.services import document_record

    if row.data.get("__not_an_object__"):
        raise Problem(status=422, code="invalid_row", detail=_("A row must be an object."))
    if row.kind not in RECORD_KINDS:
        raise Problem(
            status=422,
            code="invalid_row",
            detail=_("The record is one of: %(kinds)s.") % {"kinds": ", ".join(RECORD_KINDS)},
            errors=[{"field": "record", "message": ""}],
        )
    values = {name: row.data.get(name, "") for name in _FIELDS[row.kind]}
    for name in _REQUIRED[row.kind]:
        if not str(values[name]).strip():
            raise Problem(
                status=422,
                code="validation_failed",
                detail=_("This value is required."),
                errors=[{"field": name, "message": _("This value is required.")}],
            )
    values = {k: (v if isinstance(v, str) else str(v)) for k, v in values.items()}
    if row.kind == "person":
        _person, outcome = services.person_upsert(**values)
    elif row.kind == "document":
        _document, outcome = document_record(**values, today=today)
    else:
        _guardianship, outcome = services.guardianship_upsert(**values)
    return outcome


def registry_import(
    rows: Iterable[Row],
    *,
    on_reject: Callable[[Reject], None] | None = None,
    today=None,
) -> ImportReport:
    """Write every row in its own transaction; collect rejects and go on."""
    report = ImportReport()
    for row in rows:
        try:
            outcome = _apply(row, today=today)
        except Problem as problem:
            field_name = problem.errors[0]["field"] if problem.errors else "row"
            reject = Reject(row=row, field=field_name, reason=problem.detail)
        except DatabaseError:
            # A constraint the checks above did not foresee: the row's transaction rolled back.
            reject = Reject(row=row, field="row", reason=_("The database refused this row."))
        else:
            report.counts[(row.kind, outcome)] += 1
            continue
        report.rejects.append(reject)
        if on_reject is not None:
            on_reject(reject)
    return report
