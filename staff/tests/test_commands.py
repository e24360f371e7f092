from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from guide.tests.factories import CityFactory

from .factories import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_places(luohu_hall):
    CityFactory()


def _run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_demo_staff_prints_the_logins(demo_places):
    out, _err = _run("load_demo_staff")
    assert "Demo staff ready: 4 accounts." in out
    for username in ("officer.luohu", "reviewer.shenzhen", "supervisor.shenzhen", "admin"):
        assert f"user {username!r}" in out
        assert f"totp_code {username}" in out
    assert "MV4GS5DFNZ2HE6JNN5TGM2LDMVZC2MBR" in out


def test_load_demo_staff_twice_changes_nothing(demo_places):
    _run("load_demo_staff")
    keys = dict(TOTPDevice.objects.values_list("user__username", "key"))
    _run("load_demo_staff")
    assert dict(TOTPDevice.objects.values_list("user__username", "key")) == keys


def test_load_demo_staff_without_the_demo_halls_fails_clearly(db):
    with pytest.raises(CommandError, match="load_demo"):
        _run("load_demo_staff")


def test_totp_code_prints_the_current_code(demo_places):
    _run("load_demo_staff")
    out, err = _run("totp_code", "supervisor.shenzhen")
    device = TOTPDevice.objects.get(user__username="supervisor.shenzhen")
    assert out.strip() == totp_code(device)
    assert "seconds" in err


def test_totp_code_refuses_other_users(demo_places, officer):
    _run("load_demo_staff")
    with pytest.raises(CommandError, match="not a demo staff member"):
        _run("totp_code", "officer")


def test_totp_code_refuses_in_production(demo_places, settings):
    _run("load_demo_staff")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _run("totp_code", "officer.luohu")
