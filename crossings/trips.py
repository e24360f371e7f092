"""Trips of endorsements used by exits: the hook between crossings and endorsements.

Each exit from the mainland to Hong Kong, Macao or Taiwan on a card pass uses one trip of the
matching endorsement that was valid then (endorsements.services.trips_use chooses it: the valid
one that expires first, oldest exit first, a whole batch at once). Called only for newly
recorded exits, inside their transaction, so a resent event uses no trip and a rolled-back
batch uses none.
"""

import datetime as dt
from collections.abc import Callable

from django.apps import apps

from documents.models import DocumentType

# Which card pass an exit to each destination is made on.
CARD_FOR = {
    "HKG": DocumentType.HK_MACAO_PASS,
    "MAC": DocumentType.HK_MACAO_PASS,
    "TWN": DocumentType.TAIWAN_PERMIT,
}


def uses_trip(*, direction: str, destination: str, document_type: str) -> bool:
    return direction == "exit" and CARD_FOR.get(destination) == document_type


def use_trips(
    exits: list[tuple[str, int, str, dt.datetime]], *, new_only: Callable[[list[str]], list[str]]
) -> dict[str, int | None] | None:
    """Use a trip for each (key, document id, destination, time) exit that `new_only` keeps
    once the endorsements are locked: {key: id of the endorsement used, or None when none was
    valid}; None when the endorsements app is not installed (nothing to use, nothing to flag;
    new_only is not called)."""
    if not apps.is_installed("endorsements"):
        return None
    from endorsements.services import TripExit, trips_use

    return trips_use(
        exits=[
            TripExit(key=key, document_id=document, destination=destination, crossed_at=at)
            for key, document, destination, at in exits
        ],
        after_lock=new_only,
    )


def active_endorsement_sql(document: str, destination: str) -> str:
    """SQL that is true when an active endorsement exists for the document and destination
    (SQL expressions of the caller's statement), for one statement a batch (PostgreSQL); "true"
    without the endorsements app (use_trips then answers None)."""
    if not apps.is_installed("endorsements"):
        return "true"
    from endorsements.models import Endorsement, EndorsementStatus

    return (
        f"EXISTS (SELECT 1 FROM {Endorsement._meta.db_table} e WHERE "  # noqa: S608
        f"e.document_id = {document} AND e.destination = {destination} "
        f"AND e.status = '{EndorsementStatus.ACTIVE.value}')"
    )


def with_active_endorsement(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of these (document id, destination) pairs, those with an active endorsement (valid at
    some date: use_trips checks which). One query for a whole batch; without the
    endorsements app every pair passes (use_trips then answers None)."""
    if not pairs:
        return set()
    if not apps.is_installed("endorsements"):
        return set(pairs)
    from endorsements.models import Endorsement, EndorsementStatus

    found = Endorsement.objects.filter(
        document_id__in={document for document, _destination in pairs},
        status=EndorsementStatus.ACTIVE,
    ).values_list("document_id", "destination")
    return set(found) & pairs
