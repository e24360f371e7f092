"""Reads of border crossings. Every read of a person's crossings is bounded in time, so that on
PostgreSQL it touches only the monthly partitions of the period asked for (docs/scaling.md)."""

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.auth import TOKEN_BRANCH, PendingToken, require_bound, signed_in
from core.bounds import MAX_ID
from core.dates import SHANGHAI, today_shanghai
from core.errors import NotFound
from core.i18n import choice_labels
from core.rawsql import Part, RawSelect, RawUnion, Subquery
from documents.models import Document
from persons.models import Person
from persons.selectors import persons_acting_for

from .errors import PeriodInvalid
from .models import Crossing, Direction, Port
from .partitions import is_partitioned, retention_start

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def person_crossings(
    person_id: int,
    *,
    start: dt.datetime,
    end: dt.datetime,
    document_id: int | None = None,
) -> QuerySet[Crossing]:
    """The person's crossings with start <= occurred_at < end, newest first, with their port
    and document; only those on `document_id` when given.

    The bounds are what prunes the partitions: callers keep them within the retention window
    (crossings.partitions.retention_start) and the period the reader asked for.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    crossings = Crossing.objects.filter(
        person_id=person_id, occurred_at__gte=start, occurred_at__lt=end
    )
    if document_id is not None:
        crossings = crossings.filter(document_id=document_id)
    return crossings.select_related("port", "document").order_by("-occurred_at", "-id")


# The citizen's "My entry/exit records"

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_CURSOR = re.compile(r"^([0-9]{1,20})_([0-9]{1,19})$")


@dataclass(frozen=True)
class EndorsementTrips:
    """An active endorsement and the trips it has left (None: multiple trips)."""

    number: str
    destination: str
    destination_name: str
    type_name: str
    valid_until: dt.date
    trips_total: int | None
    trips_used: int

    @property
    def trips_left(self) -> int | None:
        return None if self.trips_total is None else max(self.trips_total - self.trips_used, 0)


@dataclass(frozen=True, slots=True)
class PortRef:
    """The port of a crossing on a page: what the page and the API show of it."""

    pk: int
    code: str
    name_zh: str
    name_en: str
    kind: str


@dataclass(frozen=True, slots=True)
class CrossingRow:
    """One crossing on a page: the columns shown, with its document and port (read as plain
    values, not model instances: 20 instances a page were a fifth of the request's CPU)."""

    pk: int
    occurred_at: dt.datetime
    direction: str
    destination: str
    vehicle: str
    document_id: int
    port: PortRef
    document: Document

    def get_direction_display(self) -> str:
        return choice_labels(Direction)[self.direction]


@dataclass(frozen=True)
class CrossingsPage:
    person: Person
    is_self: bool
    start: dt.date  # Asia/Shanghai dates, both included
    end: dt.date
    earliest: dt.date  # the first day of the 10 years kept
    document_id: int | None
    documents: list[Document]  # the person's documents, old ones too (the filter's choices)
    crossings: list[CrossingRow]
    next_cursor: str | None
    endorsements: list[EndorsementTrips]


def earliest_day() -> dt.date:
    """The first whole day (Asia/Shanghai) within the retention window."""
    return retention_start().astimezone(SHANGHAI).date() + dt.timedelta(days=1)


def cursor_of(crossing: Crossing | CrossingRow) -> str:
    moment = crossing.occurred_at.astimezone(dt.UTC)
    micros = (moment - EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros}_{crossing.pk}"


def _cursor_parse(value: str) -> tuple[dt.datetime, int]:
    match = _CURSOR.match(value)
    if match is None or int(match[2]) > MAX_ID or int(match[1]) > 10**17:
        raise PeriodInvalid(_("This page link is not valid: start again."), field="before")
    return EPOCH + dt.timedelta(microseconds=int(match[1])), int(match[2])


def _person_for(user, person_id: int | None) -> tuple[Person, bool]:
    me = getattr(user, "person", None)
    if me is None:
        raise NotFound(detail=_("Not found."))
    if person_id is None or person_id == me.pk:
        return me, True
    for person in persons_acting_for(user=user):
        if person.pk == person_id:
            return person, False
    raise NotFound(detail=_("No such person among those you act for."))


def endorsement_trips(person_id: int) -> list[EndorsementTrips]:
    """The person's active endorsements with their trips (the hook for the endorsements app)."""
    from endorsements.models import EndorsementStatus

    return _endorsement_trips(_endorsements_select().values([person_id, EndorsementStatus.ACTIVE]))


def _endorsement_trips(rows: list[tuple]) -> list[EndorsementTrips]:
    from endorsements.models import Destination, EndorsementType

    destinations, types = choice_labels(Destination), choice_labels(EndorsementType)
    return [
        EndorsementTrips(
            number=number,
            destination=destination,
            destination_name=destinations.get(destination, destination),
            type_name=types.get(type_code, type_code),
            valid_until=valid_until,
            trips_total=trips_total,
            trips_used=trips_used,
        )
        for number, destination, type_code, valid_until, trips_total, trips_used in rows
    ]


# The reads of "My entry/exit records" are fixed SQL (core.rawsql: prepared on PostgreSQL, no
# ORM compilation per request), all three in one round trip (a RawUnion, below); profiled in
# docs/benchmarks.md "Crossings (issue 12)".
# The person's documents as the filter and the rows show them (type and masked number): the
# other columns are deferred.
_DOCUMENTS = RawSelect(
    [Part(Document, "d", only=("id", "type", "number"))],
    "FROM documents_document d WHERE d.person_id = %s",
    order_by="d.type, d.issued_on DESC, d.id",
)


@cache
def _endorsements_select() -> RawSelect:
    from endorsements.models import Endorsement

    return RawSelect(
        [
            Part(
                Endorsement,
                "e",
                only=(
                    "number",
                    "destination",
                    "type_code",
                    "valid_until",
                    "trips_total",
                    "trips_used",
                ),
            )
        ],
        "FROM endorsements_endorsement e WHERE e.person_id = %s AND e.status = %s",
        order_by="e.destination, e.valid_until, e.id",
    )


# A page of the person's crossings with their ports, newest first. On PostgreSQL one call of
# crossings_person_page (migration 0006): it reads the months that hold the person's crossings
# (CrossingMonth) one partition at a time, each read a kept generic plan, so that nothing is
# planned per request (docs/benchmarks.md "Crossings"). SQLite has one table: the same rows in
# one plain select.
_PAGE_COLUMNS = [
    Part(
        Crossing,
        "c",
        only=("id", "occurred_at", "direction", "destination", "vehicle", "document", "port"),
    ),
    Part(Port, "p", only=("id", "code", "name_zh", "name_en", "kind")),
]
_PAGE_ORDER = "c.occurred_at DESC, c.id DESC"
_PAGE_PARTITIONED = RawSelect(
    _PAGE_COLUMNS,
    "FROM crossings_person_page(%s, %s, %s, %s, %s, %s, %s) c"
    " JOIN crossings_port p ON p.id = c.port_id",
    order_by=_PAGE_ORDER,
)
_PAGE_ONE_TABLE = RawSelect(
    _PAGE_COLUMNS,
    "FROM crossings_crossing c JOIN crossings_port p ON p.id = c.port_id"
    " WHERE c.person_id = %s AND c.occurred_at >= %s AND c.occurred_at < %s"
    " AND (c.occurred_at < %s OR (c.occurred_at = %s AND c.id < %s))"
    " AND (%s IS NULL OR c.document_id = %s)",
    order_by=_PAGE_ORDER,
)


@cache
def _records_union(partitioned: bool, with_token: bool) -> RawUnion:
    """The person's documents, active endorsements and a page of crossings: one statement;
    `with_token`: the caller's bearer token too, first (accounts.auth.PendingToken)."""
    page = (_PAGE_PARTITIONED, "") if partitioned else (_PAGE_ONE_TABLE, "LIMIT %s")
    branches = [(_DOCUMENTS, ""), (_endorsements_select(), ""), page]
    return RawUnion([TOKEN_BRANCH, *branches] if with_token else branches)


@dataclass(frozen=True)
class _Window:
    """What a page asks for, checked: the period and where in it the page starts."""

    start: dt.date
    end: dt.date
    earliest: dt.date
    start_at: dt.datetime
    upper: dt.datetime
    moment: dt.datetime
    last_id: int
    limit: int


def _window(start: dt.date | None, end: dt.date | None, before: str | None, limit: int) -> _Window:
    today, earliest = today_shanghai(), earliest_day()
    start = start or earliest
    end = min(end or today, today)
    if start < earliest:
        raise PeriodInvalid(
            _("Records are kept for 10 years: choose a start on or after %(day)s.")
            % {"day": earliest.isoformat()}
        )
    if start > end:
        raise PeriodInvalid(_("The start of the period is after its end."), field="end")
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=SHANGHAI)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
    # Keyset: strictly before (moment, id); the first page starts after the period's end.
    moment, last_id = _cursor_parse(before) if before else (end_at, MAX_ID)
    return _Window(
        start=start,
        end=end,
        earliest=earliest,
        start_at=start_at,
        upper=min(end_at, moment + dt.timedelta(microseconds=1)),
        moment=moment,
        last_id=last_id,
        limit=max(1, min(limit, MAX_PAGE_SIZE)),
    )


def _records(
    person: int | Subquery, window: _Window, document_id: int | None, token=None
) -> tuple[list[Document], list[EndorsementTrips], list[tuple], list[tuple]]:
    """The person's documents, their active endorsements, and one more than the window's
    limit of their crossings in the window (start_at <= occurred_at < upper, strictly before
    (moment, last_id)), on `document_id` if given, newest first, with their ports (each as the
    values of CrossingRow but its document), in one round trip; with a PendingToken, its
    token's rows too (else [])."""
    from endorsements.models import EndorsementStatus

    at = connection.ops.adapt_datetimefield_value
    moment, wanted = at(window.moment), window.limit + 1
    partitioned = is_partitioned()
    if partitioned:
        page_params = [person, at(window.start_at), at(window.upper), moment, window.last_id]
        page_params += [document_id, wanted]
    else:
        page_params = [person, at(window.start_at), at(window.upper), moment, moment]
        page_params += [window.last_id, document_id, document_id, wanted]
    params = [[person], [person, EndorsementStatus.ACTIVE], page_params]
    if token is not None:
        params.insert(0, [token.prefix])
    found = _records_union(partitioned, token is not None).values(params)
    token_rows = found.pop(0) if token is not None else []
    document_rows, endorsement_rows, page_rows = found
    documents = [_DOCUMENTS.instances(values, deferred=True)[0] for values in document_rows]
    ports: dict[int, PortRef] = {}
    rows = []
    for (
        pk,
        occurred_at,
        direction,
        destination,
        vehicle,
        document_id,
        port_id,
        *port,
    ) in page_rows:
        if port_id not in ports:
            ports[port_id] = PortRef(*port)
        rows.append((pk, occurred_at, direction, destination, vehicle, document_id, ports[port_id]))
    return documents, _endorsement_trips(endorsement_rows), rows, token_rows


def crossings_page_for(
    *,
    user,
    person_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    document_id: int | None = None,
    before: str | None = None,
    limit: int = PAGE_SIZE,
) -> CrossingsPage:
    """One page of the crossings of the user (or a minor they are guardian of) in a period of
    the last 10 years, newest first, on every document or one; keyset-paginated by `before`.

    `user` may be a PendingToken (request.auth of citizen_auth_pending): for the caller's own
    records the token is read in the same statement as them, and checked before anything is
    used; otherwise it is resolved first. Refusals come in the same order either way: not
    signed in (401), not bound (403), then a bad period (422) or document (404)."""
    if isinstance(user, PendingToken) and person_id is None:
        try:
            window = _window(start, end, before, limit)
        except PeriodInvalid:
            window = None  # refused below, once the caller is known
        if window is not None:
            *records, token_rows = _records(user.person(), window, document_id, token=user)
            accepted = user.accept(token_rows)
            if accepted is not None:
                require_bound(accepted)
                return _page(accepted.person, True, window, document_id, *records)
    user = signed_in(user)
    require_bound(user)
    person, is_self = _person_for(user, person_id)
    window = _window(start, end, before, limit)
    *records, _token_rows = _records(person.pk, window, document_id)
    return _page(person, is_self, window, document_id, *records)


def _page(
    person: Person,
    is_self: bool,
    window: _Window,
    document_id: int | None,
    documents: list[Document],
    endorsements: list[EndorsementTrips],
    page_rows: list[tuple],
) -> CrossingsPage:
    # Read with the documents: a document of someone else's finds no crossings of this person
    # (the page is read by person first), and is refused here before anything is shown.
    if document_id is not None and document_id not in {d.pk for d in documents}:
        raise NotFound(detail=_("No such document among this person's."))
    by_id = {d.pk: d for d in documents}
    rows = [CrossingRow(*values, document=by_id[values[5]]) for values in page_rows]
    page, more = rows[: window.limit], len(rows) > window.limit
    return CrossingsPage(
        person=person,
        is_self=is_self,
        start=window.start,
        end=window.end,
        earliest=window.earliest,
        document_id=document_id,
        documents=documents,
        crossings=page,
        next_cursor=cursor_of(page[-1]) if more else None,
        endorsements=endorsements,
    )


# Officers: crossings flagged for a look (exits without a valid endorsement)

FLAGGED_DAYS = 90
FLAGGED_LIMIT = 200


def flagged_crossings_for(*, staff, days: int = FLAGGED_DAYS) -> list[Crossing]:
    """Flagged crossings of the last `days` of persons registered in the officer's regions
    (and the regions of their halls), newest first, at most FLAGGED_LIMIT."""
    from staff.selectors import staff_halls_in_scope, staff_region_prefixes

    prefixes = set(staff_region_prefixes(staff))
    prefixes |= set(staff_halls_in_scope(staff).values_list("region__code", flat=True))
    if not prefixes:
        return []
    in_scope = Q()
    for prefix in sorted(prefixes):
        in_scope |= Q(person__household_region__code__startswith=prefix)
    since = timezone.now() - dt.timedelta(days=days)
    # exclude(flag="") is the partial index's condition; occurred_at bounds the partitions.
    return list(
        Crossing.objects.exclude(flag="")
        .filter(in_scope, occurred_at__gte=since)
        .select_related("person", "document", "port")
        .order_by("-occurred_at", "-id")[:FLAGGED_LIMIT]
    )
