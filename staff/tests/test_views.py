import re
from unittest import mock

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from documents.models import DocumentStatus
from documents.tests.factories import HkMacaoPassFactory, PassportFactory
from persons.tests.factories import GuardianshipFactory, PersonFactory
from staff import grants
from staff.models import AccessLog, Role

from .conftest import english, verified_client
from .factories import (
    CITIZEN_PASSWORD,
    STAFF_PASSWORD,
    AccessLogFactory,
    CitizenFactory,
    StaffRoleFactory,
    totp_code,
)

pytestmark = pytest.mark.django_db

REASON = "Application A2026-0001: checking the documents of the applicant"
STAFF_PAGES = ["/staff/", "/staff/persons/lookup/", "/staff/access-log/", "/staff/persons/1/"]


@pytest.fixture
def person():
    person = PersonFactory(name_zh="王芳")
    PassportFactory(person=person, number="E12345678")
    HkMacaoPassFactory(person=person, number="C12345678", status=DocumentStatus.REPORTED_LOST)
    GuardianshipFactory(guardian=person, child__name_zh="王小明")
    return person


def _sign_in(client: Client, username: str, code: str, password: str = STAFF_PASSWORD, **extra):
    return client.post(
        "/staff/login/",
        {"username": username, "password": password, "otp_code": code, **extra},
    )


def _full_id_numbers(text: str) -> list[str]:
    return re.findall(r"(?<![0-9])\d{17}[0-9X](?![0-9])", text)


# Signing in


def test_the_sign_in_page_asks_for_username_password_and_code(client):
    response = english(client).get("/staff/login/")
    assert response.status_code == 200
    for name in ("username", "password", "otp_code"):
        assert f'name="{name}"' in response.text
    assert 'autocomplete="one-time-code"' in response.text


def test_sign_in_with_the_code_opens_the_staff_home(client, officer):
    # when
    response = _sign_in(client, "officer", totp_code(officer.totpdevice_set.get()))

    # then
    assert response.status_code == 302
    assert response.url == "/staff/"
    assert client.session[DEVICE_ID_SESSION_KEY]
    assert client.get("/staff/").status_code == 200


def test_sign_in_accepts_a_code_with_a_space(client, officer):
    code = totp_code(officer.totpdevice_set.get())
    response = _sign_in(client, "officer", f"{code[:3]} {code[3:]}")
    assert response.status_code == 302


def test_sign_in_goes_to_a_safe_next_page_only(client, officer):
    device = officer.totpdevice_set.get()
    response = _sign_in(client, "officer", totp_code(device), next="/staff/persons/lookup/")
    assert response.url == "/staff/persons/lookup/"
    other = Client()
    response = _sign_in(
        other, "officer", totp_code(device, steps_ahead=1), next="https://evil.test/"
    )
    assert response.url == "/staff/"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "", "password": "", "otp_code": ""}, "Enter your username."),
        ({"username": "officer", "password": STAFF_PASSWORD, "otp_code": ""}, "Enter the 6-digit"),
        ({"username": "officer", "password": STAFF_PASSWORD, "otp_code": "12ab56"}, "6 digits"),
        (
            {"username": "officer", "password": "wrong", "otp_code": "123456"},
            "The username, password or code is not right.",
        ),
    ],
)
def test_bad_sign_in_input_shows_an_error_summary(client, officer, data, message):
    response = english(client).post("/staff/login/", data)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    assert "<title>Error:" in response.text
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_wrong_code_is_refused_with_the_password_right(client, officer):
    code = totp_code(officer.totpdevice_set.get())
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = _sign_in(english(client), "officer", wrong)
    assert response.status_code == 200
    assert "The username, password or code is not right" in response.text
    assert client.get("/staff/").status_code == 302


def test_a_replayed_code_is_refused(client, officer):
    # given a code already used to sign in
    code = totp_code(officer.totpdevice_set.get())
    assert _sign_in(client, "officer", code).status_code == 302
    client.post("/staff/logout/")

    # when the same code is sent again
    response = _sign_in(english(client), "officer", code)

    # then
    assert response.status_code == 200
    assert "each code works only once" in response.text


def test_a_citizen_cannot_use_the_staff_sign_in(client):
    citizen = CitizenFactory()
    response = _sign_in(english(client), citizen.username, "123456", password=CITIZEN_PASSWORD)
    assert "The username, password or code is not right." in response.text
    assert "_auth_user_id" not in client.session


def test_a_locked_out_account_gets_429(client, officer):
    for _ in range(5):
        _sign_in(client, "officer", "000000", password="wrong")
    response = _sign_in(client, "officer", totp_code(officer.totpdevice_set.get()))
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(officer):
    client = verified_client(officer)
    assert client.get("/staff/logout/").status_code == 200
    response = client.post("/staff/logout/")
    assert response.url == "/staff/login/"
    assert client.get("/staff/").status_code == 302


# Nobody without a verified second factor gets anything


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/staff/login/?next=")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_without_a_verified_device_get_nothing(client, supervisor, path):
    # given a staff member signed in with a password only (no verified TOTP device)
    client.force_login(supervisor)

    # when / then
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/staff/login/")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_citizen_gets_nothing_from_staff_pages(client, path):
    client.force_login(CitizenFactory())
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/staff/login/")


def test_unverified_staff_cannot_post_a_lookup(client, officer, person):
    client.force_login(officer)
    response = client.post(
        "/staff/persons/lookup/", {"id_number": person.id_number, "reason": REASON}
    )
    assert response.status_code == 302
    assert not AccessLog.objects.exists()


def test_a_device_of_another_user_does_not_verify(client, officer, supervisor):
    client.force_login(officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = supervisor.totpdevice_set.get().persistent_id
    session.save()
    assert client.get("/staff/").status_code == 302


# Home


def test_the_home_page_lists_what_the_role_can_do(supervisor):
    client = english(verified_client(supervisor))
    response = client.get("/staff/")
    assert response.status_code == 200
    assert "Supervisor" in response.text
    assert "Shenzhen (440300)" in response.text
    assert 'href="/staff/persons/lookup/"' in response.text
    assert 'href="/staff/access-log/"' in response.text
    assert "Approve or reject applications" in response.text


def test_an_officer_home_has_no_access_log(officer):
    response = english(verified_client(officer)).get("/staff/")
    assert "Hall officer" in response.text
    assert "440303-01" in response.text
    assert 'href="/staff/access-log/"' not in response.text


def test_an_officer_may_not_open_the_access_log(officer):
    assert verified_client(officer).get("/staff/access-log/").status_code == 403


def test_an_administrator_may_not_look_up_persons(administrator):
    assert verified_client(administrator).get("/staff/persons/lookup/").status_code == 403


# Looking a person up


def test_the_lookup_page_asks_for_a_number_and_a_reason(officer):
    response = english(verified_client(officer)).get("/staff/persons/lookup/")
    assert response.status_code == 200
    assert 'name="id_number"' in response.text
    assert 'name="reason"' in response.text
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id_number": "", "reason": REASON}, "Enter the person&#x27;s ID number."),
        ({"id_number": "11010519491231002X", "reason": ""}, "Enter the reason why you need"),
        ({"id_number": "11010519491231002X", "reason": "check"}, "at least 10 characters"),
        ({"id_number": "110105194912310021", "reason": REASON}, "check the last character"),
        ({"id_number": "11010519491231002X", "reason": REASON}, "Nobody in the registry"),
    ],
)
def test_bad_lookup_input_shows_an_error_and_logs_nothing(officer, data, message):
    response = english(verified_client(officer)).post("/staff/persons/lookup/", data)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    assert 'href="#id_' in response.text
    assert not AccessLog.objects.exists()


def test_a_lookup_logs_and_opens_the_person_page(officer, person):
    # given
    client = english(verified_client(officer))

    # when
    response = client.post(
        "/staff/persons/lookup/", {"id_number": person.id_number, "reason": REASON}
    )

    # then the lookup is logged and the page opens
    assert response.status_code == 302
    assert response.url == f"/staff/persons/{person.pk}/"
    assert list(AccessLog.objects.values_list("action", flat=True)) == ["lookup"]
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.text
    assert "王芳" in text
    assert person.id_number[:1] + "*" * 16 + person.id_number[-1:] in text
    assert person.id_number not in text
    assert "E******78" in text and "E12345678" not in text
    assert "Reported lost" in text
    assert "王小明" in text
    assert REASON in text
    assert "no-store" in page["Cache-Control"]
    # and the page view is logged too: one row per view
    assert AccessLog.objects.count() == 2
    assert AccessLog.objects.first().action == "view_person"


def test_each_view_of_the_person_page_writes_one_row(officer, person):
    client = verified_client(officer)
    client.post("/staff/persons/lookup/", {"id_number": person.id_number, "reason": REASON})
    for expected in (2, 3, 4):
        client.get(f"/staff/persons/{person.pk}/")
        assert AccessLog.objects.count() == expected


def test_the_person_page_needs_a_lookup_first(officer, person):
    # given an officer who did not look this person up
    client = english(verified_client(officer))

    # when
    response = client.get(f"/staff/persons/{person.pk}/", follow=True)

    # then back to the lookup, nothing shown, nothing logged
    assert response.redirect_chain[-1][0] == "/staff/persons/lookup/"
    assert "look them up by ID number" in response.text
    assert "王芳" not in response.text
    assert not AccessLog.objects.exists()


def test_a_grant_for_one_person_does_not_open_another(officer, person):
    other = PersonFactory()
    client = verified_client(officer)
    client.post("/staff/persons/lookup/", {"id_number": person.id_number, "reason": REASON})
    assert client.get(f"/staff/persons/{other.pk}/").status_code == 302


def test_the_grant_expires(officer, person):
    client = verified_client(officer)
    client.post("/staff/persons/lookup/", {"id_number": person.id_number, "reason": REASON})
    later = grants.time.time() + grants.GRANT_SECONDS + 1
    with mock.patch.object(grants.time, "time", return_value=later):
        assert client.get(f"/staff/persons/{person.pk}/").status_code == 302


def test_the_grant_belongs_to_the_session(officer, person):
    # given a lookup in one session
    verified_client(officer).post(
        "/staff/persons/lookup/", {"id_number": person.id_number, "reason": REASON}
    )

    # when the same officer opens the page from another session
    response = verified_client(officer).get(f"/staff/persons/{person.pk}/")

    # then
    assert response.status_code == 302


def test_showing_the_full_number_is_explicit_and_logged(officer, person):
    client = english(verified_client(officer))
    client.post("/staff/persons/lookup/", {"id_number": person.id_number, "reason": REASON})
    page = client.get(f"/staff/persons/{person.pk}/")
    assert "Show full number" in page.text

    response = client.post(f"/staff/persons/{person.pk}/reveal-id-number/")

    assert response.status_code == 200
    assert person.id_number in response.text
    assert "no-store" in response["Cache-Control"]
    assert AccessLog.objects.first().action == "reveal_id_number"
    assert AccessLog.objects.first().reason == REASON


def test_the_full_number_is_not_shown_on_a_get(officer, person):
    client = verified_client(officer)
    client.post("/staff/persons/lookup/", {"id_number": person.id_number, "reason": REASON})
    response = client.get(f"/staff/persons/{person.pk}/reveal-id-number/")
    assert response.status_code == 405


def test_revealing_needs_the_grant(officer, person):
    response = verified_client(officer).post(f"/staff/persons/{person.pk}/reveal-id-number/")
    assert response.status_code == 302
    assert not AccessLog.objects.exists()


def test_the_lookup_is_in_chinese_by_default(officer):
    response = verified_client(officer).get("/staff/persons/lookup/")
    assert 'lang="zh-Hans"' in response.text


# The access log


@pytest.fixture
def logged(officer, supervisor, person):
    """The Luohu officer looked the person up; a Guangzhou officer looked someone else up."""
    AccessLogFactory(staff=officer, person=person, reason="Officer lookup for A2026-0001")
    outsider = StaffRoleFactory(role=Role.HALL_OFFICER, user__username="gz-officer").user
    AccessLogFactory(staff=outsider, reason="Outside the supervisor's region")
    return person


def test_the_supervisor_sees_the_access_of_their_staff(supervisor, logged):
    response = english(verified_client(supervisor)).get("/staff/access-log/")
    assert response.status_code == 200
    assert "Officer lookup for A2026-0001" in response.text
    assert "Outside the supervisor" not in response.text
    assert "1 entry" in response.text
    assert not _full_id_numbers(response.text)


def test_the_access_log_filters_by_staff_and_dates(supervisor, logged):
    client = english(verified_client(supervisor))
    response = client.get("/staff/access-log/", {"staff": "nobody"})
    assert "0 entries" in response.text
    response = client.get("/staff/access-log/", {"staff": "officer", "date_from": "2000-01-01"})
    assert "1 entry" in response.text


def test_filtering_by_id_number_keeps_the_number_out_of_the_url(supervisor, logged):
    # given
    client = english(verified_client(supervisor))

    # when the supervisor filters by the person's full ID number
    response = client.post("/staff/access-log/", {"id_number": logged.id_number})

    # then the number becomes the record id in the URL, and shows masked
    assert response.status_code == 302
    assert logged.id_number not in response.url
    assert f"person={logged.pk}" in response.url
    page = client.get(response.url)
    assert "1 entry" in page.text
    assert logged.id_number[:1] + "*" * 16 + logged.id_number[-1:] in page.text
    assert not _full_id_numbers(page.text)


def test_an_id_number_in_the_query_string_is_moved_out_of_it(supervisor, logged):
    client = verified_client(supervisor)
    response = client.get("/staff/access-log/", {"id_number": logged.id_number})
    assert response.status_code == 302
    assert logged.id_number not in response.url


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id_number": "110105194912310021"}, "check the last character"),
        ({"id_number": "11010519491231002X"}, "No entry of the access log is about this"),
        ({"date_from": "2026-10-02", "date_to": "2026-10-01"}, "The end date must be"),
        ({"date_from": "yesterday"}, "Enter a valid date."),
    ],
)
def test_bad_access_log_filters_show_an_error(supervisor, logged, data, message):
    response = english(verified_client(supervisor)).post("/staff/access-log/", data)
    if response.status_code == 302:
        response = english(verified_client(supervisor)).get(response.url)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text


def test_the_access_log_is_paginated(supervisor, officer, person):
    AccessLog.objects.bulk_create(
        [AccessLog(staff=officer, person=person, action="lookup", reason=REASON) for _ in range(51)]
    )
    client = english(verified_client(supervisor))
    first = client.get("/staff/access-log/")
    assert "Page 1 of 2" in first.text
    assert "page=2" in first.text
    assert "Page 2 of 2" in client.get("/staff/access-log/", {"page": "2"}).text


# The back-office


def test_staff_without_a_verified_device_cannot_open_the_admin(client, administrator):
    client.force_login(administrator)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/staff/login/")


def test_the_admin_sign_in_sends_staff_to_the_staff_sign_in(client):
    response = client.get("/admin/login/?next=/admin/staff/accesslog/")
    assert response.status_code == 302
    assert response.url == "/staff/login/?next=/admin/staff/accesslog/"


def test_a_verified_administrator_opens_the_admin(administrator):
    client = verified_client(administrator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/staff/staffrole/").status_code == 200


def test_the_access_log_is_read_only_in_the_admin(administrator, logged):
    client = verified_client(administrator)
    entry = AccessLog.objects.first()
    assert client.get("/admin/staff/accesslog/").status_code == 200
    change = client.get(f"/admin/staff/accesslog/{entry.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in change.text
    assert client.get(f"/admin/staff/accesslog/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/staff/accesslog/add/").status_code == 403
    assert client.post(f"/admin/staff/accesslog/{entry.pk}/change/", {}).status_code == 403


def test_a_supervisor_cannot_manage_roles_in_the_admin(supervisor):
    client = verified_client(supervisor)
    assert client.get("/admin/staff/staffrole/").status_code == 403


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("officer", ["endorsements", "crossings/flagged"], ["certificates"]),
        ("reviewer", ["endorsements", "crossings/flagged"], ["certificates"]),
        ("supervisor", ["endorsements", "crossings/flagged", "certificates"], []),
        ("administrator", [], ["endorsements", "crossings/flagged", "certificates"]),
    ],
)
def test_the_home_page_links_the_pages_each_role_may_open(request, role, shown, hidden):
    # given a staff member of the role
    client = english(verified_client(request.getfixturevalue(role)))
    # when
    home = client.get("/staff/").text
    # then the home page links exactly the pages the role may open, and each link opens
    for page in shown:
        assert f'href="/staff/{page}/"' in home
        assert client.get(f"/staff/{page}/").status_code == 200
    for page in hidden:
        assert f'href="/staff/{page}/"' not in home
        assert client.get(f"/staff/{page}/").status_code == 403
