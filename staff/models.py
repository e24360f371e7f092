"""Staff roles with their scope, and the access log of every view of a person's data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HALL_OFFICER = "hall_officer", _("Hall officer")
    REVIEWER = "reviewer", _("Reviewer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


class StaffRole(models.Model):
    """One role of a staff member, scoped to halls and/or regions (all of a region's halls)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    halls = models.ManyToManyField("guide.Hall", verbose_name=_("halls"), blank=True)
    regions = models.ManyToManyField("guide.Region", verbose_name=_("regions"), blank=True)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="staff_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"


class AccessAction(models.TextChoices):
    """What a staff member saw of a person."""

    LOOKUP = "lookup", _("Looked up by ID number")
    VIEW_PERSON = "view_person", _("Opened the person's page")
    REVEAL_ID_NUMBER = "reveal_id_number", _("Showed the full ID number")
    BACK_OFFICE = "back_office", _("Opened the person's data in the back-office")
    VIEW_APPLICATION = "view_application", _("Opened an application")
    IDENTITY_CHECK = "identity_check", _("Checked identity at a hand-over")
    BACK_OFFICE_LIST = "back_office_list", _("Listed the person in the back-office")
    CERTIFICATE_REVOKE = "certificate_revoke", _("Revoked a certificate of the person")


class AppendOnlyError(Exception):
    """An attempt to change or remove an access log entry."""


class AccessLogQuerySet(models.QuerySet):
    """Rows can be added and read; bulk changes and deletions are refused."""

    def update(self, **kwargs):
        raise AppendOnlyError("The access log cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The access log cannot be deleted from.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("The access log cannot be changed.")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AppendOnlyError("The access log cannot be changed.")


class AccessLog(models.Model):
    """Who looked at whose data, what, when and why.

    Append-only at every level: the model and its querysets refuse updates and deletions, the
    back-office shows it read-only, and the database refuses UPDATE (and DELETE on PostgreSQL)
    with triggers (migration 0003). Entries are written only by staff.services.
    """

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("what"), max_length=64, choices=AccessAction.choices)
    reason = models.CharField(_("why"), max_length=300)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.staff} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("An access log entry cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("An access log entry cannot be deleted.")
