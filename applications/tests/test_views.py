"""The citizen's pages of applications: the list and one application with its timeline."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import services
from applications.tests.helpers import staff_at, step
from appointments.models import AppointmentStatus
from appointments.services import appointment_transition
from appointments.tests.factories import AppointmentFactory
from documents.tests.factories import CitizenFactory, HkMacaoPassFactory, UnboundCitizenFactory
from endorsements.models import Channel, EndorsementStatus
from endorsements.tests.factories import EndorsementFactory
from guide.tests.factories import HallFactory
from persons.tests.factories import GuardianshipFactory, MinorFactory
from staff.tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_URL = "/accounts/login/"


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def accepted_application(person, **appointment_fields):
    """An application accepted at the hall from a checked-in appointment of `person`."""
    appointment = AppointmentFactory(person=person, **appointment_fields)
    appointment_transition(appointment=appointment, to=AppointmentStatus.CHECKED_IN)
    return services.application_accept(
        appointment=appointment, officer=StaffUserFactory(), fee_amount=Decimal("120.00")
    )


@pytest.fixture
def citizen():
    return CitizenFactory()


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    english(client)
    return client


def test_my_applications_lists_mine_and_my_childs(signed_in, citizen):
    # given
    child = MinorFactory(name_zh="王小明", name_pinyin="Wang Xiaoming")
    GuardianshipFactory(guardian=citizen.person, child=child)
    mine = accepted_application(citizen.person)
    childs = accepted_application(child, document_type="hk_macao_pass")
    strangers = accepted_application(CitizenFactory().person, document_type="taiwan_permit")
    # when
    response = signed_in.get("/applications/")
    # then
    assert response.status_code == 200
    html = response.text
    assert "<title>My applications" in html
    assert f'href="/applications/{mine.number}/"' in html
    assert f'href="/applications/{childs.number}/"' in html
    assert "Application of Wang Xiaoming" in html
    assert strangers.number not in html
    assert "Accepted at the hall" in html


def test_an_application_shows_its_timeline(signed_in, citizen):
    # given an application that moved on to review
    application = accepted_application(citizen.person)
    step(application, "start_review", staff_at(application.hall), note="Checked by the bureau")
    # when
    response = signed_in.get(f"/applications/{application.number}/")
    # then
    assert response.status_code == 200
    html = response.text
    assert f"Application {application.number}" in html
    assert "Ordinary passport" in html and "Renewal" in html
    assert "RMB 120.00" in html
    assert html.index("Accepted at the hall") < html.index("Under review", html.index("Progress"))
    assert "Checked by the bureau" in html
    assert "timeline__item--current" in html
    assert f'href="/appointments/{application.appointment.number}/"' in html
    # and the appointment page links back to it
    appointment_page = signed_in.get(f"/appointments/{application.appointment.number}/")
    assert f'href="/applications/{application.number}/"' in appointment_page.text


def test_no_applications_yet(signed_in):
    response = signed_in.get("/applications/")
    assert "You have no applications yet." in response.text


def test_another_citizens_application_is_not_found(signed_in):
    other = accepted_application(CitizenFactory().person)
    assert signed_in.get(f"/applications/{other.number}/").status_code == 404
    assert signed_in.get("/applications/not-a-number/").status_code == 404


def test_unbound_accounts_get_the_binding_prompt(client):
    client.force_login(UnboundCitizenFactory())
    english(client)
    for path in ("/applications/", "/applications/12345678901234/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Bind your identity first" in response.text


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/applications/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/applications/"


def test_pages_in_chinese_by_default(client, citizen):
    application = accepted_application(citizen.person)
    client.force_login(citizen)
    listing = client.get("/applications/")
    assert 'lang="zh-Hans"' in listing.text
    assert "我的申请" in listing.text and "大厅已受理" in listing.text
    detail = client.get(f"/applications/{application.number}/")
    assert "办理进度" in detail.text and "普通护照" in detail.text


def test_the_page_shows_the_expected_date_and_next_step_and_withdraws(signed_in, citizen):
    # given an accepted application
    application = accepted_application(citizen.person, booked_by=citizen)
    # when the citizen opens it
    page = signed_in.get(f"/applications/{application.number}/")
    # then the stage, the expected date and the next step in plain words
    html = page.text
    assert "Where it stands" in html and "Review" in html
    assert application.expected_on.isoformat() in html
    assert "There is nothing you need to do now" in html
    assert "Your application was accepted at" in html
    # and they can withdraw it
    assert signed_in.get(f"/applications/{application.number}/withdraw/").status_code == 200
    done = signed_in.post(f"/applications/{application.number}/withdraw/")
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert "Withdraw the application" not in signed_in.get(done.url).text


def test_the_delivery_changes_to_mail_with_an_address(signed_in, citizen):
    application = accepted_application(citizen.person, booked_by=citizen)
    url = f"/applications/{application.number}/delivery/"
    missing = signed_in.post(url, {"delivery": "mail", "delivery_address": ""})
    assert missing.status_code == 422 and "There is a problem" in missing.text
    saved = signed_in.post(url, {"delivery": "mail", "delivery_address": "北京市东城区1号"})
    assert saved.status_code == 302
    application.refresh_from_db()
    assert (application.delivery, application.delivery_address) == ("mail", "北京市东城区1号")


def test_someone_elses_application_pages_are_404(signed_in):
    stranger = accepted_application(CitizenFactory().person)
    for suffix in ("", "withdraw/", "delivery/"):
        assert signed_in.get(f"/applications/{stranger.number}/{suffix}").status_code == 404
    assert signed_in.post(f"/applications/{stranger.number}/withdraw/").status_code == 404


def test_the_list_reads_endorsements_without_a_query_for_each(signed_in, citizen):
    # given the citizen's and their child's endorsement applications: approved for a hall,
    # rejected, under review and active
    child = MinorFactory(name_zh="王小红", name_pinyin="Wang Xiaohong")
    GuardianshipFactory(guardian=citizen.person, child=child)
    hall = HallFactory()

    passes = {citizen.person.pk: HkMacaoPassFactory(person=citizen.person)}
    passes[child.pk] = HkMacaoPassFactory(person=child)

    def endorsement(person, **fields):
        return EndorsementFactory(document=passes[person.pk], applied_by=citizen, **fields)

    endorsement(child, status=EndorsementStatus.UNDER_REVIEW)
    signed_in.get("/applications/")
    with CaptureQueriesContext(connection) as one:
        assert signed_in.get("/applications/").status_code == 200
    endorsement(citizen.person, status=EndorsementStatus.APPROVED, channel=Channel.HALL, hall=hall)
    endorsement(citizen.person, status=EndorsementStatus.REJECTED, rejection_note="Unclear photo")
    endorsement(child, status=EndorsementStatus.ACTIVE, channel=Channel.HALL, hall=hall)
    # when the list is shown again
    with CaptureQueriesContext(connection) as four:
        response = signed_in.get("/applications/")
    # then as many queries for four endorsements as for one, and each is shown
    assert len(four.captured_queries) == len(one.captured_queries)
    assert "Rejected: Unclear photo" in response.text
    assert hall.name_en in response.text
    assert "Application of Wang Xiaohong" in response.text
