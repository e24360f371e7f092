"""Drop the cached public policy whenever a policy row changes (back-office or migration)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import EndorsementPolicy
from .selectors import policy_invalidate


def _invalidate(**kwargs) -> None:
    # Now, for this process; after commit, so no process keeps a rendering of the old rows.
    policy_invalidate()
    transaction.on_commit(policy_invalidate)


post_save.connect(_invalidate, sender=EndorsementPolicy, dispatch_uid="endorsement-policy-save")
post_delete.connect(_invalidate, sender=EndorsementPolicy, dispatch_uid="endorsement-policy-del")
