"""The back-office does not find persons by ID number, phone or document number through URL
filters, logs the lists that show persons' data, and masks citizens' phone numbers."""

import pytest

from accounts.tests.factories import BoundUserFactory
from documents.tests.factories import PassportFactory
from persons.tests.factories import PersonFactory
from staff.models import AccessAction, AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return PersonFactory(phone_on_file="+8613955556666")


@pytest.mark.parametrize(
    "query",
    [
        "/admin/persons/person/?id_number={id_number}",
        "/admin/persons/person/?id_number__startswith={prefix}",
        "/admin/persons/person/?phone_on_file=%2B8613955556666",
        "/admin/persons/person/?id_number__regex=(",
        "/admin/persons/person/?name_zh__regex=^",
        "/admin/documents/document/?number__startswith=E",
        "/admin/documents/document/?person__id_number={id_number}",
        "/admin/persons/guardianship/?child__id_number={id_number}",
        "/admin/accounts/user/?phone=%2B8613955556666",
        "/admin/accounts/user/?person__id_number={id_number}",
        "/admin/accounts/apitoken/?user__phone__startswith=%2B86",
    ],
)
def test_lookups_on_personal_fields_are_refused(admin_client, person, query):
    # given a person and their passport
    PassportFactory(person=person)
    url = query.format(id_number=person.id_number, prefix=person.id_number[:10])
    # when an administrator filters a list by a personal field in the URL
    response = admin_client.get(url)
    # then refused, and nothing of the person shown
    assert response.status_code == 400
    assert person.name_zh not in response.content.decode()


def test_a_list_showing_persons_is_logged(admin_client, person):
    # given two persons, one with a passport
    other = PersonFactory()
    PassportFactory(person=person)
    # when the persons list and the documents list are shown
    assert admin_client.get("/admin/persons/person/").status_code == 200
    assert admin_client.get("/admin/documents/document/").status_code == 200
    # then one access-log row per person shown, per list
    rows = AccessLog.objects.filter(action=AccessAction.BACK_OFFICE_LIST)
    assert sorted(rows.values_list("person_id", flat=True)) == sorted(
        [person.pk, other.pk, person.pk]
    )


def test_citizens_phone_numbers_are_masked_and_not_searched(admin_client):
    citizen = BoundUserFactory()
    # the list searched by number finds nobody
    found = admin_client.get("/admin/accounts/user/", {"q": citizen.phone[3:]})
    assert list(found.context["cl"].result_list) == []
    # the record shows the number masked only
    page = admin_client.get(f"/admin/accounts/user/{citizen.pk}/change/").content.decode()
    assert citizen.phone not in page
    assert citizen.phone[3:] not in page
    assert "*******" + citizen.phone[-4:] in page
