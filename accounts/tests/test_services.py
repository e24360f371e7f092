import datetime as dt

import pytest
from django.contrib.auth import get_user
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.utils import timezone

from accounts.errors import Throttled
from accounts.models import ApiToken, LoginEvent, User, VerificationCode
from accounts.services import binding
from accounts.services.binding import (
    IDENTITY_DAILY_LIMIT,
    identity_bind,
    identity_bind_confirm,
    identity_bind_start,
)
from accounts.services.codes import code_resend, code_send, codes_purge, destination_hash
from accounts.services.contact import (
    email_change_confirm,
    email_change_start,
    phone_change_confirm,
    phone_change_start,
)
from accounts.services.passwords import (
    REAUTH_LIMIT,
    REAUTH_PAUSE_SECONDS,
    password_reset,
    password_reset_start,
    reauthenticate,
)
from accounts.services.registration import (
    registration_code_request,
    registration_start,
    user_register,
)
from accounts.services.sign_in import session_login, sign_out
from accounts.services.tokens import token_issue, token_revoke
from core.errors import Problem
from persons.tests.factories import GuardianshipFactory, PersonFactory

from .factories import PASSWORD, BoundUserFactory, UserFactory

pytestmark = pytest.mark.django_db
Purpose = VerificationCode.Purpose
NEW_PASSWORD = "Amber-Orchard-91"


def web_request(address: str = "10.0.0.1"):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
    SessionMiddleware(lambda r: None).process_request(request)
    return request


def refused(call, status: int, code: str) -> Problem:
    with pytest.raises(Problem) as caught:
        call()
    assert caught.value.status == status, caught.value
    assert caught.value.code == code, caught.value
    return caught.value


def send_register_code(committed, outbox, phone="+8613912345678") -> str:
    with committed():
        registration_code_request(phone=phone)
    return outbox.latest_code(phone)


# --- one-time codes ---------------------------------------------------------------------------


def test_code_is_six_digits_stored_as_keyed_hashes_and_sent(outbox):
    # given / when
    sent = registration_code_request(phone="139 1234 5678")
    # then
    code = outbox.latest_code("+8613912345678")
    assert code and len(code) == 6 and code.isdigit()
    row = VerificationCode.objects.get()
    assert code not in row.code_hash
    assert "13912345678" not in row.destination_hash
    assert row.destination_hash == destination_hash("+8613912345678")
    assert abs(row.expires_at - row.created_at - dt.timedelta(minutes=10)) < dt.timedelta(seconds=1)
    assert sent.destination == "*******5678"
    assert sent.resend_after == 60


def test_code_message_is_in_the_recipients_language(committed, outbox):
    from django.utils import translation

    with translation.override("en"), committed():
        registration_code_request(phone="+8613912345678")
    assert "registration code" in outbox.messages()[-1]["text"]
    assert outbox.messages()[-1]["language"] == "en"


def test_right_code_works_once_then_is_a_replay(committed, outbox):
    # given
    code = send_register_code(committed, outbox)
    # when
    user = user_register(phone="+8613912345678", code=code, password=PASSWORD)
    # then
    assert user.phone == user.username == "+8613912345678"
    assert user.check_password(PASSWORD)
    user.delete()
    refused(
        lambda: user_register(phone="+8613912345678", code=code, password=PASSWORD),
        422,
        "code_used",
    )


def test_expired_code_is_refused(committed, outbox):
    code = send_register_code(committed, outbox)
    VerificationCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    refused(
        lambda: user_register(phone="+8613912345678", code=code, password=PASSWORD),
        422,
        "code_expired",
    )
    assert not User.objects.exists()


def test_five_wrong_tries_kill_the_code_even_the_right_one_after(committed, outbox):
    # given
    code = send_register_code(committed, outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    # when four wrong guesses
    for left in (4, 3, 2, 1):
        problem = refused(
            lambda: user_register(phone="+8613912345678", code=wrong, password=PASSWORD),
            422,
            "code_invalid",
        )
        assert str(left) in problem.detail
    # and the fifth
    refused(
        lambda: user_register(phone="+8613912345678", code=wrong, password=PASSWORD),
        422,
        "code_too_many_tries",
    )
    # then even the right code is dead
    assert VerificationCode.objects.get().attempts == 5
    refused(
        lambda: user_register(phone="+8613912345678", code=code, password=PASSWORD),
        422,
        "code_too_many_tries",
    )
    assert not User.objects.exists()


def test_malformed_code_costs_no_try(committed, outbox):
    send_register_code(committed, outbox)
    refused(
        lambda: user_register(phone="+8613912345678", code="12ab", password=PASSWORD),
        422,
        "code_invalid",
    )
    assert VerificationCode.objects.get().attempts == 0


def test_a_new_code_replaces_the_old_one(committed, outbox):
    first = send_register_code(committed, outbox)
    VerificationCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    second = send_register_code(committed, outbox)
    if first == second:  # one chance in a million
        return
    refused(
        lambda: user_register(phone="+8613912345678", code=first, password=PASSWORD),
        422,
        "code_invalid",
    )
    assert user_register(phone="+8613912345678", code=second, password=PASSWORD)


def test_code_for_another_purpose_or_number_does_not_work(committed, outbox):
    UserFactory(phone="+8613700000001", username="+8613700000001")
    with committed():
        password_reset_start(phone="+8613700000001")
    code = outbox.latest_code("+8613700000001")
    refused(
        lambda: user_register(phone="+8613700000002", code=code, password=PASSWORD),
        422,
        "code_invalid",
    )


def test_resend_within_a_minute_is_throttled_with_retry_after(committed, outbox):
    send_register_code(committed, outbox)
    with pytest.raises(Throttled) as caught:
        registration_code_request(phone="+8613912345678")
    assert caught.value.status == 429
    assert caught.value.code == "code_resend_too_soon"
    assert 0 < caught.value.retry_after <= 60


def test_eleventh_code_of_the_day_is_throttled():
    # given ten codes in the last day, the oldest 20 hours ago, the newest 2 hours ago
    now = timezone.now()
    for i in range(10):
        code_send(purpose=Purpose.REGISTER, destination="+8613912345678", deliver=False)
        newest = VerificationCode.objects.order_by("-id").first()
        VerificationCode.objects.filter(pk=newest.pk).update(
            created_at=now - dt.timedelta(hours=20 - 2 * i)
        )
    # when / then
    with pytest.raises(Throttled) as caught:
        registration_code_request(phone="+8613912345678")
    assert caught.value.code == "code_daily_limit"
    assert 4 * 3600 - 60 < caught.value.retry_after <= 4 * 3600
    # and another number is not affected
    registration_code_request(phone="+8613912345679")


def test_a_code_is_its_own_transaction_never_part_of_another(outbox):
    # given another service's transaction, with a change in it
    # when it asks for a code inside that transaction
    # then it is refused: a failed send could not undo the caller's change, so it must not be
    # able to answer 503 after that change commits
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        registration_code_request(phone="+8613912345678")
    assert outbox.messages() == []


@pytest.mark.parametrize("start", ["phone", "email", "identity"])
def test_a_failed_code_leaves_nothing_committed(start, settings, citizen, password, outbox):
    # given every gateway failing
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.HttpSmsGateway"
    settings.VERIFICATION_EMAIL_GATEWAY = "accounts.gateways.HttpSmsGateway"
    settings.SMS_HTTP_URL = ""
    # when a change that needs a code starts
    with pytest.raises(Problem) as caught:
        if start == "phone":
            phone_change_start(user=citizen, password=password, phone="13912340000")
        elif start == "email":
            email_change_start(user=citizen, password=password, email="new@example.com")
        else:
            person = PersonFactory()
            identity_bind_start(user=citizen, name=person.name_zh, id_number=person.id_number)
    # then the answer is 503 and nothing of the request stays: no code, no change
    assert caught.value.status == 503
    assert not VerificationCode.objects.exists()
    citizen.refresh_from_db()
    assert citizen.email != "new@example.com" and citizen.phone != "+8613912340000"


def test_a_notice_about_a_committed_change_never_fails_it(committed, settings, citizen, outbox):
    # given a confirmed change of number, and the SMS gateway failing when the notice goes
    old = citizen.phone
    with committed():
        phone_change_start(user=citizen, password=PASSWORD, phone="13912340002")
    code = outbox.latest_code("+8613912340002")
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.HttpSmsGateway"
    settings.SMS_HTTP_URL = ""
    # when the change is confirmed (the notice to the old number is sent after commit)
    with committed():
        account = phone_change_confirm(user=citizen, code=code)
    # then the change stands and no error reaches the person
    assert account.phone == "+8613912340002" != old


def test_failed_delivery_is_a_503_and_forgets_the_code(committed, settings):
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.HttpSmsGateway"
    settings.SMS_HTTP_URL = ""
    with pytest.raises(Problem) as caught, committed():
        registration_code_request(phone="+8613912345678")
    assert caught.value.status == 503
    assert caught.value.code == "code_not_sent"
    assert not VerificationCode.objects.exists()


# --- registration -----------------------------------------------------------------------------


def test_registration_start_keeps_only_a_password_hash_until_the_code(committed, outbox):
    # given
    with committed():
        registration_start(phone="13912345678", password=PASSWORD, email="Zhang@Example.COM")
    row = VerificationCode.objects.get()
    assert PASSWORD not in str(row.payload)
    # when
    user = user_register(phone="13912345678", code=outbox.latest_code("+8613912345678"))
    # then
    assert user.check_password(PASSWORD)
    assert user.email == "Zhang@example.com"
    row.refresh_from_db()
    assert row.payload == {}


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("", "Enter your mobile number"),
        ("12345", "mainland mobile number"),
        ("+85291234567", "mainland China mobile number"),
        ("02012345678", "not a mainland mobile number"),
    ],
)
def test_registration_refuses_numbers_that_are_not_mainland_mobiles(phone, message):
    problem = refused(
        lambda: registration_start(phone=phone, password=PASSWORD), 422, "phone_invalid"
    )
    assert message in problem.detail


def test_registration_of_a_registered_number_answers_as_for_a_new_one(citizen, committed, outbox):
    # when a registration starts for a registered number
    with committed():
        sent = registration_start(phone=citizen.phone, password=PASSWORD)
    # then it looks sent, no code goes out, and no code can create a second account
    assert sent.destination.endswith(citizen.phone[-4:])
    assert outbox.latest_code(citizen.phone) is None
    refused(lambda: user_register(phone=citizen.phone, code="123456"), 422, "code_invalid")


def test_registration_with_an_email_already_used_is_409():
    UserFactory(email="zhang@example.com")
    refused(
        lambda: registration_start(
            phone="13912345678", password=PASSWORD, email="ZHANG@example.com"
        ),
        409,
        "email_taken",
    )


@pytest.mark.parametrize(
    "password",
    ["short1!", "12345678", "qwertyuiop", "Password123", "13912345678a", "x" * 129],
)
def test_registration_refuses_weak_passwords(password):
    problem = refused(
        lambda: registration_start(phone="13912345678", password=password),
        422,
        "password_invalid",
    )
    assert all(e["field"] == "password" for e in problem.errors)
    assert not VerificationCode.objects.exists()


def test_a_refused_password_costs_no_code_try(committed, outbox):
    code = send_register_code(committed, outbox)
    refused(
        lambda: user_register(phone="+8613912345678", code=code, password="12345678"),
        422,
        "password_invalid",
    )
    assert VerificationCode.objects.get().attempts == 0


# --- sign-in ------------------------------------------------------------------------------------


def test_login_rotates_the_session_and_records_the_event(citizen):
    # given
    request = web_request()
    request.session["before"] = 1
    request.session.save()
    old_key = request.session.session_key
    # when
    session_login(request=request, phone=citizen.phone[3:], password=PASSWORD)
    # then
    assert request.session.session_key != old_key
    assert get_user(request) == citizen
    event = LoginEvent.objects.get()
    assert (event.kind, event.user) == ("success", citizen)
    assert event.phone_masked == "*******" + citizen.phone[-4:]
    assert event.client_address == "10.0.0.1"


def test_login_session_has_an_absolute_lifetime(citizen, settings):
    settings.SESSION_COOKIE_AGE = 3600
    request = web_request()
    before = timezone.now()
    session_login(request=request, phone=citizen.phone, password=PASSWORD)
    expiry = request.session.get_expiry_date()
    assert dt.timedelta(seconds=3590) < expiry - before <= dt.timedelta(seconds=3601)
    # a later write does not push the end further
    request.session["x"] = 1
    later = request.session.get_expiry_date(modification=timezone.now() + dt.timedelta(minutes=30))
    assert later == expiry


def test_wrong_password_is_401_and_recorded(citizen):
    refused(
        lambda: session_login(request=web_request(), phone=citizen.phone, password="x"),
        401,
        "invalid_credentials",
    )
    event = LoginEvent.objects.get()
    assert (event.kind, event.user) == ("failure", citizen)


def test_unknown_number_is_the_same_401():
    refused(
        lambda: session_login(request=web_request(), phone="13900009999", password=PASSWORD),
        401,
        "invalid_credentials",
    )
    assert LoginEvent.objects.get().user is None


def test_five_failures_lock_the_account_for_that_address_only(citizen):
    # given five failures from one address
    for _attempt in range(5):
        with pytest.raises(Problem):
            session_login(
                request=web_request("10.0.0.66"), phone=citizen.phone, password="wrong-guess"
            )
    # when the right password comes from the same address
    problem = refused(
        lambda: session_login(
            request=web_request("10.0.0.66"), phone=citizen.phone, password=PASSWORD
        ),
        429,
        "account_locked",
    )
    # then it is refused, with a cool-off
    assert problem.retry_after == 15 * 60
    assert LoginEvent.objects.filter(kind="lockout").exists()
    # but the citizen from their own address signs in
    assert session_login(request=web_request("10.0.0.1"), phone=citizen.phone, password=PASSWORD)


def test_a_staff_account_cannot_use_the_citizen_sign_in():
    from .factories import StaffUserFactory

    staff = StaffUserFactory()
    refused(
        lambda: session_login(request=web_request(), phone=staff.username, password=PASSWORD),
        422,
        "phone_invalid",
    )


def test_sign_out_of_a_session(citizen):
    request = web_request()
    session_login(request=request, phone=citizen.phone, password=PASSWORD)
    request.user = citizen
    sign_out(request=request, user=citizen, channel="web")
    assert not get_user(request).is_authenticated
    assert LoginEvent.objects.filter(kind="logout", user=citizen).exists()


# --- password reset -------------------------------------------------------------------------------


def test_password_reset_ends_tokens_and_keeps_the_answer_neutral(committed, outbox, citizen):
    # given a token and a code
    issued = token_issue(
        request=web_request(), phone=citizen.phone, password=PASSWORD, device="phone"
    )
    with committed():
        sent_known = password_reset_start(phone=citizen.phone)
        sent_unknown = password_reset_start(phone="13900009999")
    # then the answers look alike, but only the account's number got a message
    assert sent_known.destination.startswith("*******")
    assert sent_unknown.destination == "*******9999"
    assert outbox.latest_code("+8613900009999") is None
    # when
    password_reset(
        phone=citizen.phone, code=outbox.latest_code(citizen.phone), password=NEW_PASSWORD
    )
    # then
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None


def test_password_reset_with_a_weak_password_keeps_the_code(committed, outbox, citizen):
    with committed():
        password_reset_start(phone=citizen.phone)
    code = outbox.latest_code(citizen.phone)
    refused(
        lambda: password_reset(phone=citizen.phone, code=code, password="abcdefgh"),
        422,
        "password_invalid",
    )
    assert password_reset(phone=citizen.phone, code=code, password=NEW_PASSWORD)


# --- change of number or email --------------------------------------------------------------------


def test_change_phone_sends_the_code_to_the_new_number(committed, outbox, citizen):
    old = citizen.phone
    with committed():
        phone_change_start(user=citizen, password=PASSWORD, phone="13911112222")
    assert outbox.latest_code(old) is None
    code = outbox.latest_code("+8613911112222")
    with committed():
        phone_change_confirm(user=citizen, code=code)
    citizen.refresh_from_db()
    assert citizen.phone == citizen.username == "+8613911112222"
    # the old number is told
    assert any(m["to"] == old and not m["code"] for m in outbox.messages())


def test_change_phone_asks_for_the_password(citizen):
    refused(
        lambda: phone_change_start(user=citizen, password="nope", phone="13911112222"),
        422,
        "wrong_password",
    )
    for _attempt in range(4):
        with pytest.raises(Problem):
            phone_change_start(user=citizen, password="nope", phone="13911112222")
    refused(
        lambda: phone_change_start(user=citizen, password=PASSWORD, phone="13911112222"),
        429,
        "too_many_tries",
    )


def test_the_pause_after_wrong_passwords_lasts_until_its_window_ends(citizen):
    # given the password asked again and refused REAUTH_LIMIT times
    for _attempt in range(REAUTH_LIMIT):
        with pytest.raises(Problem):
            phone_change_start(user=citizen, password="nope", phone="13911112222")
    # when the right one comes
    problem = refused(
        lambda: email_change_start(user=citizen, password=PASSWORD, email="new@example.com"),
        429,
        "too_many_tries",
    )
    # then the answer says when to try again: within the pause, counted by core.ratelimit
    assert 1 <= problem.retry_after <= REAUTH_PAUSE_SECONDS
    assert problem.detail == "Too many wrong passwords. Try again in 15 minutes."


def test_right_passwords_do_not_use_up_the_tries(citizen):
    # given a citizen who re-enters the right password more often than the limit allows wrong ones
    for _attempt in range(REAUTH_LIMIT + 2):
        reauthenticate(user=citizen, password=PASSWORD)
    # when they then mistype it once
    refused(lambda: reauthenticate(user=citizen, password="nope"), 422, "wrong_password")
    # then the right one still works: only wrong passwords count towards the pause
    reauthenticate(user=citizen, password=PASSWORD)


def test_a_new_number_taken_before_its_code_is_confirmed_is_409(committed, outbox, citizen):
    # given a code sent for a new number
    with committed():
        phone_change_start(user=citizen, password=PASSWORD, phone="13911112222")
    code = outbox.latest_code("+8613911112222")
    # when another account takes the number before the code is confirmed
    UserFactory(phone="+8613911112222", username="+8613911112222")
    problem = refused(lambda: phone_change_confirm(user=citizen, code=code), 409, "phone_taken")
    # then the number stays, and the refusal names the field as the first step's does
    assert problem.errors == [
        {"field": "phone", "message": "This mobile number is used by another account."}
    ]
    citizen.refresh_from_db()
    assert citizen.phone != "+8613911112222"


def test_change_phone_to_a_taken_number_is_409(citizen):
    other = UserFactory()
    refused(
        lambda: phone_change_start(user=citizen, password=PASSWORD, phone=other.phone),
        409,
        "phone_taken",
    )
    refused(
        lambda: phone_change_start(user=citizen, password=PASSWORD, phone=citizen.phone),
        422,
        "same_as_current",
    )


def test_change_email_by_code_to_the_new_address(committed, outbox, citizen):
    with committed():
        sent = email_change_start(user=citizen, password=PASSWORD, email="new@example.com")
    assert sent.channel == "email"
    assert sent.destination == "n***@example.com"
    email_change_confirm(user=citizen, code=outbox.latest_code("new@example.com"))
    citizen.refresh_from_db()
    assert citizen.email == "new@example.com"


def test_change_code_of_another_user_does_not_work(committed, outbox, citizen):
    other = UserFactory()
    with committed():
        email_change_start(user=citizen, password=PASSWORD, email="new@example.com")
    refused(
        lambda: email_change_confirm(user=other, code=outbox.latest_code("new@example.com")),
        422,
        "code_invalid",
    )


# --- tokens ---------------------------------------------------------------------------------------


def test_token_issue_stores_only_a_hash(citizen):
    issued = token_issue(
        request=web_request(), phone=citizen.phone, password=PASSWORD, device="  My   phone "
    )
    token = ApiToken.objects.get()
    assert issued.token == token
    assert token.name == "My phone"
    secret = issued.key.split(".", 1)[1]
    assert secret not in token.key_hash
    assert token.expires_at > timezone.now() + dt.timedelta(days=89)
    assert LoginEvent.objects.get().channel == "token"


def test_token_issue_counts_towards_the_lockout(citizen):
    for _attempt in range(5):
        with pytest.raises(Problem):
            token_issue(
                request=web_request("10.9.9.9"), phone=citizen.phone, password="x", device="d"
            )
    refused(
        lambda: token_issue(
            request=web_request("10.9.9.9"), phone=citizen.phone, password=PASSWORD, device="d"
        ),
        429,
        "account_locked",
    )


def test_token_revoke_of_another_users_token_is_not_found(citizen):
    issued = token_issue(request=web_request(), phone=citizen.phone, password=PASSWORD, device="d")
    refused(
        lambda: token_revoke(user=UserFactory(), token_id=issued.token.pk),
        404,
        "token_not_found",
    )
    first = token_revoke(user=citizen, token_id=issued.token.pk)
    again = token_revoke(user=citizen, token_id=issued.token.pk)
    assert first.revoked_at == again.revoked_at is not None


# --- real-name binding ------------------------------------------------------------------


@pytest.fixture
def person():
    return PersonFactory(name_zh="张伟", name_pinyin="Zhang Wei", phone_on_file="+8613955556666")


def test_binding_sends_the_code_to_the_phone_on_file_not_the_account(
    committed, outbox, citizen, person
):
    # when
    with committed():
        sent = identity_bind_start(user=citizen, name="张伟", id_number=person.id_number)
    # then
    assert sent.destination == "*******6666"
    assert outbox.latest_code(citizen.phone) is None
    code = outbox.latest_code("+8613955556666")
    assert code
    # and the code binds
    identity_bind_confirm(user=citizen, code=code)
    citizen.refresh_from_db()
    assert citizen.person == person
    assert citizen.bound_at is not None


def test_binding_accepts_pinyin_and_a_lower_case_x(committed, outbox, citizen):
    person = PersonFactory(name_zh="李娜", name_pinyin="Li Na", sequence=1)
    number = person.id_number
    with committed():
        identity_bind_start(user=citizen, name=" li  na ", id_number=number.lower())


def test_binding_with_a_wrong_check_digit_says_so(citizen, person):
    wrong = person.id_number[:17] + ("0" if person.id_number[17] != "0" else "1")
    problem = refused(
        lambda: identity_bind_start(user=citizen, name="张伟", id_number=wrong),
        422,
        "id_number_invalid",
    )
    assert "last character" in problem.detail
    assert problem.errors[0]["field"] == "id_number"


def test_wrong_name_and_unknown_id_get_the_same_neutral_answer(citizen, person):
    from persons.idnumbers import id_number_make

    wrong_name = refused(
        lambda: identity_bind_start(user=citizen, name="王芳", id_number=person.id_number),
        422,
        "identity_not_matched",
    )
    unknown = id_number_make(area="110105", birth_date=dt.date(1990, 1, 1), sequence=123)
    no_such_id = refused(
        lambda: identity_bind_start(user=citizen, name="张伟", id_number=unknown),
        422,
        "identity_not_matched",
    )
    assert wrong_name.detail == no_such_id.detail
    assert not VerificationCode.objects.exists()


def test_binding_a_person_bound_to_another_account_is_409(citizen, person):
    BoundUserFactory(person=person)
    refused(
        lambda: identity_bind_start(user=citizen, name="张伟", id_number=person.id_number),
        409,
        "identity_already_bound",
    )


def test_binding_when_the_person_was_bound_meanwhile_is_409(committed, outbox, citizen, person):
    with committed():
        identity_bind_start(user=citizen, name="张伟", id_number=person.id_number)
    BoundUserFactory(person=person)
    refused(
        lambda: identity_bind_confirm(user=citizen, code=outbox.latest_code("+8613955556666")),
        409,
        "identity_already_bound",
    )
    citizen.refresh_from_db()
    assert citizen.person is None


def test_database_constraint_is_the_last_guard(monkeypatch, citizen, person):
    # given a race the application check does not see
    BoundUserFactory(person=person)
    monkeypatch.setattr(binding, "_person_is_bound", lambda person: False)
    # when / then
    refused(lambda: identity_bind(user=citizen, person=person), 409, "identity_already_bound")
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=citizen.pk).update(person=person, bound_at=timezone.now())


def test_an_account_binds_only_once(citizen, person):
    identity_bind(user=citizen, person=person)
    refused(
        lambda: identity_bind_start(user=citizen, name="张伟", id_number=person.id_number),
        409,
        "account_already_bound",
    )


def test_binding_without_a_phone_on_file_is_refused(citizen):
    person = PersonFactory(phone_on_file="", name_zh="刘洋")
    refused(
        lambda: identity_bind_start(user=citizen, name="刘洋", id_number=person.id_number),
        422,
        "no_phone_on_file",
    )


def test_binding_lookups_are_limited_per_day(citizen, person):
    for _attempt in range(IDENTITY_DAILY_LIMIT):
        with pytest.raises(Problem):
            identity_bind_start(user=citizen, name="某某", id_number=person.id_number)
    refused(
        lambda: identity_bind_start(user=citizen, name="张伟", id_number=person.id_number),
        429,
        "too_many_tries",
    )


def test_binding_code_resend_goes_to_the_phone_on_file(committed, outbox, citizen, person):
    with committed():
        identity_bind_start(user=citizen, name="张伟", id_number=person.id_number)
    VerificationCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    with committed():
        code_resend(purpose=Purpose.BIND_IDENTITY, user=citizen)
    assert len(outbox.messages("+8613955556666")) == 2


def test_guardian_acts_for_minors(citizen):
    from accounts.selectors import acting_for

    link = GuardianshipFactory()
    assert acting_for(user=citizen) == []
    identity_bind(user=citizen, person=link.guardian)
    people = acting_for(user=citizen)
    assert [(p.person, p.relation) for p in people] == [
        (link.guardian, "self"),
        (link.child, "minor"),
    ]


def test_purge_old_codes(committed, outbox):
    send_register_code(committed, outbox)
    VerificationCode.objects.update(created_at=timezone.now() - dt.timedelta(days=3))
    assert codes_purge() == 1
