"""Writes of border crossings: a port's batch of events, and the ports' credentials."""

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from documents.models import Document, DocumentType

from . import signing, trips
from .errors import BatchInvalid, BatchTooLarge, CrossingError, PortNotYours
from .models import Crossing, Flag, Port, PortCredential
from .partitions import month_start, retention_start

MAX_EVENTS = 1000
# A port's clock may run a little ahead of ours; beyond this an event is "in the future".
CLOCK_SKEW = dt.timedelta(minutes=5)


class EventIn(BaseModel):
    """One crossing as a port reports it (docs/api.md "Port API")."""

    model_config = ConfigDict(str_strip_whitespace=True)

    event_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$")
    occurred_at: AwareDatetime
    direction: Literal["exit", "entry"]
    document_type: DocumentType
    document_number: str = Field(pattern=r"^[A-Z0-9]{5,9}$")
    id_number: str = Field(pattern=r"^[0-9]{17}[0-9X]$")
    destination: str = Field(pattern=r"^[A-Z]{3}$")
    vehicle: str = Field(default="", max_length=16)
    port: str | None = Field(default=None, max_length=16)


@dataclass
class BatchResult:
    accepted: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)


def _rejection(index: int, raw: Any, code: str, reason: str, errors=None) -> dict[str, Any]:
    event_id = raw.get("event_id") if isinstance(raw, dict) else None
    item = {
        "index": index,
        "event_id": event_id if isinstance(event_id, str) else None,
        "code": str(code),
        "reason": reason,
    }
    if errors:
        item["errors"] = errors
    return item


def _field_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(part) for part in error["loc"]) or "event", "message": error["msg"]}
        for error in exc.errors(include_url=False, include_input=False)
    ]


def crossings_record_batch(*, port: Port, payload: Any) -> BatchResult:
    """Record a port's batch: each event checked on its own, new ones inserted once (by port,
    event id and time), their trips used, all in one transaction. Resent events are listed
    as duplicates and change nothing."""
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise BatchInvalid(_('Send a JSON object with "port" and a list "events".'))
    if payload.get("port") != port.code:
        raise PortNotYours()
    raw_events = payload["events"]
    if len(raw_events) > MAX_EVENTS:
        raise BatchTooLarge(MAX_EVENTS)
    if not raw_events:
        raise BatchInvalid(_("The batch holds no events."))

    result = BatchResult()
    now = timezone.now()
    oldest = retention_start(now)
    valid: list[tuple[int, EventIn]] = []
    seen: dict[str, EventIn] = {}
    for index, raw in enumerate(raw_events):
        if not isinstance(raw, dict):
            result.rejected.append(
                _rejection(index, raw, CrossingError.EVENT_INVALID, _("An event is an object."))
            )
            continue
        try:
            event = EventIn.model_validate(raw)
        except ValidationError as exc:
            result.rejected.append(
                _rejection(
                    index,
                    raw,
                    CrossingError.EVENT_INVALID,
                    _("The event is not valid."),
                    _field_errors(exc),
                )
            )
            continue
        if event.port is not None and event.port != port.code:
            result.rejected.append(
                _rejection(
                    index,
                    raw,
                    CrossingError.EVENT_OTHER_PORT,
                    _("A port reports only its own crossings."),
                )
            )
        elif event.occurred_at > now + CLOCK_SKEW:
            result.rejected.append(
                _rejection(
                    index, raw, CrossingError.EVENT_IN_FUTURE, _("The event's time is ahead.")
                )
            )
        elif event.occurred_at < oldest:
            result.rejected.append(
                _rejection(
                    index,
                    raw,
                    CrossingError.EVENT_TOO_OLD,
                    _("The event is older than the retention period."),
                )
            )
        elif event.event_id in seen:
            if seen[event.event_id] == event:
                result.duplicates.append({"index": index, "event_id": event.event_id})
            else:
                result.rejected.append(
                    _rejection(
                        index,
                        raw,
                        CrossingError.EVENT_INVALID,
                        _("This event id is used twice in the batch with other data."),
                    )
                )
        else:
            seen[event.event_id] = event
            valid.append((index, event))

    documents = _documents_of(event for _index, event in valid)
    rows: list[tuple[int, EventIn, dict]] = []
    for index, event in valid:
        document = documents.get((event.document_type, event.document_number))
        if document is None:
            result.rejected.append(
                _rejection(
                    index,
                    {"event_id": event.event_id},
                    CrossingError.DOCUMENT_UNKNOWN,
                    _("No such document."),
                )
            )
        elif document["person__id_number"] != event.id_number:
            result.rejected.append(
                _rejection(
                    index,
                    {"event_id": event.event_id},
                    CrossingError.DOCUMENT_NOT_PERSONS,
                    _("This document is not this person's."),
                )
            )
        else:
            rows.append((index, event, document))

    with transaction.atomic():
        # Exits needing a trip of a document with no active endorsement at all are flagged as
        # they are inserted: no trip to look for, one statement for the whole batch.
        needing = _needing_trips(rows)
        possible = trips.with_active_endorsement({(d["id"], e.destination) for e, d in needing})
        hopeless = {
            event.event_id
            for event, document in needing
            if (document["id"], event.destination) not in possible
        }
        new_ids = _insert(port, rows, received_at=now, flagged=hopeless)
        crossing_months_add(
            [(d["person_id"], e.occurred_at) for _i, e, d in rows if e.event_id in new_ids]
        )
        flags = dict.fromkeys(hopeless & new_ids, Flag.NO_ENDORSEMENT)
        flags |= _use_trips(port, [(e, d) for e, d in needing if e.event_id in new_ids - hopeless])
    for index, event, _document in rows:
        if event.event_id in new_ids:
            result.accepted.append(
                {
                    "index": index,
                    "event_id": event.event_id,
                    "flag": flags.get(event.event_id, ""),
                }
            )
        else:
            result.duplicates.append({"index": index, "event_id": event.event_id})
    result.rejected.sort(key=lambda item: item["index"])
    result.duplicates.sort(key=lambda item: item["index"])
    return result


# On PostgreSQL a batch's rows go to the database as one JSON parameter, read back by
# json_to_recordset: psycopg dumps a Python list as an array element by element in Python
# (profiled: ~35 ms of CPU a batch of 500 for the ten arrays of the insert), and json.dumps of
# the same rows costs ~1 ms. Fixed SQL: prepared once per connection.
_PG_DOCUMENTS = (
    "SELECT d.id, d.type, d.number, d.person_id, p.id_number FROM documents_document d "
    "JOIN persons_person p ON p.id = d.person_id "
    "WHERE (d.type, d.number) IN "
    "(SELECT t.type, t.number FROM json_to_recordset(%s::json) AS t(type text, number text))"
)


def _documents_of(events) -> dict[tuple[str, str], dict]:
    wanted = {(event.document_type, event.document_number) for event in events}
    if not wanted:
        return {}
    if connection.vendor == "postgresql":
        # One JSON parameter instead of an IN list of 500 (psycopg binds each of those).
        with connection.cursor() as cursor:
            rows = json.dumps([{"type": k, "number": n} for k, n in wanted])
            cursor.execute(_PG_DOCUMENTS, [rows])
            columns = ("id", "type", "number", "person_id", "person__id_number")
            return {(row[1], row[2]): dict(zip(columns, row, strict=True)) for row in cursor}
    # By type and number: the unique index (type, number) answers each in one descent.
    condition = Q()
    for kind in {kind for kind, _number in wanted}:
        condition |= Q(type=kind, number__in=[n for k, n in wanted if k == kind])
    found = Document.objects.filter(condition).values(
        "id", "type", "number", "person_id", "person__id_number"
    )
    return {(d["type"], d["number"]): d for d in found}


_COLUMNS = (
    "person_id, document_id, port_id, direction, occurred_at, destination, vehicle, "
    "event_id, received_at, flag"
)
# Fixed SQL (no input in it): the rows go as one JSON parameter (see _PG_DOCUMENTS).
_PG_INSERT = (
    f"INSERT INTO crossings_crossing ({_COLUMNS}) "  # noqa: S608
    "SELECT t.p, t.d, %s, t.dir, t.occ, t.dest, t.veh, t.ev, %s, t.fl FROM json_to_recordset("
    "%s::json) AS t(p bigint, d bigint, dir text, occ timestamptz, dest text, veh text, ev text,"
    " fl text) ON CONFLICT (port_id, event_id, occurred_at) DO NOTHING RETURNING event_id"
)


def _insert(port: Port, rows, *, received_at: dt.datetime, flagged: set[str]) -> set[str]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the event ids this call added.

    The ORM's bulk_create(ignore_conflicts=True) cannot say which rows were new, and only the
    new ones may use a trip; RETURNING answers it exactly, also when two ports' retries race
    (the second waits for the first's rows, then skips them)."""
    if not rows:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows_json = json.dumps(
                [
                    {
                        "p": document["person_id"],
                        "d": document["id"],
                        "dir": event.direction,
                        "occ": event.occurred_at.isoformat(),
                        "dest": event.destination,
                        "veh": event.vehicle,
                        "ev": event.event_id,
                        "fl": Flag.NO_ENDORSEMENT if event.event_id in flagged else "",
                    }
                    for _index, event, document in rows
                ]
            )
            cursor.execute(_PG_INSERT, [port.pk, received_at, rows_json])
        else:
            adapt = connection.ops.adapt_datetimefield_value
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
            params: list[Any] = []
            for _index, event, document in rows:
                params += [
                    document["person_id"],
                    document["id"],
                    port.pk,
                    event.direction,
                    adapt(event.occurred_at),
                    event.destination,
                    event.vehicle,
                    event.event_id,
                    adapt(received_at),
                    Flag.NO_ENDORSEMENT if event.event_id in flagged else "",
                ]
            cursor.execute(
                f"INSERT INTO crossings_crossing ({_COLUMNS}) VALUES {values} "  # noqa: S608
                "ON CONFLICT (port_id, event_id, occurred_at) DO NOTHING RETURNING event_id",
                params,
            )
        return {event_id for (event_id,) in cursor.fetchall()}


def _needing_trips(rows) -> list[tuple[EventIn, dict]]:
    """The exits that use a trip (to HKG, MAC, TWN on the matching card pass), oldest first, so
    that a shuffled batch uses the same trips as an ordered one."""
    return sorted(
        (
            (event, document)
            for _index, event, document in rows
            if trips.uses_trip(
                direction=event.direction,
                destination=event.destination,
                document_type=document["type"],
            )
        ),
        key=lambda pair: pair[0].occurred_at,
    )


def _use_trips(port: Port, needing: list[tuple[EventIn, dict]]) -> dict[str, str]:
    """Use a trip for each new exit (oldest first); flag those that found no valid
    endorsement. {event id: flag}."""
    flags: dict[str, str] = {}
    for event, document in needing:
        endorsement = trips.use_trip(
            document_id=document["id"], destination=event.destination, crossed_at=event.occurred_at
        )
        if endorsement is trips.NOT_CHECKED:
            continue
        if endorsement is None:
            changes: dict[str, Any] = {"flag": Flag.NO_ENDORSEMENT}
            flags[event.event_id] = Flag.NO_ENDORSEMENT
        else:
            changes = trips.endorsement_changes(endorsement)
        # The whole idempotency key, with occurred_at: PostgreSQL looks in one partition only.
        Crossing.objects.filter(
            port=port, event_id=event.event_id, occurred_at=event.occurred_at
        ).update(**changes)
    return flags


_PG_MONTHS = (
    "INSERT INTO crossings_crossingmonth (person_id, month, count) "
    "SELECT t.p, t.m, t.c FROM json_to_recordset(%s::json) AS t(p bigint, m date, c integer) "
    "ON CONFLICT (person_id, month) DO UPDATE "
    "SET count = crossings_crossingmonth.count + EXCLUDED.count"
)


def crossing_months_add(crossings: list[tuple[int, dt.datetime]]) -> None:
    """Count new crossings (person id, time) into their persons' months (CrossingMonth), in
    (person, month) order so that concurrent batches lock the rows in the same order."""
    counts: dict[tuple[int, dt.date], int] = {}
    for person_id, moment in crossings:
        key = (person_id, month_start(moment).date())
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return
    ordered = sorted(counts.items())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One fixed statement whatever the batch (prepared once per connection), the rows as
            # one JSON parameter: a VALUES list of 3 parameters a row cost ~30 ms a batch of 500
            # to convert, parse and plan (docs/benchmarks.md "Crossings").
            cursor.execute(
                _PG_MONTHS,
                [
                    json.dumps(
                        [
                            {"p": person_id, "m": month.isoformat(), "c": count}
                            for (person_id, month), count in ordered
                        ]
                    )
                ],
            )
            return
        adapt = connection.ops.adapt_datefield_value
        params: list[Any] = []
        for (person_id, month), count in ordered:
            params += [person_id, adapt(month), count]
        values = ", ".join(["(%s, %s, %s)"] * len(counts))
        cursor.execute(
            f"INSERT INTO crossings_crossingmonth (person_id, month, count) VALUES {values} "  # noqa: S608
            "ON CONFLICT (person_id, month) DO UPDATE "
            "SET count = crossings_crossingmonth.count + EXCLUDED.count",
            params,
        )


def port_credential_create(*, port: Port, label: str = "") -> tuple[PortCredential, str]:
    """A new credential of the port and its secret (shown once: it is not stored)."""
    key_id, salt = signing.new_key_id(), signing.new_salt()
    credential = PortCredential.objects.create(port=port, key_id=key_id, salt=salt, label=label)
    return credential, signing.credential_secret(key_id, salt)


def port_credential_revoke(*, credential: PortCredential) -> PortCredential:
    """Revoke a credential: requests signed with it are refused from now on."""
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
    return credential
