"""Reads of the registry: whom a signed-in citizen may act for."""

import datetime as dt

from django.db.models import QuerySet

from guide.calendar import SHANGHAI

from .models import Person

ADULT_AGE = 18


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years of age on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def minor_born_after(today: dt.date) -> dt.date:
    """Persons born after this date are not yet 18 on `today`."""
    if (today.month, today.day) == (2, 29):
        return dt.date(today.year - ADULT_AGE, 3, 1)
    return today.replace(year=today.year - ADULT_AGE)


def minors_of(*, person: Person, today: dt.date | None = None) -> QuerySet[Person]:
    """The registered minor children (under 18) of whom `person` is a guardian."""
    cutoff = minor_born_after(today or dt.datetime.now(SHANGHAI).date())
    return Person.objects.filter(guardians__guardian=person, birth_date__gt=cutoff).order_by(
        "birth_date", "id"
    )


def persons_acting_for(*, user, today: dt.date | None = None) -> list[Person]:
    """The persons a citizen may act for: themself (once bound) and their registered minors.

    Unbound accounts act for nobody: no personal data is shown until the binding.
    """
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        return []
    return [person, *minors_of(person=person, today=today)]
