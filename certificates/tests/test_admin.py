import pytest

from certificates import services
from certificates.models import CertificateKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(citizen):
    return services.certificate_request(
        user=citizen,
        person_id=citizen.person.pk,
        kind=CertificateKind.PASSPORT_ISSUANCE,
        verify_url="https://example.test/verify/",
    )


def test_the_back_office_lists_certificates_with_masked_holders_and_no_code(admin_client, issued):
    # when the list and a record are opened
    listing = admin_client.get("/admin/certificates/certificate/")
    record = admin_client.get(f"/admin/certificates/certificate/{issued.pk}/change/")
    # then both open, the holder is masked, and neither the code nor the full number shows
    assert listing.status_code == 200 and record.status_code == 200
    text = listing.text
    assert issued.person.name_zh in text
    assert issued.person.id_number not in text
    assert issued.code not in text and issued.code not in record.text


def test_certificates_cannot_be_added_changed_or_deleted_in_the_back_office(admin_client, issued):
    assert admin_client.get("/admin/certificates/certificate/add/").status_code == 403
    response = admin_client.post(f"/admin/certificates/certificate/{issued.pk}/delete/")
    assert response.status_code == 403
    # and a filter on a personal field is refused
    answer = admin_client.get(
        f"/admin/certificates/certificate/?person__id_number={issued.person.id_number}"
    )
    assert answer.status_code == 400
