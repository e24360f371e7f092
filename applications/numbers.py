"""Application numbers, one series for document applications and endorsement applications.

A number is the date of applying (Beijing time) and eight random digits: 14 digits, read in
groups. Each is recorded in ApplicationNumber, whose primary key the database keeps unique
across both kinds, in the transaction that gives it: a number already taken (by an application
of either kind) raises IntegrityError there, and the service draws again in a new transaction.
"""

import datetime as dt
import secrets

from guide.calendar import SHANGHAI

from .models import ApplicationNumber

Kind = ApplicationNumber.Kind


def application_number_new(now: dt.datetime) -> str:
    """A number drawn for `now` (not yet taken: application_number_take records it)."""
    return f"{now.astimezone(SHANGHAI):%y%m%d}{secrets.randbelow(10**8):08d}"


def application_number_take(number: str, *, kind: str, now: dt.datetime) -> str:
    """Record `number` as given to an application of `kind`, inside the caller's transaction;
    IntegrityError when an application of either kind holds it already."""
    ApplicationNumber.objects.create(number=number, kind=kind, allocated_at=now)
    return number


def application_number_allocate(*, kind: str, now: dt.datetime) -> str:
    """A new number, recorded for `kind` (see application_number_take)."""
    return application_number_take(application_number_new(now), kind=kind, now=now)
