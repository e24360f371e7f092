"""Lockout behind the proxy: attempts from address A lock A; the owner signs in from B."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts import lockout
from accounts.errors import Throttled
from accounts.models import LoginEvent, VerificationCode
from accounts.services.passwords import password_reset_start
from accounts.services.registration import registration_code_request
from core.ratelimit import RateLimited

from .factories import PASSWORD

pytestmark = pytest.mark.django_db
JSON = "application/json"
NGINX = "10.0.0.2"
ATTACKER = "198.51.100.7"
OWNER = "203.0.113.9"


@pytest.fixture(autouse=True)
def _behind_nginx(settings, monkeypatch):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_SLOWDOWN_STEP_SECONDS = 1.0
    settings.LOGIN_SLOWDOWN_MAX_SECONDS = 5.0
    # Slowdowns are recorded, not slept, so the test stays fast.
    slept = []
    monkeypatch.setattr(lockout.time, "sleep", slept.append)
    return slept


def sign_in(address, phone, password):
    client = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=address)
    return client.post(
        "/api/v1/auth/token",
        {"phone": phone, "password": password, "device": "phone"},
        content_type=JSON,
    )


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(citizen):
    # given five wrong passwords from the attacker's address, through nginx
    for _ in range(5):
        assert sign_in(ATTACKER, citizen.phone, "wrong-password-1").status_code in {401, 429}
    # when the attacker tries again / then that address is locked
    locked = sign_in(ATTACKER, citizen.phone, PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["code"] == "account_locked"
    # when the owner signs in from their own address / then it works
    assert sign_in(OWNER, citizen.phone, PASSWORD).status_code == 201
    # and the events name the real client addresses
    addresses = set(LoginEvent.objects.values_list("client_address", flat=True))
    assert addresses == {ATTACKER, OWNER}


def test_failures_from_many_addresses_slow_the_account_down(citizen, _behind_nginx):
    slept = _behind_nginx
    # given four failures from four addresses: no wait yet
    for i in range(4):
        sign_in(f"198.51.100.{i + 10}", citizen.phone, "wrong-password-1")
    assert slept == []
    # when the fifth and sixth failures come from yet other addresses
    sign_in("198.51.100.20", citizen.phone, "wrong-password-1")
    assert slept == []
    sign_in("198.51.100.21", citizen.phone, "wrong-password-1")
    # then attempts on the account wait, longer with each failure, never past the maximum
    assert slept == [1.0]
    for i in range(10):
        sign_in(f"198.51.100.{30 + i}", citizen.phone, "wrong-password-1")
    assert slept[-1] == 5.0
    # and the owner is slowed, not refused
    assert sign_in(OWNER, citizen.phone, PASSWORD).status_code == 201


def test_reset_codes_asked_from_elsewhere_do_not_use_up_the_owners(citizen):
    # given ten reset codes asked for the owner's number from the attacker's address today
    now = timezone.now()
    for i in range(10):
        password_reset_start(phone=citizen.phone, client_address=ATTACKER)
        VerificationCode.objects.filter(pk=VerificationCode.objects.latest("id").pk).update(
            created_at=now - dt.timedelta(hours=20 - i)
        )
    with pytest.raises(Throttled):
        password_reset_start(phone=citizen.phone, client_address=ATTACKER)
    # when the owner asks from their own address / then a code is sent
    sent = password_reset_start(phone=citizen.phone, client_address=OWNER)
    assert sent.destination.endswith(citizen.phone[-4:])


def test_codes_are_limited_per_address_across_numbers(settings):
    # given a limit of three codes an hour per address
    settings.CODE_RATE_PER_ADDRESS = "3/3600"
    for i in range(3):
        registration_code_request(phone=f"+861391234567{i}", client_address=ATTACKER)
    # when the same address asks for a fourth number / then refused
    with pytest.raises(RateLimited) as caught:
        registration_code_request(phone="+8613912345679", client_address=ATTACKER)
    assert caught.value.status == 429
    assert caught.value.code == "code_rate_limited"
    # and another address is not affected
    registration_code_request(phone="+8613912345679", client_address=OWNER)
