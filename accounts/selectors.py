"""Reads of accounts: who is signed in, whom they act for, their devices and sign-ins."""

from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import timezone

from persons.models import Person
from persons.selectors import persons_acting_for

from .models import ApiToken, KnownDevice, LoginEvent, User


@dataclass(frozen=True)
class ActingFor:
    """A person the citizen may act for, and why: themself or a registered minor child."""

    person: Person
    relation: str  # "self" or "minor"


def acting_for(*, user: User) -> list[ActingFor]:
    """The citizen (once bound) and their registered minors; nobody for an unbound account."""
    return [
        ActingFor(person=person, relation="self" if person.pk == user.person_id else "minor")
        for person in persons_acting_for(user=user)
    ]


def tokens_active(*, user: User) -> QuerySet[ApiToken]:
    """The user's devices: tokens neither revoked nor expired, newest first."""
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at", "-id")


def devices_known(*, user: User) -> QuerySet[KnownDevice]:
    """The browsers and apps the user confirmed a code on, last seen first."""
    return KnownDevice.objects.filter(user=user).order_by(
        F("last_seen_at").desc(nulls_last=True), "-created_at", "-id"
    )


def login_events_recent(*, user: User, limit: int = 5) -> QuerySet[LoginEvent]:
    """The user's latest sign-ins, failures, lockouts and sign-outs."""
    return LoginEvent.objects.filter(user=user).order_by("-at", "-id")[:limit]
