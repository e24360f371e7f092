"""Journeys through an application after the hall accepted it, in Chromium: the reviewer of
Shenzhen reviews and approves, sends it to production with others in bulk and records it
produced (the new passport is issued into the registry); the Luohu hall's officer makes it
ready and hands it over with the identity checked; a second application, the citizen's child's,
is mailed with a tracking number. The citizen watches the timeline, the expected date and the
next step change, and is told of each step: every message arrives through the test gateway
(the development outbox) in the language the citizen chose on the account page, once in English
and once in Chinese. Every page passes the axe-core check.
"""

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from accounts.models import User
from applications.messages import _SUBJECTS
from applications.models import Application
from applications.services import application_accept
from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory, SlotFactory
from documents.models import Document, DocumentStatus
from guide.models import Hall, Service
from notifications.models import Notification
from persons.selectors import minors_of

from .test_account_journeys import (
    GUARDIAN,
    OFFICER,
    follow,
    open_page,
    other_page,  # noqa: F401 (a fixture)
    staff_sign_in,
    submit,
    translated,
)
from .test_appointment_journeys import LUOHU_HALL, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DEMO_COMMANDS = (
    ("load_demo", {}),
    ("load_demo_registry", {"persons": 20}),
    ("load_demo_accounts", {}),
    ("load_demo_staff", {}),
)
DEMO_APPS = ("guide", "persons", "documents", "accounts", "staff", "otp_totp")
REVIEWER = "reviewer.shenzhen"


def accepted_at_luohu(person, *, booked_by, document_type: str, details: dict) -> Application:
    """An application the Luohu hall accepted a moment ago (the reception is tested elsewhere)."""
    hall = Hall.objects.get(code=LUOHU_HALL)
    service = Service.objects.get(
        code="passport" if document_type == "passport" else "hk-macao-pass"
    )
    starts = (timezone.now() - dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
    slot = SlotFactory(hall=hall, service=service, starts_at=starts, date=starts.date(), booked=1)
    appointment = AppointmentFactory(
        person=person,
        booked_by=booked_by,
        document_type=document_type,
        kind="first" if document_type != "passport" else "renewal",
        slot=slot,
        status=AppointmentStatus.CHECKED_IN,
        details={"contact_phone": "+8613800000001", **details},
    )
    officer = User.objects.get(username=OFFICER)
    return application_accept(appointment=appointment, officer=officer, fee_amount=Decimal(120))


def staff_click(page: Page, action: str) -> None:
    submit(page, page.locator(f"main button[data-action='{action}']"))


MESSAGE_LANGUAGE = {"en": "en", "zh": "zh-hans"}


def delivered(notification: Notification, timeout: float = 15.0) -> dict:
    """The message as the test gateway received it (the relay sends after commit, in the
    background): the outbox file named by the message's own key."""
    path = settings.VERIFICATION_OUTBOX_DIR / f"message-{notification.pk}.json"
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{notification.kind} never reached the gateway"
        time.sleep(0.2)
    return json.loads(path.read_text("utf-8"))


def choose_message_language(phone: Page, site: str, language: str) -> None:
    """On the account page: "Language of your messages"."""
    open_page(phone, site + "/accounts/")
    phone.locator(f"#language-{MESSAGE_LANGUAGE[language]}").check()
    submit(phone, phone.locator("main form[action='/accounts/language/'] button"))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_review_production_collection_and_mail_with_the_citizen_watching(
    page: Page,
    site: str,
    language: str,
    other_page,  # noqa: F811 (the fixture imported above)
):
    # Given the demo citizen, signed in on his phone, who chose the language of his messages
    citizen = User.objects.get(phone=GUARDIAN.phone)
    phone = other_page(language)
    sign_in(phone, site, language)
    choose_message_language(phone, site, language)
    citizen.refresh_from_db()
    assert citizen.language == MESSAGE_LANGUAGE[language]
    # and his passport renewal accepted at Luohu (collect at the hall) and his child's Hong Kong
    # and Macao pass (delivery by mail)
    child = minors_of(person=citizen.person).first()
    mine = accepted_at_luohu(
        citizen.person, booked_by=citizen, document_type="passport", details={}
    )
    childs = accepted_at_luohu(
        child,
        booked_by=citizen,
        document_type="hk_macao_pass",
        details={"delivery": "mail", "delivery_address": "广东省深圳市罗湖区人民南路1号 陈建国"},
    )
    old = Document.objects.filter(
        person=citizen.person, type="passport", status=DocumentStatus.VALID
    ).first()

    # When the citizen opens his application: the stage and the expected date
    open_page(phone, site + f"/applications/{mine.number}/")
    expect(phone.locator("#outlook")).to_contain_text(translated(language, "Review"))
    expect(phone.locator("#outlook")).to_contain_text(mine.expected_on.isoformat())

    # And the Shenzhen reviewer works through the queue: review, approve (both applications)
    staff_sign_in(page, site, REVIEWER)
    follow(page, page.locator("nav a[href='/staff/applications/']"))
    expect(page.locator("#queue")).to_contain_text(mine.number)
    expect(page.locator("#queue")).not_to_contain_text(citizen.person.id_number)
    for application in (mine, childs):
        follow(page, page.locator(f"#queue a[href='/staff/applications/{application.number}/']"))
        staff_click(page, "start_review")
        staff_click(page, "approve")
        expect(page.locator("#status")).to_contain_text(translated(language, "Approved"))
        follow(page, page.locator("nav a[href='/staff/applications/']"))
    # (the citizen sees the approval and the new expected date)
    phone.reload()
    expect(phone.locator("#outlook")).to_contain_text(translated(language, "Production"))

    # And sends both to production at once, then records each produced
    page.locator(f"#p-{mine.number}").check()
    page.locator(f"#p-{childs.number}").check()
    submit(page, page.locator("main form[action='/staff/applications/production/'] button"))
    for application in (mine, childs):
        open_page(page, site + f"/staff/applications/{application.number}/")
        staff_click(page, "produce")
    mine.refresh_from_db()
    assert mine.issued_document.status == DocumentStatus.VALID
    if old is not None:
        old.refresh_from_db()
        assert old.status == DocumentStatus.INVALIDATED
    # the mailed one: carrier and tracking number
    open_page(page, site + f"/staff/applications/{childs.number}/")
    page.locator("#mail-carrier").fill("EMS")
    page.locator("#mail-tracking").fill("EA123456789CN")
    staff_click(page, "mail")

    # Then the hall's officer makes the passport ready and hands it over, identity checked
    hall = other_page("zh")
    staff_sign_in(hall, site, OFFICER)
    open_page(hall, site + f"/staff/applications/{mine.number}/")
    staff_click(hall, "ready")
    phone.reload()
    expect(phone.locator("#outlook")).to_contain_text(translated(language, "Ready for collection"))
    open_page(hall, site + f"/staff/applications/{mine.number}/")
    hall.locator("#hand-id").fill(citizen.person.id_number)
    hall.locator("#hand-old").fill(old.number if old else "")
    staff_click(hall, "hand_over")
    expect(hall.locator("#status")).to_contain_text("已领取")

    # And the citizen watched each step: collected, and the child's mailed with tracking
    phone.reload()
    expect(phone.locator("main .timeline")).to_contain_text(
        translated(language, "Your document was handed over at the hall.")
    )
    open_page(phone, site + f"/applications/{childs.number}/")
    expect(phone.locator("#outlook")).to_contain_text("EA123456789CN")
    expect(phone.locator("main .timeline")).to_contain_text(
        translated(
            language,
            "Your document was mailed by %(carrier)s, tracking number %(tracking)s.",
            carrier="EMS",
            tracking="EA123456789CN",
        )
    )
    # "My documents" shows the new passport at once
    open_page(phone, site + "/documents/")
    expect(phone.locator("main")).to_contain_text(mine.issued_document.number[-4:])
    # and he received a message for each step through the gateway, in his language
    expected = {
        mine.number: [
            "application_accepted",
            "application_approved",
            "application_in_production",
            "application_ready",
            "application_collected",
        ],
        childs.number: [
            "application_accepted",
            "application_approved",
            "application_in_production",
            "application_mailed",
        ],
    }
    for number, kinds in expected.items():
        notifications = list(
            Notification.objects.filter(user=citizen, reference=f"application:{number}").order_by(
                "id"
            )
        )
        assert [n.kind for n in notifications] == kinds
        for notification in notifications:
            sent = delivered(notification)
            assert sent["to"] == GUARDIAN.phone and sent["key"] == str(notification.pk)
            assert sent["language"] == MESSAGE_LANGUAGE[language], sent
            with translation.override(MESSAGE_LANGUAGE[language]):
                assert sent["subject"] == str(_SUBJECTS[notification.kind]()), sent
            assert number in sent["text"]
    mailed = delivered(Notification.objects.get(user=citizen, kind="application_mailed"))
    assert "EA123456789CN" in mailed["text"]
    assert ("tracking number" if language == "en" else "运单号") in mailed["text"]
    ready = delivered(Notification.objects.get(user=citizen, kind="application_ready"))
    assert ("Bring your acceptance receipt" if language == "en" else "受理回执") in ready["text"]
