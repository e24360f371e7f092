"""Endorsement writes: apply, review, pay, print, consume a trip; exit restrictions; the policy.

Each service is one transaction; the status changes only through endorsements.workflow.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Q

from core.errors import OutsideTransaction
from guide.calendar import SHANGHAI

from .models import Endorsement, EndorsementStatus
from .workflow import ENDORSEMENTS


def consume_trip(
    *, document_id: int, destination: str, crossed_at: dt.datetime
) -> Endorsement | None:
    """Use one trip of the document's active endorsement for `destination` valid at `crossed_at`
    (the one that expires first among those with trips left) and return it; None when there is
    none. Inside the caller's transaction: the row stays locked until it commits.

    Multiple-trip endorsements (no total) count the trip and never run out; the last trip of a
    limited one moves it to used up. The database refuses trips_used above trips_total.
    """
    if not transaction.get_connection().in_atomic_block:
        raise OutsideTransaction("consume_trip inside transaction.atomic()")
    day = crossed_at.astimezone(SHANGHAI).date()
    endorsement = (
        Endorsement.objects.select_for_update(of=("self",))
        .filter(
            document_id=document_id,
            destination=destination,
            status=EndorsementStatus.ACTIVE,
            valid_from__lte=day,
            valid_until__gte=day,
        )
        .filter(Q(trips_total__isnull=True) | Q(trips_used__lt=F("trips_total")))
        # The one that expires first; a limited one before a multiple-trip one.
        .order_by("valid_until", F("trips_total").asc(nulls_last=True), "id")
        .first()
    )
    if endorsement is None:
        return None
    Endorsement.objects.filter(pk=endorsement.pk).update(trips_used=F("trips_used") + 1)
    endorsement.refresh_from_db(fields=["trips_used"])
    if endorsement.trips_total is not None and endorsement.trips_used >= endorsement.trips_total:
        ENDORSEMENTS.apply(endorsement, "use_up", at=crossed_at)
    return endorsement
