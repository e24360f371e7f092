"""The language of an account's messages: set at registration, changed on the account page,
through the API or the site's language switcher; every message is written in it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from accounts.models import User
from accounts.services.language import user_language_set
from appointments.models import AppointmentStatus
from appointments.services import appointment_book, appointment_transition
from appointments.tests.factories import AppointmentFactory, SlotFactory
from documents.tests.factories import CitizenFactory, PassportFactory
from notifications.models import Notification
from persons.tests.factories import GuardianshipFactory, MinorFactory
from staff.tests.factories import StaffUserFactory

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def api(client, method, path, data=None, **headers):
    call = getattr(client, method)
    return call(f"/api/v1/{path}", data or {}, content_type=JSON, headers=headers)


# --- where the language comes from ------------------------------------------------------------


@pytest.mark.parametrize(("site", "expected"), [("en", "en"), ("zh-hans", "zh-hans")])
def test_registration_takes_the_language_of_the_site(client, committed, outbox, site, expected):
    # given someone registering on the site in one language
    with committed():
        sent = api(
            client,
            "post",
            "auth/otp",
            {"purpose": "register", "phone": "13912345678"},
            accept_language=site,
        )
    assert sent.status_code == 202
    code = outbox.latest_code("+8613912345678")
    # when
    created = api(
        client,
        "post",
        "auth/register",
        {"phone": "13912345678", "password": PASSWORD, "code": code},
        accept_language=site,
    )
    # then the account writes in that language
    assert created.status_code == 201, created.content
    assert created.json()["language"] == expected
    assert User.objects.get(phone="+8613912345678").language == expected


def test_a_new_account_writes_in_chinese_by_default():
    assert UserFactory().language == "zh-hans"


def test_the_database_refuses_an_unknown_language():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(language="fr")


def test_the_api_changes_the_language(client, citizen):
    client.force_login(citizen)
    # when
    changed = api(client, "patch", "me", {"language": "en"})
    # then
    assert changed.status_code == 200, changed.content
    assert changed.json()["language"] == "en"
    assert client.get("/api/v1/me").json()["language"] == "en"
    citizen.refresh_from_db()
    assert citizen.language == "en"


@pytest.mark.parametrize("body", [{"language": "fr"}, {"language": ""}, {}, {"language": 3}])
def test_the_api_refuses_a_language_it_does_not_write(client, citizen, body):
    client.force_login(citizen)
    refused = api(client, "patch", "me", body)
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
    citizen.refresh_from_db()
    assert citizen.language == "zh-hans"


def test_the_api_needs_a_signed_in_citizen(client):
    assert api(client, "patch", "me", {"language": "en"}).status_code == 401


def test_the_account_page_changes_the_language(client, citizen):
    client.force_login(citizen)
    page = client.get("/accounts/")
    assert 'name="language" value="zh-hans"' in page.content.decode()
    # when
    response = client.post("/accounts/language/", {"language": "en"})
    # then
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.language == "en"
    # and an unknown language is refused with a message, nothing changed
    client.post("/accounts/language/", {"language": "xx"})
    citizen.refresh_from_db()
    assert citizen.language == "en"


def test_switching_the_site_language_while_signed_in_changes_the_messages_language(client, citizen):
    client.force_login(citizen)
    # when
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # then the site and the account's messages are in English
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.language == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    citizen.refresh_from_db()
    assert citizen.language == "zh-hans"


def test_switching_the_site_language_signed_out_still_works(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["exitentry_language"].value == "en"


# --- every message is written in it -----------------------------------------------------------


def test_a_step_up_code_is_written_in_the_accounts_language(client, committed, outbox):
    # given an English-reading account using the site in Chinese
    user = UserFactory(language="en")
    client.force_login(user)
    # when
    with committed():
        sent = api(client, "post", "me/step-up", accept_language="zh-hans")
    # then
    assert sent.status_code == 202, sent.content
    message = outbox.messages(user.phone)[-1]
    assert message["language"] == "en"
    assert "Your code to confirm" in message["text"]


def test_an_appointment_message_is_written_in_the_bookers_language():
    # given an English-reading citizen booking while the site is in Chinese
    user = CitizenFactory(language="en")
    PassportFactory(person=user.person)
    slot = SlotFactory(capacity=2)
    # when
    with translation.override("zh-hans"):
        appointment_book(
            user=user, document_type="passport", kind="renewal", details={}, slot_id=slot.pk
        )
    # then
    booked = Notification.objects.get(kind="appointment_booked")
    assert booked.language == "en"
    assert booked.subject == "Appointment booked"


def test_a_minors_messages_go_to_the_account_holder_in_the_holders_language():
    from applications import services as applications

    # given a guardian reading English who booked for a child
    guardian = CitizenFactory(language="en")
    child = MinorFactory()
    GuardianshipFactory(guardian=guardian.person, child=child)
    appointment = AppointmentFactory(person=child, booked_by=guardian)
    appointment_transition(appointment=appointment, to=AppointmentStatus.CHECKED_IN)
    # when the hall accepts the child's application (the officer works in Chinese)
    with translation.override("zh-hans"):
        applications.application_accept(
            appointment=appointment, officer=StaffUserFactory(), fee_amount=Decimal("120.00")
        )
    # then the holder is told, in English
    accepted = Notification.objects.get(kind="application_accepted")
    assert accepted.user == guardian
    assert accepted.language == "en"
    assert accepted.subject == "Application accepted"
    assert "was accepted at" in accepted.text


def test_a_chinese_reader_is_written_to_in_chinese_whatever_the_site_language():
    from applications import services as applications

    user = CitizenFactory(language="zh-hans")
    appointment = AppointmentFactory(person=user.person, booked_by=user)
    appointment_transition(appointment=appointment, to=AppointmentStatus.CHECKED_IN)
    with translation.override("en"):
        applications.application_accept(
            appointment=appointment, officer=StaffUserFactory(), fee_amount=Decimal("120.00")
        )
    accepted = Notification.objects.get(kind="application_accepted")
    assert accepted.language == "zh-hans"
    assert "受理" in accepted.subject


def test_the_service_refuses_an_unknown_language():
    from core.errors import Problem

    with pytest.raises(Problem):
        user_language_set(user=UserFactory(), language="de")


def test_a_staff_switch_of_the_site_language_leaves_no_citizen_setting(client):
    officer = StaffUserFactory()
    client.force_login(officer)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    officer.refresh_from_db()
    assert officer.language == "zh-hans"
    assert Client().get("/").status_code == 200


def test_a_minors_walk_in_is_told_to_a_guardians_account_in_its_language():
    from applications import services as applications

    # given a child who came to the hall without a booking, and a guardian with an account
    guardian = CitizenFactory(language="en")
    child = MinorFactory()
    GuardianshipFactory(guardian=guardian.person, child=child)
    appointment = AppointmentFactory(person=child, booked_by=None)
    appointment_transition(appointment=appointment, to=AppointmentStatus.CHECKED_IN)
    # when the hall accepts the child's application
    applications.application_accept(
        appointment=appointment, officer=StaffUserFactory(), fee_amount=Decimal("120.00")
    )
    # then the guardian's account is told, in its language
    accepted = Notification.objects.get(kind="application_accepted")
    assert (accepted.user, accepted.language) == (guardian, "en")
