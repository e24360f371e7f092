"""Helpers of the applications' tests: staff with a role at a hall, and one workflow step."""

from django.db import transaction

from applications.services import application_act
from staff.models import Role
from staff.tests.factories import StaffRoleFactory


def staff_at(hall, role: Role = Role.REVIEWER):
    """A staff member holding `role` at `hall`."""
    return StaffRoleFactory(role=role, halls=[hall]).user


def step(application, action: str, actor, **fields):
    """Apply one workflow action in its own transaction, as a service does."""
    with transaction.atomic():
        return application_act(application=application, action=action, actor=actor, **fields)
