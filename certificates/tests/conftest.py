"""Certificates' fixtures: one development PKI for the whole test session (made once: key
generation is the slow part), a citizen with a passport and a certificate of theirs, a
supervisor."""

import pytest
from django.core.cache import cache

from certificates import qr, services, signing
from certificates.models import Certificate, CertificateKind
from documents.tests.factories import CitizenFactory, PassportFactory
from staff.models import Role
from staff.tests.factories import StaffRoleFactory


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("certificates-pki")


@pytest.fixture(autouse=True)
def certificate_keys(settings, pki_dir):
    """Every test signs with the session's development PKI, without a TSA unless it says so."""
    settings.CERTIFICATES_SIGNER = "embedded"
    settings.CERTIFICATES_KEY_DIR = pki_dir
    settings.CERTIFICATES_TSA_URL = ""
    settings.CERTIFICATES_COSE_KEY_FILE = ""
    signing.signing_material_reset()
    qr._keys_for.cache_clear()
    cache.clear()
    yield pki_dir
    signing.signing_material_reset()


@pytest.fixture
def citizen(db):
    user = CitizenFactory(person__name_zh="王建国", person__name_pinyin="Wang Jianguo")
    PassportFactory(person=user.person, number="E12345678")
    return user


@pytest.fixture
def issued(citizen) -> Certificate:
    """A passport issuance record of the citizen, signed and stored."""
    return services.certificate_request(
        user=citizen,
        person_id=citizen.person.pk,
        kind=CertificateKind.PASSPORT_ISSUANCE,
        verify_url="https://example.test/verify/",
    )


@pytest.fixture
def supervisor(db):
    return StaffRoleFactory(role=Role.SUPERVISOR).user
