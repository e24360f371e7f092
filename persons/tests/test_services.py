import datetime as dt

import pytest
from django.utils import translation

from core.errors import Problem
from persons.idnumbers import id_number_make
from persons.models import Guardianship, Person
from persons.services import Outcome, guardianship_upsert, person_upsert, phone_e164

from .factories import MinorFactory, PersonFactory

pytestmark = pytest.mark.django_db
ADULT = id_number_make(area="440303", birth_date=dt.date(1986, 5, 20), sequence=123)
CHILD = id_number_make(area="440303", birth_date=dt.date(2016, 9, 1), sequence=456)


@pytest.fixture(autouse=True)
def luohu(db):
    from guide.tests.factories import CountyFactory

    return CountyFactory()


def test_person_created_with_sex_birth_and_pinyin_from_what_is_known():
    # when
    person, outcome = person_upsert(
        id_number=ADULT.lower(), name_zh="王建国", household_region="440303",
        phone_on_file="138 0013 8000",
    )  # fmt: skip
    # then
    assert outcome == Outcome.CREATED
    assert (person.sex, person.birth_date) == ("M", dt.date(1986, 5, 20))
    assert person.name_pinyin == "Wang Jianguo"
    assert person.phone_on_file == "+8613800138000"


def test_person_upsert_is_idempotent_and_updates_in_place():
    person_upsert(id_number=ADULT, name_zh="王建国", household_region="440303")
    assert person_upsert(id_number=ADULT, name_zh="王建国", household_region="440303")[1] == (
        Outcome.UNCHANGED
    )
    person, outcome = person_upsert(
        id_number=ADULT, name_zh="王建国", household_region="440303", name_pinyin="Wang Jian-Guo"
    )
    assert outcome == Outcome.UPDATED
    assert person.name_pinyin == "Wang Jian-Guo"
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code", "message"),
    [
        ({"id_number": ADULT[:-1] + "0"}, "id_number", "invalid_id_number", "last character"),
        ({"id_number": "123"}, "id_number", "invalid_id_number", "18 characters"),
        # the same digit in another script (Arabic-Indic): its value checks, its form does not
        (
            {"id_number": ADULT[:15] + chr(0x0660 + int(ADULT[15])) + ADULT[16:]},
            "id_number",
            "invalid_id_number",
            "17 digits",
        ),
        ({"name_zh": "  "}, "name_zh", "invalid_name", "name in Chinese"),
        ({"name_zh": "王" * 51}, "name_zh", "invalid_name", "at most 50"),
        ({"name_pinyin": "王 Jianguo"}, "name_pinyin", "invalid_name", "Latin letters"),
        ({"household_region": "999999"}, "household_region", "unknown_region", "999999"),
        ({"phone_on_file": "12345"}, "phone_on_file", "invalid_phone", "mainland mobile"),
        ({"phone_on_file": "+85291234567"}, "phone_on_file", "invalid_phone", "mainland"),
        ({"phone_on_file": "0755-84465000"}, "phone_on_file", "invalid_phone", "mobile"),
        ({"sex": "F"}, "sex", "inconsistent_with_id_number", "sex does not match"),
        ({"birth_date": "1986-05-21"}, "birth_date", "inconsistent_with_id_number", "birth"),
        ({"birth_date": "20/05/1986"}, "birth_date", "validation_failed", "YYYY-MM-DD"),
    ],
)
def test_person_upsert_refuses_bad_input_naming_the_field(overrides, field, code, message):
    values = {"id_number": ADULT, "name_zh": "王建国", "household_region": "440303"}
    with translation.override("en"), pytest.raises(Problem) as error:
        person_upsert(**(values | overrides))
    assert error.value.errors[0]["field"] == field
    assert error.value.code == code
    assert message in error.value.detail
    assert not Person.objects.exists()


def test_phone_e164():
    assert phone_e164("+86 139 0013 9000") == "+8613900139000"
    assert phone_e164("13900139000") == "+8613900139000"


def test_guardianship_upsert():
    guardian = PersonFactory()
    child = MinorFactory()
    guardianship, outcome = guardianship_upsert(
        guardian_id_number=guardian.id_number, child_id_number=child.id_number
    )
    assert outcome == Outcome.CREATED
    assert guardianship.relation == "parent"
    again = guardianship_upsert(
        guardian_id_number=guardian.id_number, child_id_number=child.id_number
    )
    assert again[1] == Outcome.UNCHANGED
    changed = guardianship_upsert(
        guardian_id_number=guardian.id_number, child_id_number=child.id_number, relation="other"
    )
    assert changed[1] == Outcome.UPDATED
    assert Guardianship.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("self", "child_id_number", "their own guardian"),
        ("minor_guardian", "guardian_id_number", "must be an adult"),
        ("older_child", "child_id_number", "younger than the guardian"),
        ("unknown", "child_id_number", "No person with this ID number"),
        ("relation", "relation", "parent or other"),
    ],
)
def test_guardianship_refuses_bad_rows(case, field, message):
    adult, minor = PersonFactory(), MinorFactory()
    old = PersonFactory(birth_date=dt.date(1950, 1, 1))
    guardian, child, relation = {
        "self": (adult, adult.id_number, "parent"),
        "minor_guardian": (minor, adult.id_number, "parent"),
        "older_child": (adult, old.id_number, "parent"),
        "unknown": (adult, CHILD, "parent"),
        "relation": (adult, minor.id_number, "uncle"),
    }[case]
    with translation.override("en"), pytest.raises(Problem) as error:
        guardianship_upsert(
            guardian_id_number=guardian.id_number, child_id_number=child, relation=relation
        )
    assert error.value.errors[0]["field"] == field
    assert message in error.value.detail
