import datetime as dt

import pytest
from django.utils import timezone

from crossings.models import Flag
from documents.tests.factories import HkMacaoPassFactory, PassportFactory
from guide.models import Region
from guide.tests.factories import CityFactory, ProvinceFactory
from persons.tests.factories import PersonFactory
from staff.models import AccessLog, Role
from staff.tests.conftest import verified_client
from staff.tests.factories import StaffRoleFactory, TOTPDeviceFactory

from .factories import CrossingFactory

pytestmark = pytest.mark.django_db


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_my_records_page_lists_my_crossings_and_filters(citizen, citizen_client):
    # given my crossings on two documents
    now = timezone.now()
    card = HkMacaoPassFactory(person=citizen.person)
    passport = PassportFactory(person=citizen.person)
    CrossingFactory(document=card, occurred_at=now - dt.timedelta(days=1), destination="MAC")
    CrossingFactory(document=passport, occurred_at=now - dt.timedelta(days=2), vehicle="CA925")
    _english(citizen_client)

    # when I open the page, then filtered to the passport
    page = citizen_client.get("/crossings/")
    only_passport = citizen_client.get(f"/crossings/?document={passport.pk}")

    # then both show, then only the passport's
    assert page.status_code == 200
    assert "My entry/exit records" in page.text
    assert "MAC" in page.text and "CA925" in page.text
    assert "CA925" in only_passport.text and "MAC" not in only_passport.text.split("<tbody>")[1]


def test_my_records_page_explains_a_bad_period(citizen_client):
    response = citizen_client.get("/crossings/?start=2001-01-01")
    assert response.status_code == 422
    assert "10 years" in response.text or "10 年" in response.text
    assert citizen_client.get("/crossings/?start=not-a-date").status_code == 422
    assert citizen_client.get("/crossings/?person=999999").status_code == 404


def test_my_records_page_needs_sign_in(client):
    assert client.get("/crossings/").status_code == 302


def test_officers_see_flagged_crossings_in_their_regions_and_it_is_logged():
    # given an officer of Shenzhen, a flagged exit of a Shenzhen resident, and one of elsewhere
    shenzhen = CityFactory()
    beijing = Region.objects.create(
        code="110000", name_zh="北京市", name_en="Beijing", level=Region.Level.PROVINCE
    )
    role = StaffRoleFactory(role=Role.REVIEWER, regions=[shenzhen])
    TOTPDeviceFactory(user=role.user)
    ours = CrossingFactory(flag=Flag.NO_ENDORSEMENT, document=HkMacaoPassFactory())
    theirs = CrossingFactory(
        flag=Flag.NO_ENDORSEMENT,
        document=HkMacaoPassFactory(person=PersonFactory(household_region=beijing)),
    )
    CrossingFactory()  # not flagged

    # when the officer opens the page
    client = _english(verified_client(role.user))
    response = client.get("/staff/crossings/flagged/")

    # then only the flagged crossing in scope shows, and its person's viewing is logged
    assert response.status_code == 200
    assert response.text.count("<tr>") == 2  # header and one row
    logged = list(AccessLog.objects.values_list("person_id", flat=True))
    assert logged == [ours.person_id]
    assert theirs.person_id not in logged


def test_flagged_crossings_need_a_staff_role(citizen_client):
    ProvinceFactory()
    assert citizen_client.get("/staff/crossings/flagged/").status_code == 302
