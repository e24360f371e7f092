import datetime as dt

import pytest
from django.test import Client

from core.masking import mask_document_number
from documents.models import DocumentEvent, DocumentStatus, LossReport
from persons.tests.factories import GuardianshipFactory, MinorFactory

from .factories import (
    CitizenFactory,
    HkMacaoPassFactory,
    PassportFactory,
    TaiwanPermitFactory,
    UnboundCitizenFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _login_url(settings):
    # The sign-in page belongs to accounts; a plain path keeps these tests independent of it.
    settings.LOGIN_URL = "/accounts/login/"


def loss(**changes) -> dict:
    """A filled-in report-lost form: when, where, how, and the confirmation."""
    today = dt.date.today()
    return {
        "lost_on": (today - dt.timedelta(days=2)).isoformat(),
        "place": "Shenzhen, Luohu railway station",
        "how": "stolen",
        "circumstances": "Reported to the Luohu police station.",
        "confirm": "on",
        **changes,
    }


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


@pytest.fixture
def family(citizen):
    child = MinorFactory(name_zh="王小明", name_pinyin="Wang Xiaoming")
    GuardianshipFactory(guardian=citizen.person, child=child)
    passport = PassportFactory(person=citizen.person, expires_on=days_from_today(90))
    permit = TaiwanPermitFactory(
        person=citizen.person, issued_on=dt.date(2010, 1, 1), expires_on=days_from_today(-3)
    )
    child_pass = HkMacaoPassFactory(person=child, expires_on=days_from_today(1000))
    return citizen, child, passport, permit, child_pass


def test_my_documents_page(client, family):
    # given
    user, _child, passport, permit, child_pass = family
    client.force_login(user)
    english(client)
    # when
    response = client.get("/documents/")
    # then
    assert response.status_code == 200
    html = response.text
    assert "<title>My documents" in html
    assert "Your documents" in html
    assert "Documents of Wang Xiaoming" in html
    assert html.index("Your documents") < html.index("Documents of Wang Xiaoming")
    # full numbers for the holder and guardian, dates, days left, status in words
    assert passport.number in html and child_pass.number in html
    assert passport.expires_on.isoformat() in html
    assert "Days left" in html and ">90<" in html
    assert "Expires soon" in html
    assert "Less than 6 months left: this document expires in 90 days." in html
    # and the warning offers the renewal, with the answers suggested
    assert (
        f'href="/appointments/new/?person={user.person_id}&amp;document=passport&amp;kind=renewal"'
        in html
    )
    assert "Renew: book an appointment" in html
    assert "Expired" in html
    assert f"/documents/{passport.pk}/report-lost/" in html
    assert f"/documents/{child_pass.pk}/report-lost/" in html
    # no report link for an expired document
    assert f"/documents/{permit.pk}/report-lost/" not in html


def test_the_page_in_chinese_shows_chinese_names(client, family):
    user, *_ = family
    client.force_login(user)
    response = client.get("/documents/")
    assert 'lang="zh-Hans"' in response.text
    assert "王小明" in response.text


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/documents/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/documents/"
    assert client.get("/documents/1/").status_code == 302
    assert client.post("/documents/1/report-lost/").status_code == 302


def test_unbound_accounts_are_asked_to_bind_their_identity(client):
    passport = PassportFactory()
    client.force_login(UnboundCitizenFactory())
    english(client)
    response = client.get("/documents/")
    assert response.status_code == 200
    assert "Bind your identity first" in response.text
    assert 'href="/accounts/identity/?next=%2Fdocuments%2F"' in response.text
    # No document number, in full or masked ("E1" alone also matched random CSRF tokens).
    assert passport.number not in response.text
    assert mask_document_number(passport.number) not in response.text
    assert "Bind your identity first" in client.get("/documents/1/").text


def test_document_page_with_mrz_and_history(client, family):
    user, _child, passport, *_ = family
    client.force_login(user)
    english(client)
    response = client.get(f"/documents/{passport.pk}/")
    assert response.status_code == 200
    html = response.text
    assert 'class="mrz"' in html
    assert 'aria-label="Machine-readable zone: 2 lines of 44 characters"' in html
    assert f"{passport.number}" in html
    assert "P&lt;CHN" in html


def test_report_lost_asks_to_confirm_it_is_you_first(
    client, family, settings, tmp_path, django_capture_on_commit_callbacks
):
    from accounts.gateways import FileGateway

    settings.VERIFICATION_OUTBOX_DIR = tmp_path / "outbox"
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.FileGateway"
    user, _child, passport, *_ = family
    client.force_login(user)
    english(client)
    # when the citizen opens the page / then a code to their phone comes first
    url = f"/documents/{passport.pk}/report-lost/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm-it-is-you/")
    step_up = response["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(step_up, {"send": "1", "next": url})
    code = FileGateway(settings.VERIFICATION_OUTBOX_DIR).latest_code(user.phone, "step_up")
    wrong = client.post(
        step_up, {"confirm": "1", "code": "000000" if code != "000000" else "111111", "next": url}
    )
    assert wrong.status_code == 200
    done = client.post(step_up, {"confirm": "1", "code": code, "next": url})
    assert done["Location"] == url
    assert client.get(url).status_code == 200


def test_report_lost_asks_for_confirmation_first(client, family, stepped_up):
    user, _child, passport, *_ = family
    client.force_login(user)
    stepped_up(client, user)
    english(client)
    # when the citizen opens the page
    page = client.get(f"/documents/{passport.pk}/report-lost/")
    # then they are asked, and nothing changed yet
    assert "Are you sure? This cannot be undone." in page.text
    assert 'name="confirm"' in page.text
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VALID
    # when they submit without ticking the box
    response = client.post(f"/documents/{passport.pk}/report-lost/", {})
    # then an error summary links to the box
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'href="#id_confirm"' in response.text
    assert "<title>Error:" in response.text
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VALID
    # when they confirm
    done = client.post(f"/documents/{passport.pk}/report-lost/", loss(), follow=True)
    # then it is reported lost at once
    assert done.redirect_chain[-1][0] == f"/documents/{passport.pk}/"
    assert "The document has been reported lost" in done.text
    assert "Reported lost" in done.text
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.REPORTED_LOST
    # and the page no longer offers it
    again = client.get(f"/documents/{passport.pk}/report-lost/")
    assert "cannot be reported lost" in again.text
    assert 'name="confirm"' not in again.text
    twice = client.post(f"/documents/{passport.pk}/report-lost/", loss())
    assert twice.status_code == 200
    assert "already been reported lost" in twice.text
    assert DocumentEvent.objects.filter(kind="reported_lost").count() == 1


def test_a_guardian_reports_a_childs_document_from_the_page(client, family, stepped_up):
    user, child, _passport, _permit, child_pass = family
    client.force_login(user)
    stepped_up(client, user)
    english(client)
    client.post(f"/documents/{child_pass.pk}/report-lost/", loss())
    event = DocumentEvent.objects.get(document=child_pass, kind="reported_lost")
    assert (event.actor_person, event.on_behalf_of) == (user.person, child)
    page = client.get(f"/documents/{child_pass.pk}/")
    assert "Document of Wang Xiaoming" in page.text
    assert "(guardian)" in page.text


def test_other_peoples_documents_are_404(client, family, stepped_up):
    _user, _child, passport, _permit, child_pass = family
    stranger = CitizenFactory()
    client.force_login(stranger)
    stepped_up(client, stranger)
    for document in (passport, child_pass):
        assert client.get(f"/documents/{document.pk}/").status_code == 404
        assert client.get(f"/documents/{document.pk}/report-lost/").status_code == 404
        response = client.post(f"/documents/{document.pk}/report-lost/", loss())
        assert response.status_code == 404
        document.refresh_from_db()
        assert document.status == DocumentStatus.VALID


def test_a_form_post_without_csrf_is_refused(family):
    user, _child, passport, *_ = family
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post(f"/documents/{passport.pk}/report-lost/", loss())
    assert response.status_code == 403
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VALID


def test_other_methods_are_refused(client, family):
    user, _child, passport, *_ = family
    client.force_login(user)
    assert client.put(f"/documents/{passport.pk}/report-lost/").status_code == 405


def test_report_lost_asks_when_where_and_how_and_keeps_it(client, family, stepped_up):
    user, _child, passport, *_ = family
    client.force_login(user)
    stepped_up(client, user)
    english(client)
    # when the citizen opens the page
    page = client.get(f"/documents/{passport.pk}/report-lost/")
    # then they are asked when, where and how it was lost
    for name in ("lost_on", "place", "how", "circumstances"):
        assert f'name="{name}"' in page.text
    # when they report it
    done = client.post(f"/documents/{passport.pk}/report-lost/", loss(), follow=True)
    # then what they said is kept with the report, and shown with the document
    report = LossReport.objects.get(event__document=passport)
    assert (report.place, report.how) == ("Shenzhen, Luohu railway station", "stolen")
    assert report.lost_on == dt.date.today() - dt.timedelta(days=2)
    assert "Shenzhen, Luohu railway station" in done.text
    # and the page offers to book the replacement, with the answers suggested
    assert "Apply for a replacement: book an appointment" in done.text
    assert (
        f"/appointments/new/?person={user.person_id}&amp;document=passport"
        "&amp;kind=replacement&amp;reason=lost"
    ) in done.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"lost_on": ""}, "lost_on", "Enter the date the document was lost."),
        ({"lost_on": "27/03/2026"}, "lost_on", "Enter the date as year-month-day"),
        ({"lost_on": "2999-01-01"}, "lost_on", "must be today or earlier"),
        ({"lost_on": "2001-01-01"}, "lost_on", "on or after its issue date"),
        ({"place": "  "}, "place", "Enter where the document was lost."),
        ({"place": "x" * 201}, "place", "200 characters or fewer"),
        ({"how": "eaten"}, "how", "Choose how the document was lost."),
        ({"circumstances": "x" * 501}, "circumstances", "500 characters or fewer"),
    ],
)
def test_report_lost_errors_are_shown_by_their_field(
    client, family, stepped_up, changes, field, message
):
    user, _child, passport, *_ = family
    client.force_login(user)
    stepped_up(client, user)
    english(client)
    # when a detail is missing or wrong
    response = client.post(f"/documents/{passport.pk}/report-lost/", loss(**changes))
    # then the page says what to fix, by the field, and nothing is reported
    assert response.status_code == 200
    assert message in response.text
    anchor = "id_how_0" if field == "how" else f"id_{field}"
    assert f'href="#{anchor}"' in response.text
    assert f'id="{field}-error"' in response.text or f'id="id_{field}-error"' in response.text
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VALID
    assert not LossReport.objects.exists()
