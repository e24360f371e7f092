import base64
import binascii
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.lockout import axes_key
from accounts.models import User
from core.errors import InvalidInput, NotFound, Problem
from documents.models import DocumentStatus
from documents.tests.factories import HkMacaoPassFactory, PassportFactory
from guide.tests.factories import CityFactory
from persons.tests.factories import GuardianshipFactory, PersonFactory
from staff import demo, services
from staff.models import AccessAction, AccessLog, Role, StaffRole

from .factories import CITIZEN_PASSWORD, STAFF_PASSWORD, CitizenFactory, totp_code

pytestmark = pytest.mark.django_db

REASON = "Application A2026-0001: checking the applicant's documents"


@pytest.fixture
def person():
    person = PersonFactory(name_zh="张伟")
    PassportFactory(person=person, number="E12345678")
    HkMacaoPassFactory(person=person, number="C12345678", status=DocumentStatus.REPORTED_LOST)
    GuardianshipFactory(guardian=person)
    return person


def _lookup(staff, *, id_number, reason=REASON):
    return services.person_lookup(
        staff=staff, id_number=id_number, reason=reason, client_address="192.0.2.7"
    )


# Looking a person up


def test_a_lookup_returns_the_masked_file_and_writes_one_log_row(officer, person):
    # when
    found = _lookup(officer, id_number=person.id_number)

    # then the file: masked numbers, documents, children
    assert found.person_id == person.pk
    assert found.name_zh == "张伟"
    assert found.id_number is None
    assert found.id_number_masked == person.id_number[:1] + "*" * 16 + person.id_number[-1:]
    assert {d.number_masked for d in found.documents} == {"E******78", "C******78"}
    assert "reported_lost" in {d.status for d in found.documents}
    assert len(found.children) == 1 and found.guardians == []
    # and exactly one log row: who, whom, what, why, from where
    entry = AccessLog.objects.get()
    assert (entry.staff, entry.person, entry.action) == (officer, person, AccessAction.LOOKUP)
    assert entry.reason == REASON
    assert entry.client_address == "192.0.2.7"
    assert found.access == entry


def test_an_officer_may_look_up_anyone_in_the_country(officer):
    # given a person registered in Beijing, far from the officer's hall in Luohu
    beijing = PersonFactory(household_region=CityFactory(code="110100", parent__code="110000"))

    # when / then
    assert _lookup(officer, id_number=beijing.id_number).person_id == beijing.pk


def test_the_id_number_is_normalised(officer):
    person = PersonFactory(id_number="11010519491231002X", birth_date="1949-12-31")
    found = _lookup(officer, id_number=" 110105 19491231 002x ")
    assert found.person_id == person.pk


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "reason_required"), ("   ", "reason_required"), ("checking", "reason_too_short")],
)
def test_a_lookup_needs_a_reason_of_ten_characters(officer, person, reason, code):
    with pytest.raises(InvalidInput) as raised:
        _lookup(officer, id_number=person.id_number, reason=reason)
    assert raised.value.code == code
    assert raised.value.errors[0]["field"] == "reason"
    assert not AccessLog.objects.exists()


def test_a_ten_character_chinese_reason_is_enough(officer, person):
    _lookup(officer, id_number=person.id_number, reason="核对申请人的证件信息")
    assert AccessLog.objects.get().reason == "核对申请人的证件信息"


def test_a_reason_too_long_is_refused(officer, person):
    with pytest.raises(InvalidInput) as raised:
        _lookup(officer, id_number=person.id_number, reason="Application A2026 " * 20)
    assert raised.value.code == "reason_too_long"


def test_full_numbers_in_the_reason_are_masked_in_the_log(officer, person):
    # given a reason quoting the ID number and a passport number
    reason = f"Applicant {person.id_number} asks about passport E12345678"

    # when
    _lookup(officer, id_number=person.id_number, reason=reason)

    # then
    stored = AccessLog.objects.get().reason
    assert person.id_number not in stored
    assert "E12345678" not in stored
    assert "E******78" in stored


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("110105194912310021", "check the last character"),
        ("1101051949", "18 characters"),
        ("11010519491331002X", "not a real date"),
    ],
)
def test_a_bad_id_number_gives_a_readable_error_and_no_row(officer, id_number, message):
    with translation.override("en"), pytest.raises(InvalidInput) as raised:
        _lookup(officer, id_number=id_number)
    assert raised.value.code == "invalid_id_number"
    assert message in raised.value.detail
    assert not AccessLog.objects.exists()


def test_nobody_with_the_number_is_404_and_no_row(officer):
    with pytest.raises(NotFound) as raised:
        _lookup(officer, id_number="11010519491231002X")
    assert raised.value.code == "person_not_found"
    assert not AccessLog.objects.exists()


def test_an_administrator_may_not_look_up_persons(administrator, person):
    with pytest.raises(Problem) as raised:
        _lookup(administrator, id_number=person.id_number)
    assert raised.value.status == 403
    assert not AccessLog.objects.exists()


def test_every_view_writes_exactly_one_row(officer, person):
    # when the officer looks up, opens the page twice and reveals the number
    _lookup(officer, id_number=person.id_number)
    for _ in range(2):
        services.person_view(staff=officer, person_id=person.pk, reason=REASON, client_address=None)
    revealed = services.person_reveal_id_number(
        staff=officer, person_id=person.pk, reason=REASON, client_address="2001:db8::1"
    )

    # then four rows, one per view
    actions = list(AccessLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["lookup", "view_person", "view_person", "reveal_id_number"]
    assert revealed.id_number == person.id_number
    assert AccessLog.objects.order_by("id").last().client_address == "2001:db8::1"


def test_viewing_an_unknown_person_is_404(officer):
    with pytest.raises(NotFound):
        services.person_view(staff=officer, person_id=999_999, reason=REASON, client_address=None)
    assert not AccessLog.objects.exists()


def test_no_log_row_holds_a_full_id_or_document_number(officer, person):
    _lookup(officer, id_number=person.id_number, reason=f"About {person.id_number} today")
    services.person_reveal_id_number(
        staff=officer, person_id=person.pk, reason=REASON, client_address=None
    )
    for row in AccessLog.objects.values():
        text = " ".join(str(value) for value in row.values())
        assert person.id_number not in text
        assert "E12345678" not in text


# Signing in


def _request(client_ip: str = "192.0.2.1"):
    request = RequestFactory().post("/staff/login/", REMOTE_ADDR=client_ip)
    request.session = SessionStore()
    request.user = AnonymousUser()  # as AuthenticationMiddleware leaves it
    return request


def test_sign_in_with_password_and_code_verifies_the_session(officer):
    # given
    device = officer.totpdevice_set.get()
    request = _request()

    # when
    user = services.staff_sign_in(
        request=request, username="officer", password=STAFF_PASSWORD, otp_code=totp_code(device)
    )

    # then
    assert user == officer
    assert request.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert request.user == officer
    assert request.user.otp_device == device


def test_a_replayed_code_is_refused(officer):
    # given a code used once
    device = officer.totpdevice_set.get()
    code = totp_code(device)
    services.staff_sign_in(
        request=_request(), username="officer", password=STAFF_PASSWORD, otp_code=code
    )

    # when it is used again (django-otp keeps the last time step used: last_t)
    with pytest.raises(Problem) as raised:
        services.staff_sign_in(
            request=_request(), username="officer", password=STAFF_PASSWORD, otp_code=code
        )

    # then
    assert raised.value.code == "invalid_credentials"
    device.refresh_from_db()
    assert device.last_t >= TOTP(device.bin_key).t() - 1


def test_a_wrong_code_is_refused_and_counted(officer):
    device = officer.totpdevice_set.get()
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    with pytest.raises(Problem) as raised:
        services.staff_sign_in(
            request=_request(), username="officer", password=STAFF_PASSWORD, otp_code=wrong
        )
    assert raised.value.code == "invalid_credentials"
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert AccessAttempt.objects.get(username=axes_key("officer")).failures_since_start == 1


def test_after_a_wrong_code_the_device_is_throttled(officer):
    device = officer.totpdevice_set.get()
    device.throttle_increment()
    with pytest.raises(Problem) as raised:
        services.staff_sign_in(
            request=_request(),
            username="officer",
            password=STAFF_PASSWORD,
            otp_code=totp_code(device),
        )
    assert raised.value.code == "invalid_credentials"


def test_a_wrong_password_is_refused(officer):
    device = officer.totpdevice_set.get()
    with pytest.raises(Problem) as raised:
        services.staff_sign_in(
            request=_request(), username="officer", password="nope", otp_code=totp_code(device)
        )
    assert raised.value.code == "invalid_credentials"


def test_a_citizen_cannot_sign_in_as_staff():
    citizen = CitizenFactory()
    with pytest.raises(Problem) as raised:
        services.staff_sign_in(
            request=_request(),
            username=citizen.username,
            password=CITIZEN_PASSWORD,
            otp_code="123456",
        )
    assert raised.value.code == "invalid_credentials"


def test_staff_without_a_device_cannot_sign_in(officer):
    officer.totpdevice_set.all().delete()
    with pytest.raises(Problem) as raised:
        services.staff_sign_in(
            request=_request(), username="officer", password=STAFF_PASSWORD, otp_code="123456"
        )
    assert raised.value.code == "invalid_credentials"


def test_every_refusal_gives_the_same_answer(officer):
    # given the four ways a sign-in fails after the username
    device = officer.totpdevice_set.get()
    wrong_code = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    answers = []

    def attempt(password, code):
        with pytest.raises(Problem) as raised:
            services.staff_sign_in(
                request=_request(), username="officer", password=password, otp_code=code
            )
        problem = raised.value
        answers.append((problem.status, problem.code, str(problem.detail), problem.errors))

    # when the password is wrong, the code is wrong, the device is throttled, there is none
    attempt("wrong-password", totp_code(device))
    attempt(STAFF_PASSWORD, wrong_code)
    device.refresh_from_db()
    device.throttle_increment()
    attempt(STAFF_PASSWORD, totp_code(device))
    officer.totpdevice_set.all().delete()
    attempt(STAFF_PASSWORD, "123456")
    # then the answers cannot be told apart
    assert len(set(map(repr, answers))) == 1, answers


def test_five_failures_lock_the_account_out_from_that_address(officer):
    # given five wrong passwords from one address
    device = officer.totpdevice_set.get()
    for _ in range(5):
        with pytest.raises(Problem):
            services.staff_sign_in(
                request=_request(), username="officer", password="wrong", otp_code="000000"
            )

    # when the right password comes from that address
    with pytest.raises(Problem) as raised:
        services.staff_sign_in(
            request=_request(),
            username="officer",
            password=STAFF_PASSWORD,
            otp_code=totp_code(device),
        )

    # then it is locked out; from elsewhere it is not
    assert raised.value.status == 429
    services.staff_sign_in(
        request=_request("198.51.100.1"),
        username="officer",
        password=STAFF_PASSWORD,
        otp_code=totp_code(device),
    )


# Demo staff


@pytest.fixture
def demo_places(luohu_hall):
    CityFactory()
    return luohu_hall


def test_demo_staff_load_is_idempotent(demo_places):
    # when loaded twice
    first = services.demo_staff_load()
    device = TOTPDevice.objects.get(user__username="officer.luohu")
    device.last_t = 123
    device.save()
    second = services.demo_staff_load()

    # then the same four accounts, roles and known secrets; the replay mark is kept
    assert [d.username for d in first] == [d.username for d in second]
    assert User.objects.filter(username__in=[m.username for m in demo.DEMO_STAFF]).count() == 4
    assert StaffRole.objects.count() == 4
    assert TOTPDevice.objects.count() == 4
    device.refresh_from_db()
    assert device.last_t == 123
    officer = StaffRole.objects.get(user__username="officer.luohu")
    assert list(officer.halls.values_list("code", flat=True)) == ["440303-01"]
    supervisor = StaffRole.objects.get(user__username="supervisor.shenzhen")
    assert supervisor.role == Role.SUPERVISOR
    assert list(supervisor.regions.values_list("code", flat=True)) == ["440300"]
    assert User.objects.get(username="admin").is_superuser


def test_demo_devices_carry_the_known_secrets(demo_places):
    services.demo_staff_load()
    for member in demo.DEMO_STAFF:
        device = TOTPDevice.objects.get(user__username=member.username)
        assert device.key == binascii.hexlify(base64.b32decode(member.totp_secret)).decode()
        user = User.objects.get(username=member.username)
        assert user.check_password(member.password)
        assert user.is_staff


def test_demo_staff_need_the_demo_halls(db):
    with pytest.raises(services.DemoRefused, match="load_demo"):
        services.demo_staff_load()


def test_demo_staff_are_refused_in_production(demo_places, settings):
    settings.PRODUCTION = True
    with pytest.raises(services.DemoRefused):
        services.demo_staff_load()
    assert not User.objects.filter(username="officer.luohu").exists()


def test_demo_totp_code_is_the_code_of_the_known_secret(demo_places):
    services.demo_staff_load()
    device = TOTPDevice.objects.get(user__username="reviewer.shenzhen")

    def step() -> int:
        return (int(time.time()) - device.t0) // device.step

    # Compare within one 30-second step (a step may end between the two readings).
    for _attempt in range(3):
        before = step()
        current = services.demo_totp_code(username="reviewer.shenzhen")
        expected = totp_code(device)
        if step() == before:
            break
    assert current.code == expected
    assert 0 < current.seconds_left <= 30
    assert not current.already_used


def test_demo_totp_code_refuses_other_users_and_production(demo_places, officer, settings):
    services.demo_staff_load()
    with pytest.raises(services.DemoRefused):
        services.demo_totp_code(username="officer")  # staff, but not a demo account
    settings.PRODUCTION = True
    with pytest.raises(services.DemoRefused):
        services.demo_totp_code(username="officer.luohu")


def test_demo_totp_code_refuses_a_changed_secret(demo_places):
    services.demo_staff_load()
    TOTPDevice.objects.filter(user__username="officer.luohu").update(key="00" * 20)
    with pytest.raises(services.DemoRefused):
        services.demo_totp_code(username="officer.luohu")
