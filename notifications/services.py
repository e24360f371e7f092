"""Queue messages to citizens. Call inside the service's transaction: the row commits or rolls
back with the work it tells about, so nothing is announced for work that did not happen."""

from django.utils import translation

from core.rawsql import RawInsert

from .models import Notification

# Queued by every booking, cancellation and code sent: a prepared statement (core.rawsql).
_NEW = RawInsert(Notification)


def notification_queue(**fields) -> Notification:
    """Record a message for a user, to be delivered by the notifications worker; the arguments
    of notification_new (user, kind, subject, text, reference, channel)."""
    return notification_record(notification_new(**fields))


def notification_record(notification: Notification) -> Notification:
    """Record a message made by notification_new."""
    return _NEW.save(notification)


def notification_new(
    *,
    user,
    kind: str,
    subject: str,
    text: str,
    reference: str = "",
    channel: str = Notification.Channel.SMS,
) -> Notification:
    """The message notification_queue records, not yet saved: for a service that writes it
    in the same statement as its own rows (appointments' booking)."""
    return Notification(
        user=user,
        channel=channel,
        kind=kind,
        subject=subject[:200],
        text=text,
        reference=reference[:64],
    )


def in_language(language: str | None):
    """Render texts in the recipient's language (Chinese unless they chose English)."""
    return translation.override(language or "zh-hans")
