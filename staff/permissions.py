"""What each staff role may do: one table, read by `staff.selectors.staff_can`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Role


class Permission(models.TextChoices):
    """Things a staff member may do. Apps that add staff work check these through staff_can."""

    PERSON_LOOKUP = "person_lookup", _("Look up a person's data by ID number, giving a reason")
    HALL_SERVICE = "hall_service", _("Check in, accept and hand over at the halls in your scope")
    APPLICATION_REVIEW = "application_review", _("Review applications: approve or reject them")
    APPLICATION_DECIDE = (
        "application_decide",
        _(
            "Approve or reject applications, reassign them, see each officer's queue and "
            "what is late"
        ),
    )
    APPLICATION_PRODUCE = (
        "application_produce",
        _("Send approved applications to production, record them produced and mailed"),
    )
    ACCESS_LOG_READ = "access_log_read", _("Read the access log of the staff in your regions")
    ACCESS_LOG_READ_ALL = "access_log_read_all", _("Read the whole access log")
    STAFF_MANAGE = "staff_manage", _("Manage staff roles and the back-office")


# Administrators run the system and read the whole log, but do not look up persons:
# personal data goes only to the roles whose work needs it (PIPL: minimum necessary).
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.HALL_OFFICER: frozenset({Permission.PERSON_LOOKUP, Permission.HALL_SERVICE}),
    Role.REVIEWER: frozenset(
        {Permission.PERSON_LOOKUP, Permission.APPLICATION_REVIEW, Permission.APPLICATION_PRODUCE}
    ),
    Role.SUPERVISOR: frozenset(
        {
            Permission.PERSON_LOOKUP,
            Permission.APPLICATION_REVIEW,
            Permission.APPLICATION_DECIDE,
            Permission.APPLICATION_PRODUCE,
            Permission.ACCESS_LOG_READ,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {Permission.ACCESS_LOG_READ, Permission.ACCESS_LOG_READ_ALL, Permission.STAFF_MANAGE}
    ),
}
