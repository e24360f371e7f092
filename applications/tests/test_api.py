import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.auth import token_hash, token_new_key
from accounts.models import ApiToken
from accounts.tests.factories import StaffUserFactory
from applications.services import application_accept
from applications.tests.helpers import staff_at, step
from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory, SlotFactory, in_days
from documents.tests.factories import CitizenFactory, UnboundCitizenFactory
from guide.tests.factories import HallFactory
from persons.tests.factories import GuardianshipFactory, MinorFactory

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
LIST = "/api/v1/me/applications"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(user) -> dict:
    prefix, secret, key = token_new_key()
    ApiToken.objects.create(
        user=user,
        name="test phone",
        prefix=prefix,
        key_hash=token_hash(secret),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {"authorization": f"Bearer {key}"}


def problem(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture
def officer():
    return StaffUserFactory()


def accepted(person, officer, *, document_type="passport", days=0, hall=None):
    """An application accepted at a hall from a checked-in appointment of `person`."""
    slot = SlotFactory(starts_at=in_days(days, 10), hall=hall or HallFactory(), booked=1)
    appointment = AppointmentFactory(
        person=person,
        document_type=document_type,
        slot=slot,
        status=AppointmentStatus.CHECKED_IN,
    )
    return application_accept(appointment=appointment, officer=officer, fee_amount=Decimal("120"))


@pytest.fixture
def citizen():
    return CitizenFactory()


def test_my_application_shows_its_timeline(client, citizen, officer):
    # given an application accepted, then under review
    application = accepted(citizen.person, officer, hall=HallFactory(code="LUOHU"))
    step(application, "start_review", staff_at(application.hall))
    # when
    response = client.get(
        f"{LIST}/{application.number}", headers=bearer(citizen) | {"accept-language": "en"}
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == application.number
    assert body["status"] == "under_review"
    assert body["status_name"] == "Under review"
    assert body["person"]["relation"] == "self"
    assert body["person"]["id_number_masked"].count("*") == 10
    assert body["document_type"] == "passport"
    assert body["hall"]["code"] == "LUOHU"
    assert body["fee_amount"] == "120.00"
    assert body["appointment_number"] == application.appointment.number
    assert [step["status"] for step in body["timeline"]] == ["accepted", "under_review"]
    assert body["timeline"][0]["status_name"] == "Accepted at the hall"
    assert dt.datetime.fromisoformat(body["timeline"][0]["at"]) <= timezone.now()
    assert "accepted_by" not in body and "actor" not in body["timeline"][0]


def test_my_applications_and_my_minors_are_listed_with_pages(client, citizen, officer):
    # given two of the citizen's, one of their child, one of a stranger
    child = MinorFactory()
    GuardianshipFactory(guardian=citizen.person, child=child)
    mine = [
        accepted(citizen.person, officer, document_type="passport"),
        accepted(citizen.person, officer, document_type="hk_macao_pass"),
        accepted(child, officer),
    ]
    accepted(CitizenFactory().person, officer)
    auth = bearer(citizen)
    # when
    first = client.get(LIST, {"limit": 2}, headers=auth)
    second = client.get(first.json()["next"], headers=auth)
    # then
    assert first.status_code == 200, first.content
    page = first.json()
    assert page["count"] == 3
    numbers = [a["number"] for a in page["results"] + second.json()["results"]]
    assert sorted(numbers) == sorted(a.number for a in mine)
    relations = {a["number"]: a["person"]["relation"] for a in page["results"]}
    relations |= {a["number"]: a["person"]["relation"] for a in second.json()["results"]}
    assert relations[mine[2].number] == "minor"
    assert second.json()["next"] is None


def test_the_list_reads_in_a_fixed_number_of_queries(client, citizen, officer):
    # given a token already used once (so that its "last used" is not written again)
    auth = bearer(citizen)
    accepted(citizen.person, officer)
    client.get(LIST, headers=auth)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST, headers=auth)
    # when there are three
    for document_type in ("hk_macao_pass", "taiwan_permit"):
        accepted(citizen.person, officer, document_type=document_type)
    with CaptureQueriesContext(connection) as three:
        body = client.get(LIST, headers=auth).json()
    # then the same queries: token, minors, count, page
    assert len(body["results"]) == 3
    assert len(three) == len(one) <= 4


def test_the_number_may_be_typed_in_groups(client, citizen, officer):
    application = accepted(citizen.person, officer)
    typed = f"{application.number[:6]} {application.number[6:10]}-{application.number[10:]}"
    response = client.get(f"{LIST}/{typed}", headers=bearer(citizen))
    assert response.json()["number"] == application.number


def test_another_citizen_s_application_does_not_exist_for_me(client, citizen, officer):
    application = accepted(CitizenFactory().person, officer)
    problem(
        client.get(f"{LIST}/{application.number}", headers=bearer(citizen)),
        404,
        "application_not_found",
    )
    problem(client.get(f"{LIST}/not-a-number", headers=bearer(citizen)), 404)
    assert client.get(LIST, headers=bearer(citizen)).json()["count"] == 0


def test_applications_need_a_signed_in_bound_citizen(client, citizen, officer):
    application = accepted(citizen.person, officer)
    problem(client.get(LIST), 401, "not_authenticated")
    problem(client.get(f"{LIST}/{application.number}"), 401, "not_authenticated")
    problem(client.get(LIST, headers=bearer(UnboundCitizenFactory())), 403, "identity_not_bound")


def test_the_website_session_reads_them_too(client, citizen, officer):
    accepted(citizen.person, officer)
    client.force_login(citizen)
    assert client.get(LIST).json()["count"] == 1


def test_withdrawing_twice_is_one_withdrawal_and_someone_elses_is_404(client, citizen, officer):
    # given my application and a stranger's
    mine = accepted(citizen.person, officer)
    theirs = accepted(CitizenFactory().person, officer)
    auth = bearer(citizen)
    # when I withdraw mine twice
    first = client.post(f"{LIST}/{mine.number}/withdraw", headers=auth)
    second = client.post(f"{LIST}/{mine.number}/withdraw", headers=auth)
    # then one withdrawal, the same answer
    assert first.status_code == second.status_code == 200, first.content
    assert second.json()["status"] == "withdrawn"
    actions = [s["action"] for s in second.json()["timeline"]]
    assert actions.count("withdraw") == 1
    assert second.json()["outlook"]["expected_date"] is None
    # and the stranger's does not exist for me
    problem(
        client.post(f"{LIST}/{theirs.number}/withdraw", headers=auth), 404, "application_not_found"
    )


def test_the_delivery_changes_until_production_and_bad_input_is_problem_json(
    client, citizen, officer
):
    application = accepted(citizen.person, officer)
    auth = bearer(citizen)
    url = f"{LIST}/{application.number}/delivery"
    body = client.get(f"{LIST}/{application.number}", headers=auth).json()
    assert {a["name"] for a in body["actions"]} == {"withdraw", "delivery"}
    assert body["outlook"]["expected_date"] == application.expected_on.isoformat()
    assert (
        "nothing you need to do"
        in client.get(
            f"{LIST}/{application.number}", headers=auth | {"accept-language": "en"}
        ).json()["outlook"]["next_step"]
    )
    problem(
        client.post(url, {"delivery": "mail"}, content_type="application/json", headers=auth),
        422,
        "delivery_address_required",
    )
    problem(
        client.post(url, {"delivery": "drone"}, content_type="application/json", headers=auth),
        422,
        "invalid_delivery",
    )
    problem(client.post(url, "{", content_type="application/json", headers=auth), 400)
    changed = client.post(
        url,
        {"delivery": "mail", "delivery_address": "北京市东城区1号"},
        content_type="application/json",
        headers=auth,
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["delivery"]["method"] == "mail"
