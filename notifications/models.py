"""Messages to citizens (SMS, email) waiting to be delivered.

Services queue a Notification after their transaction commits; delivery through the gateways
is the notifications issue's work. Until then every message is recorded here, with its text in
the recipient's language, so nothing is lost.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=40)  # e.g. appointment_booked
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    # What it is about, for the reader and for de-duplication: "appointment:<number>".
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["status", "created_at"], name="notification_queue")]

    def __str__(self) -> str:
        return f"{self.kind} to user {self.user_id}"
