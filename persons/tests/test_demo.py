import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from documents.models import Document, DocumentStatus
from documents.selectors import document_display_status, document_usable
from guide.regions import gbt2260_regions
from guide.services import regions_load
from persons.demo import fixed
from persons.demo.generate import demo_records
from persons.idnumbers import id_number_clean
from persons.models import Guardianship, Person
from persons.selectors import minors_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    regions_load(rows=gbt2260_regions())


def _statuses(id_number: str) -> dict[str, str]:
    return {
        d.number: document_display_status(d)
        for d in Document.objects.filter(person__id_number=id_number)
    }


def test_the_demo_registry_loads_once_with_the_fixed_persons(regions):
    # when
    out = StringIO()
    call_command("load_demo_registry", persons=120, stdout=out)
    # then
    assert "0 rejected" in out.getvalue()
    assert "not real" in out.getvalue()
    assert Person.objects.count() >= 126
    guardian = Person.objects.get(id_number=fixed.GUARDIAN_ID_NUMBER)
    assert (guardian.name_zh, guardian.phone_on_file) == ("王建国", "+8613800138000")
    assert guardian.household_region_id == "440303"
    assert _statuses(fixed.GUARDIAN_ID_NUMBER) == {
        fixed.GUARDIAN_PASSPORT: DocumentStatus.VALID,
        fixed.GUARDIAN_HK_MACAO_PASS: DocumentStatus.VALID,
        fixed.GUARDIAN_TAIWAN_PERMIT: DocumentStatus.EXPIRED,
    }
    child = Person.objects.get(id_number=fixed.CHILD_ID_NUMBER)
    assert list(minors_of(person=guardian)) == [child]
    assert _statuses(fixed.CHILD_ID_NUMBER) == {fixed.CHILD_HK_MACAO_PASS: DocumentStatus.VALID}
    lost = Person.objects.get(id_number=fixed.LOST_PASSPORT_ID_NUMBER)
    assert (lost.name_zh, lost.phone_on_file) == ("李秀英", "+8613900139000")
    assert _statuses(fixed.LOST_PASSPORT_ID_NUMBER) == {
        fixed.LOST_PASSPORT: DocumentStatus.REPORTED_LOST,
        fixed.REPLACEMENT_PASSPORT: DocumentStatus.VALID,
        fixed.EXPIRING_TAIWAN_PERMIT: DocumentStatus.VALID,
        fixed.LOST_PASSPORT_HK_MACAO_PASS: DocumentStatus.VALID,
    }
    chen = Person.objects.get(id_number=fixed.CHEN_ID_NUMBER)
    assert (chen.name_zh, chen.phone_on_file) == ("陈建国", "+8613900000001")
    assert [p.id_number for p in minors_of(person=chen)] == [fixed.CHEN_CHILD_ID_NUMBER]
    assert set(_statuses(fixed.CHEN_ID_NUMBER).values()) == {DocumentStatus.VALID}
    assert Person.objects.get(id_number=fixed.LIN_ID_NUMBER).phone_on_file == "+8613800000002"
    replacement = Document.objects.get(number=fixed.REPLACEMENT_PASSPORT)
    assert replacement.issued_on > Document.objects.get(number=fixed.LOST_PASSPORT).issued_on
    # a mix across the country: provinces, expired documents, families; one reported lost
    assert len({p.household_region_id[:2] for p in Person.objects.all()}) >= 20
    assert Document.objects.filter(status=DocumentStatus.REPORTED_LOST).count() == 1
    documents = list(Document.objects.all())
    assert sum(not document_usable(d) for d in documents) >= 5
    assert Guardianship.objects.count() >= 10
    # every ID number is valid and its area is the household region
    for person in Person.objects.all():
        assert id_number_clean(person.id_number) == person.id_number
        assert person.id_number[:6] == person.household_region_id
    # when it runs again
    before = (Person.objects.count(), Document.objects.count(), Guardianship.objects.count())
    out = StringIO()
    call_command("load_demo_registry", persons=120, stdout=out)
    # then nothing changes
    assert "0 created, 0 updated" in out.getvalue()
    assert (Person.objects.count(), Document.objects.count(), Guardianship.objects.count()) == (
        before
    )


def test_the_command_needs_the_regions():
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_registry", persons=0)


def test_generation_is_deterministic_and_ids_do_not_depend_on_the_month():
    counties = ["440303", "110105", "310104", "510104"]
    november = demo_records(persons=40, anchor=dt.date(2026, 11, 1), counties=counties)
    june = demo_records(persons=40, anchor=dt.date(2027, 6, 1), counties=counties)
    assert november == demo_records(persons=40, anchor=dt.date(2026, 11, 1), counties=counties)
    assert [p["id_number"] for p in november["persons"]] == [
        p["id_number"] for p in june["persons"]
    ]
    numbers = [d["number"] for d in november["documents"]]
    assert len(numbers) == len(set(numbers))
    assert not set(fixed.FIXED_ID_NUMBERS) & {p["id_number"] for p in november["persons"]}


def test_a_smaller_demo_is_the_start_of_a_larger_one():
    counties = ["440303", "110105", "310104", "510104"]
    anchor = dt.date(2026, 11, 1)
    small = demo_records(persons=30, anchor=anchor, counties=counties)
    large = demo_records(persons=90, anchor=anchor, counties=counties)
    for section in ("persons", "documents", "guardianships"):
        assert large[section][: len(small[section])] == small[section]
