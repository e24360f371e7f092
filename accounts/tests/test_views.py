import pytest
from django.test import Client

from accounts.models import ApiToken, LoginEvent, User
from accounts.services.tokens import token_issue
from core.masking import mask_id_number
from persons.tests.factories import GuardianshipFactory, PersonFactory

from .factories import PASSWORD, BoundUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


@pytest.fixture
def client():
    client = Client()
    english(client)
    return client


def signed_in(client, user):
    client.force_login(user)
    return client


def assert_error_page(response, *messages):
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert "<title>Error:" in text
    for message in messages:
        assert message in text
    return text


# --- registration -----------------------------------------------------------------------------


def test_register_confirm_and_signed_in(client, committed, outbox):
    # given
    page = client.get("/accounts/register/")
    assert 'autocomplete="new-password"' in page.content.decode()
    # when step 1
    with committed():
        response = client.post(
            "/accounts/register/",
            {"phone": "139 1234 5678", "password": PASSWORD, "email": ""},
        )
    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/confirm/"
    confirm = client.get(response["Location"])
    assert "*******5678" in confirm.content.decode()
    # when step 2
    response = client.post(
        "/accounts/register/confirm/", {"code": outbox.latest_code("+8613912345678")}
    )
    # then signed in, asked to bind
    assert response.status_code == 302
    assert response["Location"] == "/accounts/identity/"
    account = client.get("/accounts/")
    assert account.status_code == 200
    assert "Bind your identity" in account.content.decode()
    assert User.objects.get().phone == "+8613912345678"
    assert LoginEvent.objects.get().kind == "success"


def test_register_bad_input_shows_errors_linked_to_fields(client):
    text = assert_error_page(
        client.post("/accounts/register/", {"phone": "123", "password": "12345678"}),
        "mainland mobile number",
        "too easy to guess",
    )
    assert 'href="#id_phone"' in text
    assert 'href="#id_password"' in text
    assert 'aria-describedby="id_phone-hint id_phone-error"' in text


def test_register_an_existing_number_looks_like_a_new_one(client, citizen):
    # when someone registers a number that has an account
    response = client.post("/accounts/register/", {"phone": citizen.phone, "password": PASSWORD})
    # then the page moves on to the code, as for a new number (the owner gets a notice)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/confirm/"


def test_register_confirm_wrong_code_and_resend(client, committed, outbox):
    with committed():
        client.post("/accounts/register/", {"phone": "13912345678", "password": PASSWORD})
    assert_error_page(
        client.post("/accounts/register/confirm/", {"code": "000000"})
        if outbox.latest_code("+8613912345678") != "000000"
        else client.post("/accounts/register/confirm/", {"code": "000001"}),
        "This code is not right",
    )
    # resend is throttled within a minute, with a readable message
    response = client.post("/accounts/register/confirm/", {"resend": "1"})
    assert_error_page(response, "less than a minute ago")


def test_register_confirm_without_step_1_goes_back(client):
    response = client.get("/accounts/register/confirm/")
    assert response["Location"] == "/accounts/register/"


# --- sign in and out ---------------------------------------------------------------------------


def test_login_page_signs_in_and_rotates_the_session(client, citizen):
    client.get("/accounts/login/")
    before = client.session.session_key
    response = client.post("/accounts/login/", {"phone": citizen.phone[3:], "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    assert client.session.session_key != before
    assert client.session.get_expiry_age() > 11 * 3600


def test_login_page_follows_a_safe_next_only(client, citizen):
    response = client.post(
        "/accounts/login/?next=/halls/", {"phone": citizen.phone, "password": PASSWORD}
    )
    assert response["Location"] == "/halls/"
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"phone": citizen.phone, "password": PASSWORD},
    )
    assert response["Location"] == "/accounts/"


def test_login_page_wrong_password(client, citizen):
    assert_error_page(
        client.post("/accounts/login/", {"phone": citizen.phone, "password": "nope"}),
        "The mobile number or the password is not right.",
    )


def test_login_page_missing_fields(client):
    assert_error_page(
        client.post("/accounts/login/", {}), "Enter your mobile number.", "Enter your password."
    )


def test_login_page_lockout_is_readable(client, citizen):
    for _attempt in range(5):
        client.post("/accounts/login/", {"phone": citizen.phone, "password": "nope"})
    response = client.post("/accounts/login/", {"phone": citizen.phone, "password": PASSWORD})
    assert_error_page(response, "Too many failed sign-ins", "15 minutes")


def test_logout_needs_a_post(client, citizen):
    signed_in(client, citizen)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert client.get("/accounts/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert client.get("/accounts/")["Location"].startswith("/accounts/login/")


def test_form_post_without_csrf_is_refused(citizen):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"phone": citizen.phone, "password": PASSWORD})
    assert response.status_code == 403


# --- account, binding, devices -----------------------------------------------------------------


def test_account_page_needs_sign_in(client):
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/"


def test_account_page_of_a_guardian(client):
    link = GuardianshipFactory()
    user = BoundUserFactory(person=link.guardian)
    text = signed_in(client, user).get("/accounts/").content.decode()
    assert "Bound" in text
    assert link.child.name_pinyin in text
    assert link.child.id_number not in text
    assert mask_id_number(link.child.id_number) in text
    assert user.phone not in text


def test_binding_pages(client, committed, outbox, citizen):
    person = PersonFactory(name_zh="张伟", phone_on_file="+8613955556666")
    signed_in(client, citizen)
    with committed():
        response = client.post(
            "/accounts/identity/", {"name": "张伟", "id_number": person.id_number}
        )
    assert response["Location"] == "/accounts/identity/confirm/"
    page = client.get("/accounts/identity/confirm/").content.decode()
    assert "*******6666" in page
    assert "registry holds for you" in page
    response = client.post(
        "/accounts/identity/confirm/", {"code": outbox.latest_code("+8613955556666")}
    )
    assert response["Location"] == "/accounts/"
    citizen.refresh_from_db()
    assert citizen.person == person
    # once bound, the binding page sends back to the account
    assert client.get("/accounts/identity/")["Location"] == "/accounts/"


def test_binding_page_errors(client, citizen):
    person = PersonFactory(name_zh="张伟")
    signed_in(client, citizen)
    bad = person.id_number[:17] + ("1" if person.id_number[17] == "0" else "0")
    text = assert_error_page(
        client.post("/accounts/identity/", {"name": "张伟", "id_number": bad}),
        "check the last character",
    )
    assert 'href="#id_id_number"' in text
    assert_error_page(
        client.post("/accounts/identity/", {"name": "王芳", "id_number": person.id_number}),
        "do not match the population registry",
    )
    BoundUserFactory(person=person)
    assert_error_page(
        client.post("/accounts/identity/", {"name": "张伟", "id_number": person.id_number}),
        "already bound to another account",
    )


def test_binding_confirm_without_step_1_goes_back(client, citizen):
    signed_in(client, citizen)
    assert client.get("/accounts/identity/confirm/")["Location"] == "/accounts/identity/"


def test_devices_page_lists_and_revokes(client, citizen, rf):
    request = rf.post("/")
    issued = token_issue(request=request, phone=citizen.phone, password=PASSWORD, device="iPad")
    signed_in(client, citizen)
    assert "iPad" in client.get("/accounts/devices/").content.decode()
    response = client.post(f"/accounts/devices/{issued.token.pk}/revoke/")
    assert response["Location"] == "/accounts/devices/"
    assert ApiToken.objects.get().revoked_at is not None
    assert (
        "No app or mini-program is signed in" in client.get("/accounts/devices/").content.decode()
    )


def test_devices_revoke_of_another_users_token_is_404(client, citizen, rf):
    other = UserFactory()
    issued = token_issue(request=rf.post("/"), phone=other.phone, password=PASSWORD, device="d")
    signed_in(client, citizen)
    assert client.post(f"/accounts/devices/{issued.token.pk}/revoke/").status_code == 404
    assert client.get(f"/accounts/devices/{issued.token.pk}/revoke/").status_code == 405


# --- password reset, changes ------------------------------------------------------------------


def test_password_reset_pages(client, committed, outbox, citizen):
    with committed():
        response = client.post("/accounts/password-reset/", {"phone": citizen.phone})
    assert response["Location"] == "/accounts/password-reset/confirm/"
    response = client.post(
        "/accounts/password-reset/confirm/",
        {"code": outbox.latest_code(citizen.phone), "password": "Amber-Orchard-91"},
    )
    assert response["Location"] == "/accounts/login/"
    citizen.refresh_from_db()
    assert citizen.check_password("Amber-Orchard-91")
    assert "signed out everywhere" in client.get("/accounts/login/").content.decode()


def test_password_reset_confirm_errors(client, committed, outbox, citizen):
    with committed():
        client.post("/accounts/password-reset/", {"phone": citizen.phone})
    assert_error_page(
        client.post(
            "/accounts/password-reset/confirm/",
            {"code": outbox.latest_code(citizen.phone), "password": "aaaaaaaa"},
        ),
        "too easy to guess",
    )


def test_change_phone_pages(client, committed, outbox, citizen):
    signed_in(client, citizen)
    assert_error_page(
        client.post("/accounts/phone/", {"phone": "13911112222", "password": "nope"}),
        "Your password is not right.",
    )
    with committed():
        response = client.post("/accounts/phone/", {"phone": "13911112222", "password": PASSWORD})
    assert response["Location"] == "/accounts/phone/confirm/"
    response = client.post(
        "/accounts/phone/confirm/", {"code": outbox.latest_code("+8613911112222")}
    )
    assert response["Location"] == "/accounts/"
    citizen.refresh_from_db()
    assert citizen.phone == "+8613911112222"


def test_change_email_pages(client, committed, outbox, citizen):
    signed_in(client, citizen)
    with committed():
        response = client.post(
            "/accounts/email/", {"email": "new@example.com", "password": PASSWORD}
        )
    assert response["Location"] == "/accounts/email/confirm/"
    assert "n***@example.com" in client.get("/accounts/email/confirm/").content.decode()
    client.post("/accounts/email/confirm/", {"code": outbox.latest_code("new@example.com")})
    citizen.refresh_from_db()
    assert citizen.email == "new@example.com"


def test_pages_in_chinese(citizen):
    client = Client()
    client.force_login(citizen)
    response = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert 'lang="zh-Hans"' in response.content.decode()


def test_bound_required_shows_the_prompt(rf, citizen):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from accounts.decorators import bound_required

    @bound_required
    def personal(request):
        return HttpResponse("personal data")

    request = rf.get("/documents/")
    request.user = citizen
    response = personal(request)
    assert response.status_code == 403
    assert b"personal data" not in response.content
    request.user = BoundUserFactory()
    assert personal(request).content == b"personal data"
    request.user = AnonymousUser()
    assert personal(request).status_code == 302
