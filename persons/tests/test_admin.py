import pytest

from .factories import GuardianshipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_person_pages_open_and_the_list_masks_id_numbers(admin_client):
    guardianship = GuardianshipFactory()
    person = guardianship.guardian
    for url in [
        "/admin/persons/person/",
        f"/admin/persons/person/{person.pk}/change/",
        f"/admin/persons/person/{guardianship.child.pk}/change/",
        "/admin/persons/guardianship/",
        "/admin/persons/person/add/",
    ]:
        assert admin_client.get(url).status_code == 200, url
    listing = admin_client.get("/admin/persons/person/").text
    assert person.id_number not in listing
    assert person.id_number[:1] + "*" * 16 + person.id_number[-1:] in listing


def test_lists_are_searched_by_name_not_by_id_number(admin_client):
    # given two persons
    person = PersonFactory(name_zh="赵六")
    PersonFactory(name_zh="钱七")
    # when the list is searched by name, then that person is found
    found = admin_client.get("/admin/persons/person/", {"q": "赵六"}).text
    assert "赵六" in found and "钱七" not in found
    # but a search by ID number finds nobody: that is the staff lookup, with its reason
    by_number = admin_client.get("/admin/persons/person/", {"q": person.id_number}).text
    assert "赵六" not in by_number


def test_opening_a_person_asks_why_and_logs_each_view(admin_client):
    from staff.models import AccessAction, AccessLog

    person = PersonFactory(name_zh="孙八")
    url = f"/admin/persons/person/{person.pk}/change/"
    # when the record is opened, then the reason is asked first and nothing is shown
    asked = admin_client.get(url)
    assert asked.status_code == 200
    assert 'name="reason"' in asked.text
    assert person.id_number not in asked.text
    assert not AccessLog.objects.exists()
    # a reason too short is refused
    short = admin_client.post(url, {"back_office_reason": "1", "reason": "why"})
    assert "errornote" in short.text
    # when a reason is given
    given = admin_client.post(
        url, {"back_office_reason": "1", "reason": "Correcting the registry record, ticket 4711"}
    )
    assert given.status_code == 302
    page = admin_client.get(url)
    # then the record opens, and each view is logged with the reason
    assert person.id_number in page.text
    admin_client.get(url)
    rows = AccessLog.objects.filter(person=person, action=AccessAction.BACK_OFFICE)
    assert rows.count() == 2
    assert rows.first().reason == "Correcting the registry record, ticket 4711"
