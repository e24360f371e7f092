"""Endorsement applications as applications: listed in "My applications" (page and API, in a
bounded number of queries), answered by the anonymous progress lookup with their 14-digit
application number (same answer and same work for a wrong ID number as for a missing number,
masked name only, the same limits), and each step's message in the recipient's language."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from applications.api import MyApplicationsPage
from applications.progress import ProgressError, progress_lookup
from applications.tests.accepted import accepted_application
from core.errors import Problem
from core.masking import mask_name
from core.ratelimit import RateLimited
from documents.tests.factories import HkMacaoPassFactory, days_from_today
from endorsements import services
from endorsements.models import Channel, EndorsementStatus
from notifications.models import Notification
from persons.idnumbers import id_number_make
from persons.tests.factories import GuardianshipFactory, MinorFactory

from .conftest import citizen_client
from .factories import EndorsementFactory

S = EndorsementStatus
LIST = "/api/v1/me/applications"
PAGE = "/applications/"
STRANGER_ID = id_number_make(area="110105", birth_date=dt.date(1970, 1, 1), sequence=999)


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.PROGRESS_LOOKUP_RATE_PER_ADDRESS = "1000/60"
    settings.PROGRESS_LOOKUP_RATE_PER_NUMBER = "1000/60"


def apply(user, document, *, channel="kiosk", hall_code=""):
    (endorsement,) = services.endorsement_apply(
        user=user,
        document_id=document.pk,
        choices=[services.Choice("HKG", "G", "3m1")],
        channel=channel,
        hall_code=hall_code,
    ).endorsements
    return endorsement


def lookup(number: str, id_number: str, address: str = "203.0.113.9"):
    return progress_lookup(application_number=number, id_number=id_number, client_address=address)


def _unused(number: str) -> str:
    return number[:6] + f"{(int(number[6:]) + 1) % 10**8:08d}"


# --- the application number ----------------------------------------------------------------


def test_an_endorsement_gets_a_14_digit_application_number_of_its_day(citizen, pass_of, policies):
    # when
    endorsement = apply(citizen, pass_of)
    # then: the applications' format, the day of applying in Beijing time
    number = endorsement.application_number
    assert len(number) == 14 and number.isdigit()
    assert number[:6] == endorsement.applied_at.astimezone(
        dt.timezone(dt.timedelta(hours=8))
    ).strftime("%y%m%d")


# --- My applications ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Pay and print it at Luohu Hall"), ("zh-hans", "请在罗湖区出入境办证大厅")],
)
def test_my_applications_api_lists_endorsements_with_their_outlook(
    citizen, pass_of, policies, hall, language, words
):
    # given an endorsement approved at once, to be paid and printed at a hall
    endorsement = apply(citizen, pass_of, channel="hall", hall_code=hall.code)
    # when the citizen reads My applications
    response = citizen_client(citizen).get(LIST, HTTP_ACCEPT_LANGUAGE=language)
    # then the endorsement is listed apart from the (paged) document applications
    assert response.status_code == 200, response.content
    body = response.json()
    MyApplicationsPage.model_validate(body)
    assert body["count"] == 0 and body["results"] == []
    (item,) = body["endorsements"]
    assert item["kind"] == "endorsement" and item["id"] == endorsement.pk
    assert item["application_number"] == endorsement.application_number
    assert item["status"] == "approved"
    assert words in item["outlook"]["next_step"]
    assert item["hall"]["code"] == hall.code
    assert item["url"].endswith(f"/api/v1/me/endorsements/{endorsement.pk}")
    assert item["page_url"].endswith(f"/endorsements/{endorsement.pk}/")
    assert item["person"]["relation"] == "self"


def test_my_applications_api_lists_a_minors_endorsement_and_not_a_strangers(
    citizen, xian_citizen, policies
):
    # given an endorsement of the citizen's minor at a kiosk, and one of a stranger
    minor = MinorFactory()
    GuardianshipFactory(guardian=citizen.person, child=minor)
    mine = EndorsementFactory(
        document=HkMacaoPassFactory(person=minor, expires_on=days_from_today(2000)),
        applied_by=citizen,
        status=S.UNDER_REVIEW,
    )
    EndorsementFactory(
        document=xian_citizen.person.documents.get(),
        applied_by=xian_citizen,
        status=S.APPROVED,
    )
    # when
    body = citizen_client(citizen).get(LIST, HTTP_ACCEPT_LANGUAGE="en").json()
    # then only the minor's, under review with the date a decision is expected
    (item,) = body["endorsements"]
    assert item["id"] == mine.pk and item["person"]["relation"] == "minor"
    assert item["outlook"]["expected_date"]
    assert "officer is reviewing" in item["outlook"]["next_step"]


def test_endorsements_are_on_the_first_page_only(citizen, pass_of, policies):
    apply(citizen, pass_of)
    client = citizen_client(citizen)
    assert len(client.get(LIST).json()["endorsements"]) == 1
    assert client.get(LIST + "?offset=20").json()["endorsements"] == []


def test_my_applications_reads_endorsements_in_one_query_whatever_their_number(
    citizen, pass_of, policies
):
    # given one endorsement
    client = citizen_client(citizen)
    accepted_application(citizen.person)
    EndorsementFactory(document=pass_of, applied_by=citizen, status=S.ACTIVE)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    # when there are three, of other statuses and kinds (hall, rejected)
    EndorsementFactory(document=pass_of, applied_by=citizen, status=S.WITHDRAWN)
    EndorsementFactory(
        document=pass_of,
        applied_by=citizen,
        status=S.REJECTED,
        rejection_reason="other",
        rejection_note="Not credible.",
    )
    with CaptureQueriesContext(connection) as more:
        body = client.get(LIST).json()
    # then the same number of queries
    assert len(body["endorsements"]) == 3
    assert len(few.captured_queries) == len(more.captured_queries)
    rejected = [e for e in body["endorsements"] if e["status"] == "rejected"]
    assert "Not credible." in rejected[0]["outlook"]["next_step"]


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["Endorsement applications", "Active until", "Trips left: 1."]),
        ("zh-hans", ["签注申请", "有效期至", "剩余次数：1。"]),
    ],
)
def test_my_applications_page_shows_endorsements(citizen, pass_of, policies, language, texts):
    # given an active endorsement with its trip
    endorsement = EndorsementFactory(document=pass_of, applied_by=citizen, status=S.ACTIVE)
    client = citizen_client(citizen)
    # when
    with translation.override(language):
        response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE=language)
    # then it is there, with its next step and a link to its own page
    page = response.content.decode()
    assert response.status_code == 200
    for text in texts:
        assert text in page
    assert f'href="/endorsements/{endorsement.pk}/"' in page
    assert endorsement.application_number in page


# --- the progress lookup ------------------------------------------------------------------


@pytest.mark.parametrize(("language", "stage"), [("en", "Approved"), ("zh-hans", "审批通过")])
def test_the_lookup_answers_for_an_endorsement(citizen, pass_of, policies, language, stage):
    # given an endorsement approved at once, to be printed at a kiosk
    endorsement = apply(citizen, pass_of)
    person = citizen.person
    # when its applicant looks it up with its number and their ID number
    with translation.override(language):
        answer = lookup(endorsement.application_number, person.id_number)
    # then the progress, with the name masked
    assert answer.kind == "endorsement"
    assert answer.application_number == endorsement.application_number
    assert answer.status == "approved" and answer.stage_label == stage
    assert answer.document_type == "hk_macao_pass"
    name = person.name_zh if language == "zh-hans" else person.name_pinyin
    assert answer.name_masked == mask_name(name) != name


def test_the_lookup_does_not_show_a_rejection_s_reason(citizen, pass_of, policies):
    endorsement = EndorsementFactory(
        document=pass_of,
        applied_by=citizen,
        status=S.REJECTED,
        rejection_reason="other",
        rejection_note="Private detail.",
    )
    with translation.override("en"):
        answer = lookup(endorsement.application_number, citizen.person.id_number)
    assert "Private detail." not in answer.next_step
    assert "sign in" in answer.next_step


def test_a_wrong_id_number_and_a_missing_number_are_the_same_answer_and_work(
    citizen, pass_of, policies
):
    # given an endorsement application
    endorsement = apply(citizen, pass_of)
    runs, refusals = {}, {}
    # when a stranger's ID number is tried with its number, and its ID number with another number
    for case, (number, id_number) in {
        "wrong id number": (endorsement.application_number, STRANGER_ID),
        "no application": (_unused(endorsement.application_number), citizen.person.id_number),
    }.items():
        with CaptureQueriesContext(connection) as queries, pytest.raises(Problem) as refused:
            lookup(number, id_number)
        runs[case] = [q["sql"].replace(number, "?") for q in queries.captured_queries]
        refusals[case] = refused.value
    # then the same 404 after the same statements
    assert runs["wrong id number"] == runs["no application"]
    wrong, missing = refusals["wrong id number"], refusals["no application"]
    assert wrong.status == missing.status == 404
    assert wrong.code == missing.code == ProgressError.NO_MATCH
    assert wrong.detail == missing.detail


def test_an_endorsement_number_is_limited_as_an_application_number_is(
    settings, citizen, pass_of, policies
):
    # given a limit of 2 attempts per number
    settings.PROGRESS_LOOKUP_RATE_PER_NUMBER = "2/600"
    endorsement = apply(citizen, pass_of)
    for attempt in range(2):
        with pytest.raises(Problem):
            lookup(endorsement.application_number, STRANGER_ID, address=f"198.51.100.{attempt}")
    # when the right ID number comes third
    with pytest.raises(RateLimited) as limited:
        lookup(endorsement.application_number, citizen.person.id_number, address="198.51.100.9")
    # then it must wait
    assert limited.value.status == 429


def test_the_lookup_api_answers_for_an_endorsement(client, citizen, pass_of, policies):
    endorsement = apply(citizen, pass_of)
    response = client.post(
        "/api/v1/progress/lookup",
        {
            "application_number": endorsement.application_number,
            "id_number": citizen.person.id_number,
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "endorsement" and body["status"] == "approved"
    assert "self-service kiosk" in body["next_step"]
    assert citizen.person.id_number not in response.content.decode()


# --- each step's message, in the recipient's language --------------------------------------


@pytest.mark.parametrize(
    ("language", "approved", "rejected", "active"),
    [
        ("en", "was approved", "was not approved", "valid until"),
        ("zh-hans", "已获批准", "未获批准", "有效期至"),
    ],
)
def test_each_step_sends_its_message_in_the_recipient_s_language(
    citizen,
    xian_citizen,
    pass_of,
    policies,
    officer,
    reviewer,
    language,
    approved,
    rejected,
    active,
):
    # given two citizens who chose the language of their messages
    for user in (citizen, xian_citizen):
        user.language = language
        user.save(update_fields=["language"])
    # when one is approved at once, paid and printed, and the other is rejected by an officer
    endorsement = apply(citizen, pass_of)
    services.endorsement_pay(
        actor=officer, endorsement=endorsement, method="cash", receipt_number="R1"
    )
    services.endorsement_print(actor=officer, endorsement=endorsement)
    refused = apply(xian_citizen, xian_citizen.person.documents.get())
    assert refused.status == S.UNDER_REVIEW
    services.endorsement_reject(
        staff=reviewer, endorsement=refused, reason_code="not_eligible", reason="Not open to Xi'an."
    )
    # then each step's message, in their language
    texts = {n.kind: n.text for n in Notification.objects.filter(user__in=[citizen, xian_citizen])}
    assert approved in texts["endorsement_approved"]
    assert rejected in texts["endorsement_rejected"]
    assert "Not open to Xi'an." in texts["endorsement_rejected"]
    assert active in texts["endorsement_active"]
    assert endorsement.channel == Channel.KIOSK
