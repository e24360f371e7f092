import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken, LoginEvent, User, VerificationCode
from persons.tests.factories import GuardianshipFactory, PersonFactory

from .factories import PASSWORD, BoundUserFactory, UserFactory

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
JSON = "application/json"


def problem(response, status, code=None, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if code:
        assert body["code"] == code
    if field:
        assert field in [e["field"] for e in body["errors"]]
    return body


def post(client, path, data=None, **extra):
    return client.post(f"/api/v1/{path}", data or {}, content_type=JSON, **extra)


def token_for(client, user, device="phone"):
    response = post(
        client, "auth/token", {"phone": user.phone, "password": PASSWORD, "device": device}
    )
    assert response.status_code == 201, response.content
    return response.json()


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# --- codes and registration -------------------------------------------------------------------


def test_register_with_a_code(client, committed, outbox):
    # given
    with committed():
        sent = post(client, "auth/otp", {"purpose": "register", "phone": "13912345678"})
    assert sent.status_code == 202
    assert sent.json()["destination"] == "*******5678"
    code = outbox.latest_code("+8613912345678")
    # when
    response = post(
        client,
        "auth/register",
        {"phone": "13912345678", "password": PASSWORD, "email": "a@example.com", "code": code},
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "*******5678"
    assert body["is_bound"] is False
    assert body["acting_for"] == []
    assert User.objects.get(phone="+8613912345678").email == "a@example.com"


def test_otp_again_within_a_minute_is_429_with_retry_after(client, committed):
    with committed():
        post(client, "auth/otp", {"purpose": "register", "phone": "13912345678"})
    response = post(client, "auth/otp", {"purpose": "register", "phone": "13912345678"})
    body = problem(response, 429, "code_resend_too_soon")
    assert 0 < int(response["Retry-After"]) <= 60
    assert body["retry_after"] == int(response["Retry-After"])


def test_otp_answers_a_registered_number_as_a_new_one(client, citizen, committed, outbox):
    # when codes are asked for a registered and a new number
    with committed():
        known = post(client, "auth/otp", {"purpose": "register", "phone": citizen.phone})
        new = post(client, "auth/otp", {"purpose": "register", "phone": "13912345678"})
    # then the answers are alike
    assert known.status_code == new.status_code == 202
    assert set(known.json()) == set(new.json())
    assert known.json()["resend_after"] == new.json()["resend_after"]
    # and the owner gets a notice, not a code
    assert outbox.latest_code(citizen.phone) is None
    assert outbox.latest_code("+8613912345678") is not None


def test_otp_is_limited_per_address_and_overall(client, settings):
    settings.CODE_RATE_PER_ADDRESS = "2/3600"
    for i in range(2):
        assert (
            post(client, "auth/otp", {"purpose": "register", "phone": f"1391234567{i}"}).status_code
            == 202
        )
    problem(
        post(client, "auth/otp", {"purpose": "register", "phone": "13912345679"}),
        429,
        "code_rate_limited",
    )
    settings.CODE_RATE_PER_ADDRESS = "0/3600"
    settings.CODE_RATE_OVERALL = "2/60"
    other = Client(REMOTE_ADDR="192.0.2.77")
    problem(
        post(other, "auth/otp", {"purpose": "register", "phone": "13912345679"}),
        429,
        "code_rate_limited",
    )


def test_otp_bad_input(client):
    problem(post(client, "auth/otp", {"purpose": "bind", "phone": "1"}), 422, field="purpose")
    problem(
        post(client, "auth/otp", {"purpose": "register", "phone": "123"}),
        422,
        "phone_invalid",
        field="phone",
    )


def test_register_with_wrong_expired_or_replayed_code(client, committed, outbox):
    with committed():
        post(client, "auth/otp", {"purpose": "register", "phone": "13912345678"})
    code = outbox.latest_code("+8613912345678")
    data = {"phone": "13912345678", "password": PASSWORD}
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    problem(post(client, "auth/register", {**data, "code": wrong}), 422, "code_invalid", "code")
    VerificationCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    problem(post(client, "auth/register", {**data, "code": code}), 422, "code_expired")
    VerificationCode.objects.update(expires_at=timezone.now() + dt.timedelta(minutes=5))
    assert post(client, "auth/register", {**data, "code": code}).status_code == 201
    User.objects.all().delete()
    problem(post(client, "auth/register", {**data, "code": code}), 422, "code_used")


def test_register_weak_password_lists_the_reasons(client):
    body = problem(
        post(
            client,
            "auth/register",
            {"phone": "13912345678", "password": "1234567", "code": "123456"},
        ),
        422,
        "password_invalid",
        "password",
    )
    assert len(body["errors"]) >= 2


# --- sign-in, tokens ---------------------------------------------------------------------------


def test_login_and_logout_with_the_session(client, citizen):
    response = post(client, "auth/login", {"phone": citizen.phone, "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert response.json()["phone"].endswith(citizen.phone[-4:])
    assert client.get("/api/v1/me").status_code == 200
    assert post(client, "auth/logout").status_code == 204
    problem(client.get("/api/v1/me"), 401, "not_authenticated")
    kinds = list(LoginEvent.objects.order_by("at", "id").values_list("kind", "channel"))
    assert kinds == [("success", "api"), ("logout", "api")]


def test_login_needs_the_csrf_token(citizen):
    client = Client(enforce_csrf_checks=True)
    response = post(client, "auth/login", {"phone": citizen.phone, "password": PASSWORD})
    problem(response, 403, "csrf_failed")


def test_login_with_the_csrf_token(citizen):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = post(
        client,
        "auth/login",
        {"phone": citizen.phone, "password": PASSWORD},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content


def test_session_post_without_csrf_is_a_403_problem(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = post(client, "me/identity", {"name": "张伟", "id_number": "11010519491231002X"})
    problem(response, 403, "csrf_failed")
    # reads need no token
    assert client.get("/api/v1/me").status_code == 200


def test_login_lockout_is_a_429_problem_for_that_address_only(client, citizen):
    # given four failures, and a fifth that locks
    for attempt in range(5):
        response = post(
            client,
            "auth/login",
            {"phone": citizen.phone, "password": "guess"},
            REMOTE_ADDR="10.6.6.6",
        )
        problem(response, 401 if attempt < 4 else 429)
    # when the right password comes from the same address
    response = post(
        client, "auth/login", {"phone": citizen.phone, "password": PASSWORD}, REMOTE_ADDR="10.6.6.6"
    )
    # then it is refused
    problem(response, 429, "account_locked")
    assert response["Retry-After"] == "900"
    # but not from the citizen's own address
    other = Client()
    response = post(
        other, "auth/login", {"phone": citizen.phone, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 200


def test_token_gives_access_and_is_listed_and_revoked(citizen):
    client = Client()
    issued = token_for(client, citizen, device="iPhone")
    assert issued["device"] == "iPhone"
    assert ApiToken.objects.get().key_hash not in issued["token"]
    # when
    me = client.get("/api/v1/me", **bearer(issued["token"]))
    listed = client.get("/api/v1/me/tokens", **bearer(issued["token"]))
    # then
    assert me.status_code == 200
    assert listed.json()["count"] == 1
    assert listed.json()["results"][0]["current"] is True
    revoked = post(client, f"me/tokens/{issued['id']}/revoke", **bearer(issued["token"]))
    assert revoked.status_code == 200
    assert revoked.json()["revoked"] is True
    problem(client.get("/api/v1/me", **bearer(issued["token"])), 401, "not_authenticated")


def test_token_bad_credentials(client, citizen):
    problem(
        post(client, "auth/token", {"phone": citizen.phone, "password": "x", "device": "d"}),
        401,
        "invalid_credentials",
    )
    problem(
        post(client, "auth/token", {"phone": citizen.phone, "password": PASSWORD, "device": ""}),
        422,
        field="device",
    )


def test_another_users_token_id_is_404(client, citizen):
    mine = token_for(client, citizen)
    theirs = token_for(client, UserFactory())
    problem(
        post(client, f"me/tokens/{theirs['id']}/revoke", **bearer(mine["token"])),
        404,
        "token_not_found",
    )
    problem(post(client, "me/tokens/999999/revoke", **bearer(mine["token"])), 404)
    assert ApiToken.objects.get(pk=theirs["id"]).revoked_at is None


def test_logout_with_a_bearer_token_revokes_it(client, citizen):
    issued = token_for(client, citizen)
    assert post(client, "auth/logout", **bearer(issued["token"])).status_code == 204
    assert ApiToken.objects.get().revoked_at is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "me"),
        ("get", "me/tokens"),
        ("post", "me/tokens/1/revoke"),
        ("post", "me/identity"),
        ("post", "me/identity/confirm"),
        ("post", "me/phone"),
        ("post", "me/phone/confirm"),
        ("post", "me/email"),
        ("post", "me/email/confirm"),
        ("post", "auth/logout"),
    ],
)
def test_unauthenticated_is_401(method, path):
    client = Client(enforce_csrf_checks=True)
    if method == "get":
        response = client.get(f"/api/v1/{path}")
    else:
        response = client.post(f"/api/v1/{path}", {}, content_type=JSON)
    problem(response, 401, "not_authenticated")
    response = client.get(f"/api/v1/{path}", **bearer("nope.nope")) if method == "get" else None
    if response is not None:
        problem(response, 401)


def test_password_reset_over_the_api_ends_tokens_and_sessions(client, committed, outbox, citizen):
    # given a signed-in session elsewhere and a token
    session = Client()
    session.force_login(citizen)
    issued = token_for(client, citizen)
    with committed():
        sent = post(client, "auth/otp", {"purpose": "reset_password", "phone": citizen.phone})
    assert sent.status_code == 202
    # when
    response = post(
        client,
        "auth/password-reset",
        {
            "phone": citizen.phone,
            "code": outbox.latest_code(citizen.phone),
            "password": "Amber-Orchard-91",
        },
    )
    # then
    assert response.status_code == 204, response.content
    problem(session.get("/api/v1/me"), 401)
    problem(client.get("/api/v1/me", **bearer(issued["token"])), 401)


def test_reset_otp_for_an_unknown_number_looks_the_same(client, committed, outbox):
    with committed():
        response = post(client, "auth/otp", {"purpose": "reset_password", "phone": "13900001111"})
    assert response.status_code == 202
    assert outbox.messages() == []


# --- me and binding ------------------------------------------------------------------------------


def test_me_of_a_guardian_lists_the_minors_masked(client):
    link = GuardianshipFactory()
    user = BoundUserFactory(person=link.guardian)
    client.force_login(user)
    body = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["is_bound"] is True
    assert body["name"] == link.guardian.name_pinyin
    assert (
        body["id_number"] == link.guardian.id_number[:1] + "*" * 16 + link.guardian.id_number[-1:]
    )
    assert [(p["id"], p["relation"]) for p in body["acting_for"]] == [
        (link.guardian.pk, "self"),
        (link.child.pk, "minor"),
    ]
    assert link.child.id_number not in str(body)


def test_binding_over_the_api(client, committed, outbox, citizen):
    person = PersonFactory(name_zh="张伟", phone_on_file="+8613955556666")
    client.force_login(citizen)
    with committed():
        response = post(client, "me/identity", {"name": "张伟", "id_number": person.id_number})
    assert response.status_code == 202, response.content
    assert response.json()["destination"] == "*******6666"
    response = post(client, "me/identity/confirm", {"code": outbox.latest_code("+8613955556666")})
    assert response.status_code == 200, response.content
    assert response.json()["is_bound"] is True


def test_binding_errors_over_the_api(client, citizen):
    person = PersonFactory(name_zh="张伟")
    client.force_login(citizen)
    bad = person.id_number[:17] + ("1" if person.id_number[17] == "0" else "0")
    problem(
        post(client, "me/identity", {"name": "张伟", "id_number": bad}),
        422,
        "id_number_invalid",
        "id_number",
    )
    problem(
        post(client, "me/identity", {"name": "王芳", "id_number": person.id_number}),
        422,
        "identity_not_matched",
    )
    BoundUserFactory(person=person)
    problem(
        post(client, "me/identity", {"name": "张伟", "id_number": person.id_number}),
        409,
        "identity_already_bound",
    )
    problem(post(client, "me/identity/confirm", {"code": "123456"}), 422, "code_invalid")


def test_change_email_over_the_api(client, committed, outbox, citizen):
    client.force_login(citizen)
    with committed():
        response = post(client, "me/email", {"password": PASSWORD, "email": "n@example.com"})
    assert response.status_code == 202, response.content
    response = post(client, "me/email/confirm", {"code": outbox.latest_code("n@example.com")})
    assert response.status_code == 200
    assert response.json()["email"] == "n***@example.com"
    problem(
        post(client, "me/phone", {"password": "wrong", "phone": "13911112222"}),
        422,
        "wrong_password",
        "password",
    )


def test_change_phone_over_the_api(client, committed, outbox, citizen):
    client.force_login(citizen)
    with committed():
        response = post(client, "me/phone", {"password": PASSWORD, "phone": "13911112222"})
    assert response.status_code == 202, response.content
    response = post(client, "me/phone/confirm", {"code": outbox.latest_code("+8613911112222")})
    assert response.status_code == 200
    assert response.json()["phone"] == "*******2222"
    # the session goes on with the new number
    assert client.get("/api/v1/me").status_code == 200


def test_openapi_lists_the_problem_answers(client):
    schema = client.get("/api/v1/openapi.json").json()
    identity = schema["paths"]["/api/v1/me/identity"]["post"]["responses"]
    assert {"202", "401", "403", "409", "422", "429"} <= set(identity)
    assert PROBLEM in identity["409"]["content"]


@pytest.mark.django_db(transaction=True)
def test_otp_when_the_sms_service_is_down_is_503(client, settings, outbox):
    # given an SMS service that does not answer (real commits: delivery runs in the request)
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.HttpSmsGateway"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/send"
    # when
    response = post(client, "auth/otp", {"purpose": "register", "phone": "13912345678"})
    # then
    problem(response, 503, "code_not_sent")
    assert not VerificationCode.objects.exists()
    # and, as nothing was sent, asking again at once is allowed
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.FileGateway"
    again = post(client, "auth/otp", {"purpose": "register", "phone": "13912345678"})
    assert again.status_code == 202
    assert outbox.latest_code("+8613912345678")
