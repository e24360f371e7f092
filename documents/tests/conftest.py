import pytest

from .factories import CitizenFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def citizen(db):
    """A bound citizen (an adult of Luohu) without documents."""
    return CitizenFactory()


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client
