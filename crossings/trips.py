"""Trips of endorsements used by exits: the hook between crossings and endorsements.

Each exit from the mainland to Hong Kong, Macao or Taiwan on a card pass uses one trip of the
matching endorsement that was valid then (endorsements.services.consume_trip chooses it: the
valid one that expires first). Called only for newly recorded exits, inside their transaction,
so a resent event uses no trip and a rolled-back batch uses none.
"""

import datetime as dt

from django.apps import apps

from documents.models import DocumentType

# Which card pass an exit to each destination is made on.
CARD_FOR = {
    "HKG": DocumentType.HK_MACAO_PASS,
    "MAC": DocumentType.HK_MACAO_PASS,
    "TWN": DocumentType.TAIWAN_PERMIT,
}
NOT_CHECKED = object()  # the endorsements app is not installed: nothing to use, nothing to flag


def uses_trip(*, direction: str, destination: str, document_type: str) -> bool:
    return direction == "exit" and CARD_FOR.get(destination) == document_type


def use_trip(*, document_id: int, destination: str, crossed_at: dt.datetime):
    """The endorsement whose trip this exit used, None when none was valid, or NOT_CHECKED."""
    if not apps.is_installed("endorsements"):
        return NOT_CHECKED
    from endorsements.services import consume_trip

    return consume_trip(document_id=document_id, destination=destination, crossed_at=crossed_at)


def with_active_endorsement(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of these (document id, destination) pairs, those with an active endorsement (valid at
    some date: consume_trip checks which). One query for a whole batch; without the
    endorsements app every pair passes (use_trip then answers NOT_CHECKED)."""
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


def endorsement_changes(endorsement) -> dict:
    """The crossing's columns that record the endorsement used."""
    return {"endorsement": endorsement}
