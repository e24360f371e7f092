"""Queue messages to citizens. Call inside the service's transaction: the row commits or rolls
back with the work it tells about, so nothing is announced for work that did not happen."""

from django.utils import translation

from core.rawsql import RawInsert

from .models import Notification

# Queued by every booking, cancellation and code sent: a prepared statement (core.rawsql).
_NEW = RawInsert(Notification)


def notification_queue(
    *,
    user,
    kind: str,
    subject: str,
    text: str,
    reference: str = "",
    channel: str = Notification.Channel.SMS,
) -> Notification:
    """Record a message for `user`, to be delivered by the notifications worker."""
    return _NEW.save(
        Notification(
            user=user,
            channel=channel,
            kind=kind,
            subject=subject[:200],
            text=text,
            reference=reference[:64],
        )
    )


def in_language(language: str | None):
    """Render texts in the recipient's language (Chinese unless they chose English)."""
    return translation.override(language or "zh-hans")
