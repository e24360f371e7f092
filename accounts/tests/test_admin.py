import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken, LoginEvent
from accounts.services.tokens import token_issue
from staff.models import Role, StaffRole

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(django_user_model):
    """An administrator signed in with a verified TOTP device (the back-office asks for it)."""
    admin = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    StaffRole.objects.create(user=admin, role=Role.ADMINISTRATOR)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    client = Client()
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_user_list_shows_masked_numbers(admin_client, citizen):
    text = admin_client.get("/admin/accounts/user/").content.decode()
    assert "*******" + citizen.phone[-4:] in text
    assert citizen.phone not in text
    assert citizen.phone[3:] not in text


def test_login_events_are_read_only(admin_client, citizen, rf):
    LoginEvent.objects.create(
        user=citizen, phone_masked="*******0001", kind="failure", channel="web"
    )
    event = LoginEvent.objects.get()
    assert admin_client.get("/admin/accounts/loginevent/").status_code == 200
    assert admin_client.get("/admin/accounts/loginevent/add/").status_code == 403
    assert admin_client.get(f"/admin/accounts/loginevent/{event.pk}/change/").status_code == 200
    response = admin_client.post(f"/admin/accounts/loginevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert LoginEvent.objects.count() == 1


def test_tokens_are_listed_and_revoked_by_action(admin_client, rf):
    user = UserFactory()
    issued = token_issue(request=rf.post("/"), phone=user.phone, password=PASSWORD, device="Pad")
    text = admin_client.get("/admin/accounts/apitoken/").content.decode()
    assert "Pad" in text
    assert issued.token.key_hash not in text
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
    response = admin_client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [issued.token.pk]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
