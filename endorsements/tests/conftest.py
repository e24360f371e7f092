"""Fixtures of the endorsements' tests: the policy options used, a Shenzhen resident holding a
Hong Kong/Macao pass, a resident of Xi'an (not eligible for individual travel), a hall with its
staff."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from documents.tests.factories import CitizenFactory, HkMacaoPassFactory, days_from_today
from guide.tests.factories import CityFactory, CountyFactory, HallFactory, ProvinceFactory
from persons.tests.factories import PersonFactory
from staff.models import Role
from staff.tests.factories import StaffRoleFactory, TOTPDeviceFactory

from .factories import PolicyFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def policies(db):
    """HKG G 3m1 (Guangdong), HKG T 3m1 (siblings), TWN G (suspended), HKG S 3m1."""
    return {
        "G": PolicyFactory(),
        "T": PolicyFactory(
            type_code="T",
            name_zh="探亲",
            name_en="Visiting relatives",
            stay_days=14,
            eligible_regions=[],
            relationships=["sibling", "grandparent"],
            requires=["relative_name", "relationship"],
        ),
        "S": PolicyFactory(
            type_code="S",
            name_zh="商务",
            name_en="Business",
            eligible_regions=[],
            requires=["inviting_company"],
        ),
        "TWN_G": PolicyFactory(
            destination="TWN",
            suspended=True,
            suspension_note_en="Suspended since 2019.",
            suspension_note_zh="自2019年起暂停。",
        ),
        "MAC_G_12": PolicyFactory(
            destination="MAC", option_code="1y2", validity_months=12, trips=2, fee=Decimal("30")
        ),
    }


@pytest.fixture
def citizen(db):
    """A Shenzhen (Luohu) resident with a Hong Kong/Macao pass valid for years."""
    user = CitizenFactory()
    HkMacaoPassFactory(person=user.person, number="C10000001", expires_on=days_from_today(2000))
    return user


@pytest.fixture
def pass_of(citizen):
    return citizen.person.documents.get(type="hk_macao_pass")


@pytest.fixture
def xian_citizen(db):
    province = ProvinceFactory(code="610000", name_zh="陕西省", name_en="Shaanxi")
    city = CityFactory(code="610100", name_zh="西安市", name_en="Xi'an", parent=province)
    county = CountyFactory(code="610113", name_zh="雁塔区", name_en="Yanta", parent=city)
    person = PersonFactory(household_region=county, birth_date=dt.date(1990, 1, 1))
    user = CitizenFactory(person=person)
    HkMacaoPassFactory(person=person, number="C10000002", expires_on=days_from_today(2000))
    return user


@pytest.fixture
def hall(db):
    return HallFactory(code="440303-01", name_zh="罗湖区出入境办证大厅", name_en="Luohu Hall")


def staff_member(role: Role, username: str, **scope):
    user = StaffRoleFactory(role=role, user__username=username, **scope).user
    TOTPDeviceFactory(user=user)
    return user


def verified_client(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


@pytest.fixture
def officer(hall):
    return staff_member(Role.HALL_OFFICER, "officer", halls=[hall])


@pytest.fixture
def reviewer(hall):
    return staff_member(Role.REVIEWER, "reviewer", halls=[hall])


@pytest.fixture
def supervisor(hall):
    return staff_member(Role.SUPERVISOR, "supervisor", halls=[hall])


def citizen_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
