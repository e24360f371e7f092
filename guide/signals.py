"""Rebuild the hall directory whenever what it is built from changes (the guides too: derived
values such as a guide's list of materials are memoised per snapshot, Directory.memo)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .directory import invalidate_directory
from .models import CalendarDay, Guide, Hall, HallException, OpeningHours, Region, Service

_SOURCES = (Hall, OpeningHours, HallException, CalendarDay, Region, Service, Guide)


def _invalidate(**kwargs) -> None:
    # Now, so this process sees its own write; and after commit, so that no other process keeps
    # a snapshot it rebuilt from the data as it was before the commit.
    invalidate_directory()
    transaction.on_commit(invalidate_directory)


for model in _SOURCES:
    post_save.connect(_invalidate, sender=model, dispatch_uid=f"guide-dir-save-{model.__name__}")
    post_delete.connect(_invalidate, sender=model, dispatch_uid=f"guide-dir-del-{model.__name__}")


@receiver(m2m_changed, sender=Hall.services.through, dispatch_uid="guide-dir-services")
def _services_changed(**kwargs) -> None:
    _invalidate()
