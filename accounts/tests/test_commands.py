from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.management.commands.load_demo_accounts import DEMO_CITIZENS, DEMO_ID_NUMBERS
from accounts.models import User
from persons.idnumbers import id_number_clean
from persons.tests.factories import GuardianshipFactory, MinorFactory, PersonFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_id_numbers_are_valid():
    for number in DEMO_ID_NUMBERS.values():
        assert id_number_clean(number) == number


def test_load_demo_accounts_skips_missing_persons_then_binds(committed):
    # given no registry data
    out = run("load_demo_accounts")
    # then accounts exist, unbound, with a message
    assert User.objects.filter(phone__in=[d.phone for d in DEMO_CITIZENS]).count() == 2
    assert "Skipped binding" in out
    assert "13800000001" in out
    # when the registry data arrives and the command runs again
    guardian = PersonFactory(id_number=DEMO_ID_NUMBERS["guardian"], name_zh="陈建国")
    child = MinorFactory(id_number=DEMO_ID_NUMBERS["child"], name_zh="陈小雨")
    GuardianshipFactory(guardian=guardian, child=child)
    out = run("load_demo_accounts")
    # then the guardian is bound, idempotently
    bound = User.objects.get(phone=DEMO_CITIZENS[0].phone)
    assert bound.person == guardian
    assert bound.check_password(DEMO_CITIZENS[0].password)
    assert "Bound" in out
    run("load_demo_accounts")
    assert User.objects.filter(phone__in=[d.phone for d in DEMO_CITIZENS]).count() == 2
    assert User.objects.get(phone=DEMO_CITIZENS[1].phone).person is None


def test_load_demo_accounts_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        run("load_demo_accounts")


def test_last_code_prints_the_latest_code(committed, outbox):
    from accounts.services.registration import registration_code_request

    with committed():
        registration_code_request(phone="13912345678")
    assert run("last_code", "139 1234 5678").strip() == outbox.latest_code("+8613912345678")
    with pytest.raises(CommandError):
        run("last_code", "13900000000")
    with pytest.raises(CommandError):
        run("last_code", "not-a-number")


def test_purge_codes():
    assert "0 codes deleted" in run("purge_codes")
