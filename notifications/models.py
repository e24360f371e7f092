"""Messages to citizens (SMS, email): their inbox and the outbox the relay delivers from.

One row per message and channel. A service queues the rows in its own transaction (so nothing
is announced for work that rolled back); the relay (notifications.relay) delivers them after
commit through the gateways (accounts.gateways), records the outcome and retries with backoff.
The row's id is the provider's de-duplication key, so a message resent after a crash (found
"sending" past its lease: in doubt) reaches the person once where the provider honours it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        IN_DOUBT = "in_doubt", _("In doubt")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=40)  # notifications.kinds.KINDS
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    # The language the text is written in (the recipient's when it was queued): later
    # messages about the same thing (the reminder) are written in it too.
    language = models.CharField(_("language"), max_length=10, blank=True)
    # What it is about, for the reader: "appointment:<number>", "application:<number>".
    reference = models.CharField(_("reference"), max_length=64, blank=True, db_index=True)
    # A message sent by two channels is one entry of the inbox: the first channel's row.
    in_inbox = models.BooleanField(_("shown in the inbox"), default=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    status = models.CharField(
        _("delivery status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # While "sending": the moment after which a relay that has not finished is presumed dead.
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    # Set when a relay found the row "sending" past its lease (it may or may not have reached
    # the provider); it was then sent again with the same de-duplication key.
    in_doubt_at = models.DateTimeField(_("found in doubt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The relay's work: due rows, and rows whose sender may have died.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "in_doubt"]),
                name="notification_due",
            ),
            models.Index(
                fields=["lease_until"], condition=Q(status="sending"), name="notification_leased"
            ),
            models.Index(
                fields=["user", "-created_at"],
                condition=Q(in_inbox=True),
                name="notification_inbox",
            ),
            models.Index(fields=["status", "created_at"], name="notification_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["sms", "email"]), name="notification_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "sent", "failed", "in_doubt"]),
                name="notification_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False),
                name="notification_sending_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | Q(failed_at__isnull=False),
                name="notification_failed_has_time",
            ),
            # The reminder the day before is sent once per appointment and channel.
            models.UniqueConstraint(
                fields=["reference", "channel"],
                condition=Q(kind="appointment_reminder"),
                name="notification_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to user {self.user_id}"


class NotificationPreference(models.Model):
    """How a user wants one kind of message: by text message, email or both.

    No row means the default (text message). Email is used only while the account has a
    confirmed email address; without one, the message goes by text message.
    """

    class Channels(models.TextChoices):
        SMS = "sms", _("Text message")
        EMAIL = "email", _("Email")
        BOTH = "both", _("Text message and email")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40)
    channels = models.CharField(_("channels"), max_length=8, choices=Channels.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=Q(channels__in=["sms", "email", "both"]),
                name="notification_preference_channels_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.channels}"
