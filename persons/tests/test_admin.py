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
    assert person.id_number[:4] + "*" * 10 + person.id_number[-4:] in listing


def test_search_by_the_full_id_number_only(admin_client):
    person = PersonFactory(name_zh="赵六")
    PersonFactory(name_zh="钱七")
    found = admin_client.get("/admin/persons/person/", {"q": person.id_number}).text
    assert "赵六" in found and "钱七" not in found
    # a partial number finds nobody (no enumeration by prefix)
    partial = admin_client.get("/admin/persons/person/", {"q": person.id_number[:10]}).text
    assert "赵六" not in partial
