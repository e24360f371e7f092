"""Reads of the notifications app: the inbox and the preferences."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound

from .kinds import KINDS
from .models import Notification, NotificationPreference


def inbox_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's inbox, newest first: one entry per message (whatever its channels)."""
    entries = Notification.objects.filter(user=user, in_inbox=True).only(
        "id", "kind", "subject", "text", "reference", "channel", "created_at", "read_at", "user_id"
    )
    if unread_only:
        entries = entries.filter(read_at__isnull=True)
    return entries.order_by("-created_at", "-id")


def inbox_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, in_inbox=True, read_at__isnull=True).count()


def notification_preferences_get(*, user) -> dict[str, str]:
    """The channels of every kind for the user ({kind: "sms" | "email" | "both"}), in the
    registry's order; kinds they never chose have the default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channels"))
    default = NotificationPreference.Channels.SMS
    return {kind: chosen.get(kind, default) for kind in KINDS}


def notification_get_for(*, user, notification_id: int) -> Notification:
    """One entry of the user's inbox; anyone else's (or none) is "not found"."""
    found = inbox_for(user=user).filter(pk=notification_id).first()
    if found is None:
        raise NotFound(detail=_("There is no such message."))
    return found
