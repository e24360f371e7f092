import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from guide.tests.factories import CityFactory, HallFactory
from staff.models import Role

from .factories import StaffRoleFactory, TOTPDeviceFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def luohu_hall(db):
    return HallFactory(code="440303-01", name_zh="罗湖区出入境办证大厅", name_en="Luohu Hall")


def _staff(role: Role, **scope):
    staff_role = StaffRoleFactory(role=role, **scope)
    TOTPDeviceFactory(user=staff_role.user)
    return staff_role.user


@pytest.fixture
def officer(luohu_hall):
    return _staff(Role.HALL_OFFICER, user__username="officer", halls=[luohu_hall])


@pytest.fixture
def reviewer(db):
    return _staff(Role.REVIEWER, user__username="reviewer", regions=[CityFactory()])


@pytest.fixture
def supervisor(db):
    return _staff(Role.SUPERVISOR, user__username="supervisor", regions=[CityFactory()])


@pytest.fixture
def administrator(db):
    return _staff(Role.ADMINISTRATOR, user__username="administrator", user__is_superuser=True)


def verified_client(user) -> Client:
    """A client signed in as `user` with their TOTP device verified in the session."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


def english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client
