"""Queue messages to citizens, keep their preferences and their inbox.

Call `notification_queue` inside the service's transaction: the rows commit or roll back with
the work they tell about, and the relay (notifications.relay) delivers them after commit. The
message goes by the channels the user chose for its kind (text message by default; email only
to a confirmed address), one row per channel; the first is the inbox entry.
"""

from django.db import transaction
from django.utils import timezone, translation

from core.rawsql import Part, RawInsert, RawSelect

from .errors import (
    NotificationError,
    PreferencesInvalid,
    email_not_confirmed,
    unknown_channels,
    unknown_kind,
)
from .kinds import KINDS
from .models import Notification, NotificationPreference
from .relay import relay_kick

Channels = NotificationPreference.Channels
DEFAULT_CHANNELS = Channels.SMS

# Queued by every booking, cancellation and seat alert: prepared statements (core.rawsql).
_NEW = RawInsert(Notification)
_PREFERENCE = RawSelect(
    [Part(NotificationPreference, "p", only=("channels",))],
    "FROM notifications_notificationpreference p WHERE p.user_id = %s AND p.kind = %s",
)


def notification_queue(**fields) -> Notification:
    """Record a message for a user, by the channels they chose, delivered after commit; the
    arguments of notification_new. Returns the inbox entry (the first channel's row)."""
    return notification_record(notification_new(**fields))


def notification_record(notification: Notification) -> Notification:
    """Record a message made by notification_new (one row per channel) and have it delivered
    after commit."""
    rows = notification_fan_out(notification)
    for row in rows:
        _NEW.save(row)
    transaction.on_commit(relay_kick, robust=True)
    return rows[0]


def notification_new(
    *,
    user,
    kind: str,
    subject: str,
    text: str,
    reference: str = "",
    channel: str = "",
    language: str = "",
) -> Notification:
    """The message notification_queue records, not yet saved: for a service that writes it
    in the same statement as its own rows (appointments' booking, with notification_fan_out).

    Without a channel, the user's preference for the kind decides (notification_fan_out).
    """
    return Notification(
        user=user,
        channel=channel,
        kind=kind,
        subject=subject[:200],
        text=text,
        reference=reference[:64],
        language=(language or recipient_language(user))[:10],
    )


def notification_channels(*, user, kind: str) -> list[str]:
    """The channels a message of this kind goes by to this user: their choice (text message
    when they made none), email only while their address is confirmed, never none."""
    if not getattr(user, "has_confirmed_email", False):
        # Text message whatever they chose: no query on the booking path for most people.
        return [Notification.Channel.SMS]
    rows = _PREFERENCE.values([user.pk, kind])
    chosen = rows[0][0] if rows else DEFAULT_CHANNELS
    channels = {
        Channels.SMS: [Notification.Channel.SMS],
        Channels.EMAIL: [Notification.Channel.EMAIL],
        Channels.BOTH: [Notification.Channel.SMS, Notification.Channel.EMAIL],
    }.get(chosen, [Notification.Channel.SMS])
    return channels or [Notification.Channel.SMS]


def notification_fan_out(notification: Notification) -> list[Notification]:
    """The unsaved rows of one message: itself for the first channel (the inbox entry), a copy
    for the other; a message made with an explicit channel stays one row."""
    if notification.channel:
        return [notification]
    first, *others = notification_channels(user=notification.user, kind=notification.kind)
    notification.channel = first
    rows = [notification]
    for channel in others:
        rows.append(
            Notification(
                user=notification.user,
                channel=channel,
                kind=notification.kind,
                subject=notification.subject,
                text=notification.text,
                reference=notification.reference,
                language=notification.language,
                in_inbox=False,
            )
        )
    return rows


# --- preferences ----------------------------------------------------------------------------


@transaction.atomic
def notification_preferences_set(*, user, channels: dict[str, str]) -> dict[str, str]:
    """Set the channels of some kinds ({kind: "sms" | "email" | "both"}); returns them all.

    Email needs a confirmed address: choosing it without one is refused, so the page never
    shows a choice that would silently go by text message.
    """
    problems, code = [], NotificationError.PREFERENCE_INVALID
    for kind, chosen in channels.items():
        if kind not in KINDS:
            problems.append((kind, unknown_kind()))
        elif chosen not in Channels.values:
            problems.append((kind, unknown_channels()))
        elif chosen != Channels.SMS and not user.has_confirmed_email:
            problems.append((kind, email_not_confirmed()))
            code = NotificationError.EMAIL_NOT_CONFIRMED
    if problems:
        raise PreferencesInvalid(problems, code=code)
    for kind, chosen in channels.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"channels": chosen}
        )
    from .selectors import notification_preferences_get

    return notification_preferences_get(user=user)


# --- the inbox ------------------------------------------------------------------------------


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's inbox entries read (all unread ones when no ids are given); another
    user's ids are ignored. Returns how many changed."""
    entries = Notification.objects.filter(user=user, in_inbox=True, read_at__isnull=True)
    if ids is not None:
        entries = entries.filter(pk__in=ids)
    return entries.update(read_at=timezone.now())


def recipient_language(user) -> str:
    """The language a message to this account is written in: the one on the account
    (accounts.User.language), else the site's current one."""
    chosen = getattr(user, "language", "")
    if chosen in ("zh-hans", "en"):
        return chosen
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


def in_language(language: str | None):
    """Render texts in the recipient's language (Chinese unless they chose English)."""
    return translation.override(language or "zh-hans")


def in_language_of(user):
    """Render texts in the language of this account (recipient_language)."""
    return translation.override(recipient_language(user))


# --- the back-office --------------------------------------------------------------------------

RETRYABLE = (Notification.Status.FAILED, Notification.Status.IN_DOUBT, Notification.Status.QUEUED)


@transaction.atomic
def notifications_retry(*, ids: list[int]) -> int:
    """Send these messages again now (failed, in doubt, or waiting for their next attempt),
    with a fresh count of attempts; a message being sent or already sent is left alone.
    Returns how many will be sent."""
    count = Notification.objects.filter(pk__in=ids, status__in=RETRYABLE).update(
        status=Notification.Status.QUEUED,
        next_attempt_at=timezone.now(),
        attempts=0,
        failed_at=None,
    )
    if count:
        transaction.on_commit(relay_kick, robust=True)
    return count
