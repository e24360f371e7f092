"""A code to the account's phone when signing in, or getting a token, on a device not seen
before; a known device signs in with the password alone."""

import pytest
from django.test import Client

from accounts.device_cookie import COOKIE
from accounts.models import ApiToken, KnownDevice, VerificationCode

from .factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.new_device]
JSON = "application/json"


def codes(outbox, user) -> list[dict]:
    return [m for m in outbox.messages(user.phone) if m.get("purpose") == "new_device"]


def sign_in(client, user, password=PASSWORD):
    return client.post(
        "/accounts/login/", {"phone": user.phone, "password": password, "next": "/documents/"}
    )


def a_minute_later() -> None:
    """Age the codes sent so far: the next one is not refused as too soon."""
    import datetime as dt

    from django.db.models import F

    VerificationCode.objects.update(created_at=F("created_at") - dt.timedelta(minutes=2))


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- the website ---------------------------------------------------------------------------------


def test_a_new_browser_needs_the_code_then_signs_in_with_the_password_alone(
    client, citizen, committed, outbox
):
    # when the citizen signs in on a browser never seen
    with committed():
        response = sign_in(client, citizen)
    # then a code goes to the account's phone and they are not signed in yet
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/confirm/"
    assert not signed_in(client)
    assert len(codes(outbox, citizen)) == 1
    page = client.get("/accounts/login/confirm/")
    assert "*******" in page.text and 'name="code"' in page.text
    # a wrong code: refused on the page, still signed out
    wrong = client.post("/accounts/login/confirm/", {"code": "000000", "confirm": "1"})
    assert wrong.status_code == 200 and not signed_in(client)
    # the right code: signed in, where they were going, and the browser is remembered
    code = outbox.latest_code(citizen.phone, "new_device")
    done = client.post("/accounts/login/confirm/", {"code": code, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == "/documents/"
    assert signed_in(client)
    cookie = done.cookies[COOKIE]
    assert cookie["httponly"] and cookie["max-age"]
    device = KnownDevice.objects.get(user=citizen)
    assert device.kind == "web"
    assert device.device_hash not in cookie.value  # only a keyed hash is kept
    # when they sign out and in again on the same browser: the password is enough
    client.post("/accounts/logout/")
    with committed():
        again = sign_in(client, citizen)
    assert again.status_code == 302 and again["Location"] == "/documents/"
    assert signed_in(client)
    assert len(codes(outbox, citizen)) == 1


def test_another_browser_or_another_account_is_a_new_device(client, citizen, committed, outbox):
    # given a browser remembered for the citizen
    with committed():
        sign_in(client, citizen)
    client.post(
        "/accounts/login/confirm/",
        {"code": outbox.latest_code(citizen.phone, "new_device"), "confirm": "1"},
    )
    client.post("/accounts/logout/")
    a_minute_later()
    # when another browser signs in to the account: a code
    with committed():
        elsewhere = sign_in(Client(), citizen)
    assert elsewhere["Location"] == "/accounts/login/confirm/"
    # and when another account signs in on the remembered browser: a code for that account
    other = UserFactory()
    with committed():
        response = sign_in(client, other)
    assert response["Location"] == "/accounts/login/confirm/"
    assert not signed_in(client)
    assert len(codes(outbox, other)) == 1


def test_a_forged_device_cookie_is_a_new_device(client, citizen, committed, outbox):
    client.cookies[COOKIE] = "made-up-device-id"
    with committed():
        response = sign_in(client, citizen)
    assert response["Location"] == "/accounts/login/confirm/"
    assert not signed_in(client)


def test_a_wrong_password_sends_no_code(client, citizen, committed, outbox):
    with committed():
        response = sign_in(client, citizen, password="not-the-password-1")
    assert response.status_code == 200 and not signed_in(client)
    assert codes(outbox, citizen) == []
    assert not VerificationCode.objects.filter(purpose="new_device").exists()


def test_the_confirm_page_without_a_pending_sign_in_sends_back_to_sign_in(client):
    response = client.get("/accounts/login/confirm/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_the_code_is_written_in_the_accounts_language(client, committed, outbox):
    user = UserFactory(language="en")
    with committed():
        sign_in(client, user)
    [message] = codes(outbox, user)
    assert message["language"] == "en"
    assert "sign in to your Exit-Entry Online Services account on a new device" in (message["text"])


def test_a_new_code_is_sent_on_request_once_a_minute(client, citizen, committed, outbox):
    with committed():
        sign_in(client, citizen)
    response = client.post("/accounts/login/confirm/", {"resend": "1"})
    # too soon: the page says so, no second code
    assert response.status_code == 200
    assert len(codes(outbox, citizen)) == 1


# --- tokens for apps ---------------------------------------------------------------------------


def token(client, user, **fields):
    body = {"phone": user.phone, "password": PASSWORD, "device": "Zhang Wei's phone"} | fields
    return client.post("/api/v1/auth/token", body, content_type=JSON)


def test_a_token_on_a_new_device_needs_the_code_then_the_password_is_enough(
    client, citizen, committed, outbox
):
    # when an app asks for a token from an installation never seen
    with committed():
        first = token(client, citizen, device_id="install-7f3a")
    # then 202: a code was sent, no token
    assert first.status_code == 202, first.content
    assert first.json()["code_required"] is True
    assert first.json()["destination"].endswith(citizen.phone[-4:])
    assert not ApiToken.objects.exists()
    # a wrong code: 422, no token
    wrong = token(client, citizen, device_id="install-7f3a", code="000000")
    assert wrong.status_code == 422 and wrong.json()["code"] == "code_invalid"
    assert not ApiToken.objects.exists()
    # the right code: the token, and the installation is remembered
    code = outbox.latest_code(citizen.phone, "new_device")
    issued = token(client, citizen, device_id="install-7f3a", code=code)
    assert issued.status_code == 201, issued.content
    assert KnownDevice.objects.get(user=citizen).kind == "app"
    assert KnownDevice.objects.get(user=citizen).device_hash != "install-7f3a"
    # later tokens for that installation: the password alone
    assert token(Client(), citizen, device_id="install-7f3a").status_code == 201
    assert len(codes(outbox, citizen)) == 1


def test_a_token_without_a_device_id_always_needs_a_code(client, citizen, committed, outbox):
    with committed():
        response = token(client, citizen)
    assert response.status_code == 202
    code = outbox.latest_code(citizen.phone, "new_device")
    assert token(client, citizen, code=code).status_code == 201
    # nothing to remember it by
    assert not KnownDevice.objects.exists()


def test_codes_for_new_devices_are_rate_limited(client, citizen, committed, outbox):
    with committed():
        assert token(client, citizen, device_id="a").status_code == 202
    again = token(client, citizen, device_id="b")
    assert again.status_code == 429
    assert again["Retry-After"]
    assert again.json()["code"] == "code_resend_too_soon"


def test_a_wrong_password_gets_no_code_and_no_token(client, citizen, committed, outbox):
    with committed():
        response = token(client, citizen, device_id="x", password="not-the-password-1")
    assert response.status_code == 401
    assert codes(outbox, citizen) == []


@pytest.mark.parametrize("device_id", ["has space", "x" * 101, "tab\there"])
def test_a_malformed_device_id_is_refused_or_unknown(client, citizen, committed, device_id):
    with committed():
        response = token(client, citizen, device_id=device_id)
    assert response.status_code in (202, 422)
    assert not ApiToken.objects.exists()


# --- the website's session through the API ------------------------------------------------------


def test_the_api_session_sign_in_also_asks_the_code_on_a_new_browser(citizen, committed, outbox):
    browser = Client()
    body = {"phone": citizen.phone, "password": PASSWORD}
    with committed():
        first = browser.post("/api/v1/auth/login", body, content_type=JSON)
    assert first.status_code == 202 and first.json()["code_required"] is True
    assert "_auth_user_id" not in browser.session
    code = outbox.latest_code(citizen.phone, "new_device")
    done = browser.post("/api/v1/auth/login", body | {"code": code}, content_type=JSON)
    assert done.status_code == 200, done.content
    assert COOKIE in done.cookies
    browser.post("/api/v1/auth/logout")
    assert browser.post("/api/v1/auth/login", body, content_type=JSON).status_code == 200
