"""The remembered devices of an account: listed on the devices page and in the API, forgotten one
by one, and all forgotten by a password reset, a password change or a new mobile number."""

import datetime as dt

import pytest
from django.core.signing import get_cookie_signer
from django.test import Client
from django.utils import timezone

from accounts.device_cookie import COOKIE, SALT
from accounts.models import KnownDevice
from accounts.services.contact import phone_change_confirm, phone_change_start
from accounts.services.devices import device_forget, device_hash_of
from accounts.services.passwords import password_change, password_reset, password_reset_start
from accounts.services.tokens import token_issue
from accounts.user_agents import user_agent_label, user_agent_summary
from core.bounds import MAX_ID
from core.errors import Problem

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"
NEW_PASSWORD = "a-new-long-passphrase-42"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def remembered(user, device_id: str, *, kind="web", name=CHROME_WINDOWS, days_ago=0):
    """A device the user confirmed a code on, last seen `days_ago` (a browser's User-Agent kept
    as its summary, as sign-in does)."""
    return KnownDevice.objects.create(
        user=user,
        device_hash=device_hash_of(device_id),
        kind=kind,
        name=user_agent_summary(name) if kind == "web" else name,
        last_seen_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def browser_with(device_id: str) -> Client:
    """A browser holding the signed device cookie of `device_id`."""
    client = Client()
    client.cookies[COOKIE] = get_cookie_signer(salt=COOKIE + SALT).sign(device_id)
    return client


def api(client, method, path, **extra):
    return getattr(client, method)(f"/api/v1/{path}", content_type=JSON, **extra)


# --- labels ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (CHROME_WINDOWS, "Chrome on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0 Mobile Safari/537.36 MicroMessenger/8.0.50",
            "WeChat on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_a_browser_is_labelled_coarsely_from_its_user_agent(user_agent, label):
    assert user_agent_label(user_agent) == label


@pytest.mark.parametrize("user_agent", [CHROME_WINDOWS, SAFARI_IPHONE, "curl/8.5.0", ""])
def test_only_a_short_summary_of_the_user_agent_is_kept_and_labels_alike(user_agent):
    summary = user_agent_summary(user_agent)
    assert len(summary) <= 30 and "/" not in summary
    assert user_agent_label(summary) == user_agent_label(user_agent)


@pytest.mark.new_device
def test_signing_in_on_a_new_browser_keeps_the_summary_not_the_user_agent(
    client, citizen, committed, outbox
):
    # given a browser that is not known yet
    client.defaults["HTTP_USER_AGENT"] = SAFARI_IPHONE
    # when the citizen confirms the code
    with committed():
        client.post("/accounts/login/", {"phone": citizen.phone, "password": PASSWORD})
    code = outbox.latest_code(citizen.phone, "new_device")
    client.post("/accounts/login/confirm/", {"code": code, "confirm": "1"})
    # then the device keeps "Safari;iPhone" and is labelled from it
    device = KnownDevice.objects.get(user=citizen)
    assert device.name == "Safari;iPhone"
    assert device.label == "Safari on iPhone"


def test_an_app_is_labelled_by_the_name_it_gave(citizen):
    assert remembered(citizen, "i-1", kind="app", name="Zhang Wei's phone").label == (
        "Zhang Wei's phone"
    )
    assert remembered(citizen, "i-2", kind="app", name="").label == "Unnamed device"


# --- the API --------------------------------------------------------------------------------------


def test_my_devices_lists_mine_only_last_seen_first_without_the_user_agent(citizen):
    # given two remembered devices, and one of another account
    old = remembered(citizen, "browser-1", days_ago=9)
    app = remembered(citizen, "app-1", kind="app", name="Zhang Wei's phone", days_ago=1)
    remembered(UserFactory(), "browser-x")
    client = browser_with("browser-1")
    client.force_login(citizen)
    # when
    response = api(client, "get", "me/devices")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert [d["id"] for d in body["results"]] == [app.pk, old.pk]
    first, second = body["results"]
    assert first == {
        "id": app.pk,
        "kind": "app",
        "label": "Zhang Wei's phone",
        "first_seen_at": first["first_seen_at"],
        "last_seen_at": first["last_seen_at"],
        "current": False,
    }
    assert second["label"] == "Chrome on Windows" and second["current"] is True
    assert "Mozilla" not in response.text and "537.36" not in response.text


def test_my_devices_is_paginated(citizen):
    for n in range(3):
        remembered(citizen, f"browser-{n}", days_ago=n)
    client = Client()
    client.force_login(citizen)
    body = api(client, "get", "me/devices?limit=2&offset=2").json()
    assert body["count"] == 3 and len(body["results"]) == 1


def test_forgetting_a_device_over_the_api(citizen):
    # given
    device = remembered(citizen, "browser-1")
    client = Client()
    client.force_login(citizen)
    # when
    response = api(client, "delete", f"me/devices/{device.pk}")
    # then
    assert response.status_code == 204
    assert not KnownDevice.objects.filter(pk=device.pk).exists()
    again = api(client, "delete", f"me/devices/{device.pk}")
    assert again.status_code == 404 and again.json()["code"] == "device_not_found"


def test_someone_elses_device_is_404_and_stays(citizen):
    theirs = remembered(UserFactory(), "browser-x")
    client = Client()
    client.force_login(citizen)
    response = api(client, "delete", f"me/devices/{theirs.pk}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert KnownDevice.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("device_id", ["0", str(MAX_ID + 1), "99999999999999999999999"])
def test_a_device_id_out_of_bounds_is_422(citizen, device_id):
    client = Client()
    client.force_login(citizen)
    assert api(client, "delete", f"me/devices/{device_id}").status_code == 422


def test_forgetting_a_device_needs_a_citizen_and_the_csrf_token(citizen):
    device = remembered(citizen, "browser-1")
    assert api(Client(), "get", "me/devices").status_code == 401
    assert api(Client(), "delete", f"me/devices/{device.pk}").status_code == 401
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    refused = api(client, "delete", f"me/devices/{device.pk}")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert KnownDevice.objects.filter(pk=device.pk).exists()


def test_an_app_with_its_token_lists_and_forgets_devices(citizen):
    device = remembered(citizen, "app-1", kind="app", name="tablet")
    issued = token_issue(
        request=_request(), phone=citizen.phone, password=PASSWORD, device="tablet"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.key}"}
    listed = api(Client(), "get", "me/devices", **auth).json()
    assert [d["id"] for d in listed["results"]] == [device.pk]
    assert listed["results"][0]["current"] is False
    assert api(Client(), "delete", f"me/devices/{device.pk}", **auth).status_code == 204


def _request():
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import RequestFactory

    request = RequestFactory().post("/api/v1/auth/token", REMOTE_ADDR="10.0.0.1")
    SessionMiddleware(lambda r: None).process_request(request)
    return request


# --- the devices page -----------------------------------------------------------------------------


def test_the_devices_page_lists_remembered_devices_with_a_forget_button(citizen):
    mine = remembered(citizen, "browser-1", name=SAFARI_IPHONE)
    remembered(UserFactory(), "browser-x", name=CHROME_WINDOWS)
    client = browser_with("browser-1")
    client.force_login(citizen)
    page = client.get("/accounts/devices/")
    assert page.status_code == 200
    assert "Safari on iPhone" in page.text and "This browser" in page.text
    assert f"/accounts/devices/known/{mine.pk}/forget/" in page.text
    assert "Chrome on Windows" not in page.text  # another account's
    assert "Mozilla" not in page.text


def test_the_devices_page_without_remembered_devices(citizen):
    client = Client()
    client.force_login(citizen)
    assert "No device is remembered" in client.get("/accounts/devices/").text


def test_forgetting_a_device_on_the_page(citizen):
    device = remembered(citizen, "browser-1")
    client = Client()
    client.force_login(citizen)
    assert client.get(f"/accounts/devices/known/{device.pk}/forget/").status_code == 405
    response = client.post(f"/accounts/devices/known/{device.pk}/forget/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/devices/"
    assert "The device is forgotten" in response.text
    assert not KnownDevice.objects.filter(pk=device.pk).exists()


def test_forgetting_someone_elses_device_on_the_page_is_404(citizen):
    theirs = remembered(UserFactory(), "browser-x")
    client = Client()
    client.force_login(citizen)
    assert client.post(f"/accounts/devices/known/{theirs.pk}/forget/").status_code == 404
    assert client.post(f"/accounts/devices/known/{MAX_ID + 1}/forget/").status_code == 404
    assert KnownDevice.objects.filter(pk=theirs.pk).exists()


# --- changes that forget every device ------------------------------------------------------------


@pytest.fixture
def devices(citizen):
    """Two remembered devices of the citizen and one of another account."""
    remembered(citizen, "browser-1")
    remembered(citizen, "app-1", kind="app", name="phone")
    return remembered(UserFactory(), "browser-x")


def test_a_password_reset_forgets_every_device(citizen, devices, committed, outbox):
    with committed():
        password_reset_start(phone=citizen.phone)
    password_reset(
        phone=citizen.phone, code=outbox.latest_code(citizen.phone), password=NEW_PASSWORD
    )
    assert not KnownDevice.objects.filter(user=citizen).exists()
    assert KnownDevice.objects.filter(pk=devices.pk).exists()


def test_a_password_change_forgets_every_device(citizen, devices):
    password_change(user=citizen, current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert not KnownDevice.objects.filter(user=citizen).exists()
    assert KnownDevice.objects.filter(pk=devices.pk).exists()


def test_a_wrong_current_password_forgets_nothing(citizen, devices):
    with pytest.raises(Problem):
        password_change(user=citizen, current_password="nope", new_password=NEW_PASSWORD)
    assert KnownDevice.objects.filter(user=citizen).count() == 2


def test_a_phone_change_forgets_every_device(citizen, devices, committed, outbox):
    with committed():
        phone_change_start(user=citizen, password=PASSWORD, phone="13911112222")
    with committed():
        phone_change_confirm(user=citizen, code=outbox.latest_code("+8613911112222"))
    assert not KnownDevice.objects.filter(user=citizen).exists()
    assert KnownDevice.objects.filter(pk=devices.pk).exists()


@pytest.mark.new_device
def test_after_a_password_change_the_remembered_browser_is_asked_a_code(citizen, committed, outbox):
    # given a remembered browser that signs in with the password alone
    remembered(citizen, "browser-1")
    client = browser_with("browser-1")
    login = {"phone": citizen.phone, "password": PASSWORD}
    assert client.post("/accounts/login/", login)["Location"] != "/accounts/login/confirm/"
    # when the password is changed
    password_change(user=citizen, current_password=PASSWORD, new_password=NEW_PASSWORD)
    # then the same browser is asked a code on its next sign-in
    client.post("/accounts/logout/")
    with committed():
        again = client.post("/accounts/login/", login | {"password": NEW_PASSWORD})
    assert again["Location"] == "/accounts/login/confirm/"
    assert outbox.latest_code(citizen.phone, "new_device")


@pytest.mark.new_device
def test_a_forgotten_app_is_asked_a_code_for_its_next_token(citizen, committed):
    device = remembered(citizen, "install-1", kind="app", name="phone")
    body = {"phone": citizen.phone, "password": PASSWORD, "device": "phone"}
    token = Client().post(
        "/api/v1/auth/token", body | {"device_id": "install-1"}, content_type=JSON
    )
    assert token.status_code == 201
    device_forget(user=citizen, device_id=device.pk)
    with committed():
        again = Client().post(
            "/api/v1/auth/token", body | {"device_id": "install-1"}, content_type=JSON
        )
    assert again.status_code == 202 and again.json()["code_required"] is True


def test_the_devices_page_in_chinese(citizen):
    remembered(citizen, "browser-1", name=SAFARI_IPHONE)
    client = Client()
    client.force_login(citizen)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/accounts/devices/").text
    assert "已记住的设备" in page and "忘记此设备" in page
    assert "iPhone 上的 Safari" in page
