"""Writes of the population registry: persons and guardianships, one transaction each.

The registry is the authority's: these functions load it (the import command, the demo data).
Each validates its input and raises InvalidInput naming the field, in the active language.
"""

import datetime as dt
import logging
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.phones import InvalidPhone, phone_clean
from core.errors import InvalidInput
from core.masking import mask_id_number
from guide.calendar import SHANGHAI
from guide.models import Region

from .errors import PersonError
from .idnumbers import InvalidIdNumber, id_number_birth_date, id_number_clean, id_number_sex
from .models import Guardianship, Person
from .names import PINYIN_NAME, pinyin_name
from .selectors import ADULT_AGE, age_on

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 50
MAX_PINYIN_LENGTH = 100


class Outcome(StrEnum):
    """What an upsert did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def id_number_field(value: str, *, field: str = "id_number") -> str:
    """The cleaned ID number, or InvalidInput naming `field` with the reason."""
    try:
        return id_number_clean(value)
    except InvalidIdNumber as error:
        raise InvalidInput(
            field=field, message=str(error), code=PersonError.INVALID_ID_NUMBER
        ) from None


def phone_e164(value: str, *, field: str = "phone_on_file") -> str:
    """A mainland mobile number in E.164 (+86...), or InvalidInput naming `field`.

    The one parser of mobile numbers is accounts.phones.phone_clean; the registry keeps its own
    message and error code.
    """
    try:
        return phone_clean(value)
    except InvalidPhone:
        raise InvalidInput(
            field=field,
            code=PersonError.INVALID_PHONE,
            message=_(
                "Enter a mainland mobile number, for example 13800138000 or +86 138 0013 8000."
            ),
        ) from None


def _date(value, *, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(field=field, message=_("Enter a date as YYYY-MM-DD.")) from None


@transaction.atomic
def person_upsert(
    *,
    id_number: str,
    name_zh: str,
    household_region: str,
    name_pinyin: str = "",
    phone_on_file: str = "",
    sex: str = "",
    birth_date: dt.date | str | None = None,
) -> tuple[Person, Outcome]:
    """Create or update the person with this ID number.

    Sex and date of birth come from the ID number; when given as well they must agree with it.
    The pinyin is generated from the Chinese name when not given.
    """
    number = id_number_field(id_number)
    name_zh = " ".join((name_zh or "").split())
    if not name_zh:
        raise InvalidInput(
            field="name_zh", code=PersonError.INVALID_NAME, message=_("Enter the name in Chinese.")
        )
    if len(name_zh) > MAX_NAME_LENGTH:
        raise InvalidInput(
            field="name_zh",
            code=PersonError.INVALID_NAME,
            message=_("Enter at most %(max)s characters.") % {"max": MAX_NAME_LENGTH},
        )
    name_pinyin = " ".join((name_pinyin or "").split()) or pinyin_name(name_zh)
    if not PINYIN_NAME.match(name_pinyin) or len(name_pinyin) > MAX_PINYIN_LENGTH:
        raise InvalidInput(
            field="name_pinyin",
            code=PersonError.INVALID_NAME,
            message=_(
                "Write the pinyin name in Latin letters, surname first, for example Wang Jianguo."
            ),
        )
    region_code = (household_region or "").strip()
    if not Region.objects.filter(code=region_code).exists():
        raise InvalidInput(
            field="household_region",
            code=PersonError.UNKNOWN_REGION,
            message=_("There is no region with the code %(code)s.") % {"code": region_code[:12]},
        )
    phone = phone_e164(phone_on_file) if (phone_on_file or "").strip() else ""
    derived_sex, derived_birth = id_number_sex(number), id_number_birth_date(number)
    if sex and sex.strip().upper() != derived_sex:
        raise InvalidInput(
            field="sex",
            code=PersonError.INCONSISTENT_WITH_ID_NUMBER,
            message=_("The sex does not match the ID number."),
        )
    given_birth = _date(birth_date, field="birth_date")
    if given_birth is not None and given_birth != derived_birth:
        raise InvalidInput(
            field="birth_date",
            code=PersonError.INCONSISTENT_WITH_ID_NUMBER,
            message=_("The date of birth does not match the ID number."),
        )
    values = {
        "name_zh": name_zh,
        "name_pinyin": name_pinyin,
        "sex": derived_sex,
        "birth_date": derived_birth,
        "household_region_id": region_code,
        "phone_on_file": phone,
    }
    person = Person.objects.select_for_update().filter(id_number=number).first()
    if person is None:
        person = Person.objects.create(id_number=number, **values)
        logger.debug("registry: person %s created", mask_id_number(number))
        return person, Outcome.CREATED
    changed = [name for name, value in values.items() if getattr(person, name) != value]
    if not changed:
        return person, Outcome.UNCHANGED
    for name in changed:
        setattr(person, name, values[name])
    person.save(update_fields=[*changed, "updated_at"])
    logger.debug("registry: person %s updated (%s)", mask_id_number(number), ", ".join(changed))
    return person, Outcome.UPDATED


def person_by_id_number(id_number: str, *, field: str = "id_number") -> Person:
    """The registered person with this ID number, or InvalidInput naming `field`."""
    number = id_number_field(id_number, field=field)
    person = Person.objects.filter(id_number=number).first()
    if person is None:
        raise InvalidInput(
            field=field,
            code=PersonError.PERSON_NOT_FOUND,
            message=_("No person with this ID number is in the registry."),
        )
    return person


@transaction.atomic
def guardianship_upsert(
    *, guardian_id_number: str, child_id_number: str, relation: str = "parent"
) -> tuple[Guardianship, Outcome]:
    """Record that one registered person is a legal guardian of another (an adult of a child)."""
    relation = (relation or "parent").strip()
    if relation not in dict(Guardianship._meta.get_field("relation").choices):
        raise InvalidInput(
            field="relation",
            code=PersonError.INVALID_GUARDIANSHIP,
            message=_("The relation is parent or other."),
        )
    guardian = person_by_id_number(guardian_id_number, field="guardian_id_number")
    child = person_by_id_number(child_id_number, field="child_id_number")
    if guardian.pk == child.pk:
        raise InvalidInput(
            field="child_id_number",
            code=PersonError.INVALID_GUARDIANSHIP,
            message=_("A person cannot be their own guardian."),
        )
    if age_on(guardian.birth_date, dt.datetime.now(SHANGHAI).date()) < ADULT_AGE:
        raise InvalidInput(
            field="guardian_id_number",
            code=PersonError.INVALID_GUARDIANSHIP,
            message=_("A guardian must be an adult."),
        )
    if child.birth_date <= guardian.birth_date:
        raise InvalidInput(
            field="child_id_number",
            code=PersonError.INVALID_GUARDIANSHIP,
            message=_("The child must be younger than the guardian."),
        )
    guardianship, created = Guardianship.objects.get_or_create(
        guardian=guardian, child=child, defaults={"relation": relation}
    )
    if created:
        return guardianship, Outcome.CREATED
    if guardianship.relation != relation:
        guardianship.relation = relation
        guardianship.save(update_fields=["relation"])
        return guardianship, Outcome.UPDATED
    return guardianship, Outcome.UNCHANGED
