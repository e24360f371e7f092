"""Step-up codes before lasting changes, the password change, idle tokens, and a change of
mobile number ending the other sessions and tokens."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken

from .factories import PASSWORD

pytestmark = pytest.mark.django_db
JSON = "application/json"
NEW_PASSWORD = "Copper-Kettle-Drift-91"


def post(client, path, data=None, **headers):
    return client.post(f"/api/v1/{path}", data or {}, content_type=JSON, headers=headers)


def token_of(client, user) -> dict:
    response = post(
        client, "auth/token", {"phone": user.phone, "password": PASSWORD, "device": "x"}
    )
    assert response.status_code == 201, response.content
    return {"authorization": f"Bearer {response.json()['token']}"}


def step_up(client, committed, outbox, user, **headers):
    with committed():
        assert post(client, "me/step-up", **headers).status_code == 202
    code = outbox.latest_code(user.phone, "step_up")
    assert post(client, "me/step-up/confirm", {"code": code}, **headers).status_code == 204


def test_a_password_change_needs_a_step_up_and_the_current_password(
    client, citizen, committed, outbox
):
    headers = token_of(client, citizen)
    other = token_of(Client(), citizen)
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    # without a step-up: refused
    refused = post(client, "me/password", change, **headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "step_up_required"
    # with it, but a wrong current password: refused
    step_up(client, committed, outbox, citizen, **headers)
    wrong = post(client, "me/password", change | {"current_password": "not-it-123"}, **headers)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    # with both: changed; this token goes on, the other device is signed out
    assert post(client, "me/password", change, **headers).status_code == 204
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.get("/api/v1/me", headers=other).status_code == 401


def test_the_password_change_page(client, citizen, committed, outbox):
    client.force_login(citizen)
    other = Client()
    other.force_login(citizen)
    assert client.get("/accounts/password/")["Location"].startswith("/accounts/confirm-it-is-you/")
    step_up(client, committed, outbox, citizen)
    response = client.post(
        "/accounts/password/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    # this browser stays signed in, the other one is signed out
    assert client.get("/accounts/").status_code == 200
    assert other.get("/accounts/").status_code == 302


def test_an_idle_token_stops_working(client, citizen, settings):
    settings.API_TOKEN_IDLE_DAYS = 14
    headers = token_of(client, citizen)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    ApiToken.objects.update(last_used_at=timezone.now() - dt.timedelta(days=15))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_new_mobile_number_ends_other_sessions_and_tokens(client, citizen, committed, outbox):
    other_browser = Client()
    other_browser.force_login(citizen)
    other_app = token_of(Client(), citizen)
    client.force_login(citizen)
    with committed():
        post(client, "me/phone", {"password": PASSWORD, "phone": "13911112222"})
    code = outbox.latest_code("+8613911112222")
    assert post(client, "me/phone/confirm", {"code": code}).status_code == 200
    # this session goes on; the other browser and the app are signed out
    assert client.get("/api/v1/me").status_code == 200
    assert other_browser.get("/api/v1/me").status_code == 401
    assert Client().get("/api/v1/me", headers=other_app).status_code == 401
