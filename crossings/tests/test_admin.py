import pytest

from crossings import signing
from crossings.models import PortCredential

from .factories import PortFactory

pytestmark = pytest.mark.django_db


def test_back_office_pages_open(admin_client, port, credential):
    for url in [
        "/admin/crossings/port/",
        f"/admin/crossings/port/{port.pk}/change/",
        "/admin/crossings/portcredential/",
        f"/admin/crossings/portcredential/{credential[0].pk}/change/",
        "/admin/crossings/portcredential/add/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_a_credential_added_in_the_back_office_shows_its_secret_once(admin_client):
    # given a port
    port = PortFactory(code="ZH-GONGBEI")

    # when an administrator adds a credential
    response = admin_client.post(
        "/admin/crossings/portcredential/add/",
        {"port": port.pk, "label": "gate 3"},
        follow=True,
    )

    # then it exists with a key id, and the message shows the secret that verification derives
    credential = PortCredential.objects.get(port=port)
    secret = signing.credential_secret(credential.key_id, credential.salt)
    assert response.status_code == 200
    assert credential.key_id in response.text and secret in response.text
    assert credential.label == "gate 3"
    # and no page shows it again
    page = admin_client.get(f"/admin/crossings/portcredential/{credential.pk}/change/").text
    assert secret not in page


def test_the_revoke_action_revokes_and_nothing_is_deleted(admin_client, credential):
    admin_client.post(
        "/admin/crossings/portcredential/",
        {"action": "revoke", "_selected_action": [credential[0].pk]},
    )
    credential[0].refresh_from_db()
    assert credential[0].revoked_at is not None
    response = admin_client.post(f"/admin/crossings/portcredential/{credential[0].pk}/delete/")
    assert response.status_code == 403
