"""Writes of border crossings: a port's batch of events, and the ports' credentials."""

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from core.errors import ErrorCode, Problem
from documents.models import Document, DocumentType

from . import signing, trips
from .errors import BatchConflict, BatchInvalid, BatchTooLarge, CrossingError, PortNotYours
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


class BatchIn(BaseModel):
    """A batch as a port should send it: read in one pass when every event is valid."""

    port: str | None = None
    events: list[EventIn]


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


def _batch_checked(port: Port, count: int) -> None:
    if count > MAX_EVENTS:
        raise BatchTooLarge(MAX_EVENTS)
    if not count:
        raise BatchInvalid(_("The batch holds no events."))


def _read_batch(port: Port, body: bytes) -> tuple[list[tuple[int, EventIn]], list[dict]]:
    """The events of the body that are valid as written, with their index, and the rejections
    of the others; a problem when the batch as a whole is not one.

    A batch whose events are all valid is validated by pydantic straight from the bytes, in one
    pass (profiled: json.loads and 500 model_validate calls cost several times more); any error
    sends it to the event-by-event reading, which says what is wrong with each."""
    try:
        batch = BatchIn.model_validate_json(body)
    except ValidationError:
        return _read_batch_event_by_event(port, body)
    if batch.port != port.code:
        raise PortNotYours()
    _batch_checked(port, len(batch.events))
    return list(enumerate(batch.events)), []


def _read_batch_event_by_event(
    port: Port, body: bytes
) -> tuple[list[tuple[int, EventIn]], list[dict]]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Problem(
            status=400, code=ErrorCode.INVALID_JSON, detail=_("The body is not valid JSON.")
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise BatchInvalid(_('Send a JSON object with "port" and a list "events".'))
    if payload.get("port") != port.code:
        raise PortNotYours()
    raw_events = payload["events"]
    _batch_checked(port, len(raw_events))
    events, rejected = [], []
    for index, raw in enumerate(raw_events):
        if not isinstance(raw, dict):
            rejected.append(
                _rejection(index, raw, CrossingError.EVENT_INVALID, _("An event is an object."))
            )
            continue
        try:
            events.append((index, EventIn.model_validate(raw)))
        except ValidationError as exc:
            rejected.append(
                _rejection(
                    index,
                    raw,
                    CrossingError.EVENT_INVALID,
                    _("The event is not valid."),
                    _field_errors(exc),
                )
            )
    return events, rejected


class Outcome(StrEnum):
    """What became of a valid event in the database (one letter: it comes back from SQL)."""

    NEW = "n"  # recorded, nothing to flag, no trip to use
    NO_ENDORSEMENT = "f"  # recorded and flagged: an exit on a card with no active endorsement
    # An exit on a card with an active endorsement: recorded once its trip is chosen.
    USES_TRIP = "t"
    DUPLICATE = "d"  # recorded before: nothing changed
    DOCUMENT_UNKNOWN = "u"
    DOCUMENT_NOT_PERSONS = "p"


def crossings_record_batch(*, port: Port, body: bytes) -> BatchResult:
    """Record a port's batch (the request's body): each event checked on its own, new ones
    inserted once (by port, event id and time), their persons' months counted and their trips
    used, all in one transaction. Resent events are listed as duplicates and change nothing."""
    events, rejected = _read_batch(port, body)
    result = BatchResult(rejected=rejected)
    now = timezone.now()
    oldest = retention_start(now)
    valid: list[tuple[int, EventIn]] = []
    seen: dict[str, EventIn] = {}
    for index, event in events:
        if event.port is not None and event.port != port.code:
            result.rejected.append(
                _rejection(
                    index,
                    {"event_id": event.event_id},
                    CrossingError.EVENT_OTHER_PORT,
                    _("A port reports only its own crossings."),
                )
            )
        elif event.occurred_at > now + CLOCK_SKEW:
            result.rejected.append(
                _rejection(
                    index,
                    {"event_id": event.event_id},
                    CrossingError.EVENT_IN_FUTURE,
                    _("The event's time is ahead."),
                )
            )
        elif event.occurred_at < oldest:
            result.rejected.append(
                _rejection(
                    index,
                    {"event_id": event.event_id},
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
                        {"event_id": event.event_id},
                        CrossingError.EVENT_INVALID,
                        _("This event id is used twice in the batch with other data."),
                    )
                )
        else:
            seen[event.event_id] = event
            valid.append((index, event))

    outcomes: dict[int, tuple[Outcome, int | None, int | None]] = {}
    # The new crossings' (person, month) counts, added last (see _PG_RECORD_MONTHS_LATER);
    # on PostgreSQL a batch with no exit on a card pass counts them in its one statement.
    months: Counter = Counter()
    with transaction.atomic():
        if connection.vendor != "postgresql":
            outcomes = _record(port, valid, received_at=now, months=months)
        elif valid:
            may_use_trips = any(_event_uses_trip(event) for _index, event in valid)
            outcomes = _record_pg(
                port, valid, received_at=now, months=months if may_use_trips else None
            )
        exits = {
            event.event_id: (event, outcomes[index][1], outcomes[index][2])
            for index, event in valid
            if outcomes.get(index, (Outcome.NEW,))[0] == Outcome.USES_TRIP
        }
        recorded = _record_trip_exits(port, exits, received_at=now, months=months) if exits else {}
        _months_add(months)
    for index, event in valid:
        outcome = outcomes.get(index, (Outcome.NEW,))[0]
        if outcome == Outcome.USES_TRIP:
            flag = recorded[event.event_id]
            outcome = (
                Outcome.DUPLICATE
                if flag is None
                else Outcome.NO_ENDORSEMENT
                if flag
                else Outcome.NEW
            )
        if outcome == Outcome.DUPLICATE:
            result.duplicates.append({"index": index, "event_id": event.event_id})
        elif outcome == Outcome.DOCUMENT_UNKNOWN:
            result.rejected.append(
                _rejection(
                    index,
                    {"event_id": event.event_id},
                    CrossingError.DOCUMENT_UNKNOWN,
                    _("No such document."),
                )
            )
        elif outcome == Outcome.DOCUMENT_NOT_PERSONS:
            result.rejected.append(
                _rejection(
                    index,
                    {"event_id": event.event_id},
                    CrossingError.DOCUMENT_NOT_PERSONS,
                    _("This document is not this person's."),
                )
            )
        else:
            flag = Flag.NO_ENDORSEMENT if outcome == Outcome.NO_ENDORSEMENT else ""
            result.accepted.append({"index": index, "event_id": event.event_id, "flag": flag})
    result.rejected.sort(key=lambda item: item["index"])
    result.duplicates.sort(key=lambda item: item["index"])
    return result


def _event_uses_trip(event: EventIn) -> bool:
    return trips.uses_trip(
        direction=event.direction,
        destination=event.destination,
        document_type=event.document_type,
    )


# PostgreSQL: the whole batch in one statement. The valid events go as one JSON parameter read
# by json_to_recordset (psycopg dumps a list parameter element by element in Python: profiled,
# ~35 ms of CPU a batch of 500 for the ten arrays of an insert; json.dumps of the same rows ~1
# ms); the documents and their persons are looked up by (type, number), the new crossings
# inserted (ON CONFLICT DO NOTHING RETURNING: exactly the ones this call added, also when two
# retries of a port race: the second waits for the first's rows, then skips them), and an exit
# on a card pass with no active endorsement is flagged as it is inserted. An exit on a card
# with an active endorsement waits for its trip (_record_trip_exits). Fixed SQL, prepared once
# per connection (the endorsements' part depends only on which apps are installed).
_PG_RECORD_HEAD = (
    "WITH found AS MATERIALIZED ("
    " SELECT t.i, t.ev, t.occ, t.dir, t.dest, t.veh, t.trip, d.id AS doc, d.person_id AS person,"
    " p.id_number = t.idn AS theirs, t.trip AND {active} AS hopeful"
    " FROM json_to_recordset(%s::json) AS t(i integer, ev text, occ timestamptz, dir text,"
    " typ text, num text, idn text, dest text, veh text, trip boolean)"
    " LEFT JOIN documents_document d ON d.type = t.typ AND d.number = t.num"
    " LEFT JOIN persons_person p ON p.id = d.person_id"
    "), ins AS ("
    " INSERT INTO crossings_crossing (person_id, document_id, port_id, direction, occurred_at,"
    " destination, vehicle, event_id, received_at, flag)"
    " SELECT f.person, f.doc, %s, f.dir, f.occ, f.dest, f.veh, f.ev, %s,"
    " CASE WHEN f.trip AND NOT f.hopeful THEN 'no_endorsement' ELSE '' END"
    " FROM found f WHERE f.theirs AND NOT f.hopeful"
    " ON CONFLICT (port_id, event_id, occurred_at) DO NOTHING"
    " RETURNING event_id, person_id, occurred_at)"
)
_OUTCOME = (
    "CASE WHEN f.doc IS NULL THEN 'u' WHEN NOT f.theirs THEN 'p' WHEN f.hopeful THEN 't'"
    " WHEN ins.event_id IS NULL THEN 'd' WHEN f.trip THEN 'f' ELSE 'n' END"
)
_MONTH = "(date_trunc('month', ins.occurred_at AT TIME ZONE 'UTC'))::date"
# A batch that cannot use a trip (no exit on a card pass): the statement also counts the new
# crossings into their persons' months, in (person, month) order (concurrent batches lock those
# rows in the same order), and answers only for the events that are not plainly new.
_PG_RECORD = (
    _PG_RECORD_HEAD + ", months AS ("  # noqa: S608 (fixed SQL: constants only)
    " INSERT INTO crossings_crossingmonth (person_id, month, count)"
    f" SELECT ins.person_id, {_MONTH}, count(*) FROM ins GROUP BY 1, 2 ORDER BY 1, 2"
    " ON CONFLICT (person_id, month) DO UPDATE"
    " SET count = crossings_crossingmonth.count + EXCLUDED.count)"
    f" SELECT f.i, {_OUTCOME}, f.doc, f.person, NULL::date"
    " FROM found f LEFT JOIN ins ON ins.event_id = f.ev"
    " WHERE f.doc IS NULL OR NOT f.theirs OR ins.event_id IS NULL OR f.trip"
)
# A batch that may use trips: its months are counted once, last (_months_add), after the trips:
# holding them from here through the trips made concurrent batches wait on each other, and a
# second pass over months later in the transaction locked out of order (two batches
# deadlocked so, bench 2026-12-06). So it answers for every event, with the month of the new.
_PG_RECORD_MONTHS_LATER = (
    _PG_RECORD_HEAD  # noqa: S608 (fixed SQL: constants only)
    + f" SELECT f.i, {_OUTCOME}, f.doc, f.person, {_MONTH}"  # noqa: S608
    " FROM found f LEFT JOIN ins ON ins.event_id = f.ev"
)
# The exits waiting for a trip that a port sent before (checked once their endorsements are
# locked): one index probe each (LATERAL: a join would read every partition), in the one
# partition of its time (pruned as it runs).
_PG_RECORDED = (
    "SELECT t.ev FROM json_to_recordset(%s::json) AS t(ev text, occ timestamptz), LATERAL ("
    "SELECT 1 FROM crossings_crossing c WHERE c.port_id = %s AND c.event_id = t.ev "
    "AND c.occurred_at = t.occ LIMIT 1) AS c"
)
# Rows already looked up, with the endorsement each used (their months: _months_add).
_PG_INSERT = (
    "INSERT INTO crossings_crossing (person_id, document_id, port_id, direction, occurred_at,"
    " destination, vehicle, event_id, received_at, flag, endorsement_id)"
    " SELECT t.p, t.d, %s, t.dir, t.occ, t.dest, t.veh, t.ev, %s, t.fl, t.e"
    " FROM json_to_recordset(%s::json) AS t(p bigint, d bigint, dir text, occ timestamptz,"
    " dest text, veh text, ev text, fl text, e bigint)"
    " ON CONFLICT (port_id, event_id, occurred_at) DO NOTHING RETURNING event_id"
)


def _record_pg(
    port: Port,
    valid: list[tuple[int, EventIn]],
    *,
    received_at: dt.datetime,
    months: Counter | None,
) -> dict[int, tuple[Outcome, int | None, int | None]]:
    """{index: (outcome, document id, person id)} of the events that are not plainly new
    (_PG_RECORD); with `months`, their months are counted there instead (by _months_add)."""
    rows = json.dumps(
        [
            {
                "i": index,
                "ev": event.event_id,
                "occ": event.occurred_at.isoformat(),
                "dir": event.direction,
                "typ": event.document_type,
                "num": event.document_number,
                "idn": event.id_number,
                "dest": event.destination,
                "veh": event.vehicle,
                "trip": _event_uses_trip(event),
            }
            for index, event in valid
        ]
    )
    sql = _PG_RECORD if months is None else _PG_RECORD_MONTHS_LATER
    sql = sql.format(active=trips.active_endorsement_sql("d.id", "t.dest"))
    outcomes = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [rows, port.pk, received_at])
        for index, outcome, document, person, month in cursor.fetchall():
            if month is not None:
                months[(person, month)] += 1
            if outcome != Outcome.NEW:
                outcomes[index] = (Outcome(outcome), document, person)
    return outcomes


def _record(
    port: Port, valid: list[tuple[int, EventIn]], *, received_at: dt.datetime, months: Counter
) -> dict[int, tuple[Outcome, int | None, int | None]]:
    """_record_pg on other databases (SQLite: the embedded mode and the tests), a few
    statements a batch: the documents, the endorsements, the insert (months counted into
    `months`)."""
    if not valid:
        return {}
    wanted = {(event.document_type, event.document_number) for _index, event in valid}
    condition = Q()
    for kind in {kind for kind, _number in wanted}:
        condition |= Q(type=kind, number__in=[n for k, n in wanted if k == kind])
    documents = {
        (d["type"], d["number"]): d
        for d in Document.objects.filter(condition).values(
            "id", "type", "number", "person_id", "person__id_number"
        )
    }
    outcomes: dict[int, tuple[Outcome, int | None, int | None]] = {}
    rows: list[tuple[int, EventIn, dict]] = []
    for index, event in valid:
        document = documents.get((event.document_type, event.document_number))
        if document is None:
            outcomes[index] = (Outcome.DOCUMENT_UNKNOWN, None, None)
        elif document["person__id_number"] != event.id_number:
            outcomes[index] = (Outcome.DOCUMENT_NOT_PERSONS, None, None)
        else:
            rows.append((index, event, document))
    hopeful = trips.with_active_endorsement(
        {(d["id"], e.destination) for _i, e, d in rows if _event_uses_trip(e)}
    )
    plain: list[tuple[int, tuple]] = []
    for index, event, document in rows:
        person, document_id = document["person_id"], document["id"]
        if _event_uses_trip(event) and (document_id, event.destination) in hopeful:
            outcomes[index] = (Outcome.USES_TRIP, document_id, person)
        else:
            flag = Flag.NO_ENDORSEMENT if _event_uses_trip(event) else ""
            plain.append((index, (event, person, document_id, flag, None)))
    new_ids = _insert(port, [row for _index, row in plain], received_at=received_at, months=months)
    for index, (event, _person, _document, flag, _endorsement) in plain:
        if event.event_id not in new_ids:
            outcomes[index] = (Outcome.DUPLICATE, None, None)
        elif flag:
            outcomes[index] = (Outcome.NO_ENDORSEMENT, None, None)
    return outcomes


def _insert(port: Port, rows, *, received_at: dt.datetime, months: Counter) -> set[str]:
    """Insert (event, person id, document id, flag, endorsement id) rows not recorded yet and
    count them into `months` (for _months_add); the event ids this call added (ON CONFLICT DO
    NOTHING RETURNING: exact also when a port's retries race)."""
    if not rows:
        return set()
    if connection.vendor == "postgresql":
        sql = _PG_INSERT
        params: list[Any] = [
            port.pk,
            received_at,
            json.dumps(
                [
                    {
                        "p": person,
                        "d": document,
                        "dir": event.direction,
                        "occ": event.occurred_at.isoformat(),
                        "dest": event.destination,
                        "veh": event.vehicle,
                        "ev": event.event_id,
                        "fl": flag,
                        "e": endorsement,
                    }
                    for event, person, document, flag, endorsement in rows
                ]
            ),
        ]
    else:
        adapt = connection.ops.adapt_datetimefield_value
        params = []
        for event, person, document, flag, endorsement in rows:
            params += [
                person,
                document,
                port.pk,
                event.direction,
                adapt(event.occurred_at),
                event.destination,
                event.vehicle,
                event.event_id,
                adapt(received_at),
                flag,
                endorsement,
            ]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        sql = (
            "INSERT INTO crossings_crossing (person_id, document_id, port_id, direction, "  # noqa: S608
            "occurred_at, destination, vehicle, event_id, received_at, flag, endorsement_id) "
            f"VALUES {values} ON CONFLICT (port_id, event_id, occurred_at) DO NOTHING "
            "RETURNING event_id"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        new_ids = {event_id for (event_id,) in cursor.fetchall()}
    for event, person, *_rest in rows:
        if event.event_id in new_ids:
            months[(person, month_start(event.occurred_at).date())] += 1
    return new_ids


def _recorded(port: Port, exits: dict[str, tuple[EventIn, int, int]]) -> set[str]:
    """Which of these exits are recorded already (sent before)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_RECORDED,
                [
                    json.dumps(
                        [
                            {"ev": key, "occ": event.occurred_at.isoformat()}
                            for key, (event, _d, _p) in exits.items()
                        ]
                    ),
                    port.pk,
                ],
            )
            return {key for (key,) in cursor.fetchall()}
    found = Crossing.objects.filter(port=port, event_id__in=list(exits)).values_list(
        "event_id", "occurred_at"
    )
    return {key for key, at in found if exits[key][0].occurred_at == at}


def _record_trip_exits(
    port: Port,
    exits: dict[str, tuple[EventIn, int, int]],
    *,
    received_at: dt.datetime,
    months: Counter,
) -> dict[str, str | None]:
    """Record the exits on a card with an active endorsement, each with the trip it used (or
    flagged when none was valid on its day): {event id: its flag, None for one sent before}.

    Their endorsements are locked first; only then is it checked which exits are new, so a
    copy of the batch sent at the same time has committed (or waits): each trip is used once.
    Should an exit still turn out recorded meanwhile, the batch fails whole (nothing used)."""
    new: list[str] = []

    def new_only(keys: list[str]) -> list[str]:
        sent_before = _recorded(port, {key: exits[key] for key in keys})
        new.extend(key for key in keys if key not in sent_before)
        return new

    used = trips.use_trips(
        [
            (key, document, event.destination, event.occurred_at)
            for key, (event, document, _person) in exits.items()
        ],
        new_only=new_only,
    )
    if used is None:  # no endorsements app: no trip to use, nothing to flag
        new_only(list(exits))
    recorded: dict[str, str | None] = dict.fromkeys(exits)
    rows = []
    for key in new:
        event, document, person = exits[key]
        endorsement = used.get(key) if used is not None else None
        recorded[key] = Flag.NO_ENDORSEMENT if used is not None and endorsement is None else ""
        rows.append((event, person, document, recorded[key], endorsement))
    if len(_insert(port, rows, received_at=received_at, months=months)) != len(rows):
        raise BatchConflict()
    return recorded


_PG_MONTHS = (
    "INSERT INTO crossings_crossingmonth (person_id, month, count) "
    "SELECT t.p, t.m, t.c FROM json_to_recordset(%s::json) AS t(p bigint, m date, c integer) "
    "ON CONFLICT (person_id, month) DO UPDATE "
    "SET count = crossings_crossingmonth.count + EXCLUDED.count"
)


def crossing_months_add(crossings: list[tuple[int, dt.datetime]]) -> None:
    """Count new crossings (person id, time) into their persons' months (CrossingMonth)."""
    _months_add(Counter((person, month_start(moment).date()) for person, moment in crossings))


def _months_add(counts: Counter) -> None:
    """Add {(person id, month): crossings} to the months index, in (person, month) order so
    that concurrent batches lock the rows in the same order."""
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
