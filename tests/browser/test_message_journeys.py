"""Messages in Chromium: a message queued by a service is delivered at once in the embedded mode
(the relay runs in-process after commit and the file gateway writes it), the citizen reads it in
their inbox, marks it read, and chooses how messages reach them. Every page passes axe-core."""

import json
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from accounts.management.commands.load_demo_accounts import DEMO_CITIZENS
from accounts.models import User
from notifications.models import Notification
from notifications.services import notification_queue

from .conftest import assert_accessible, confirm_new_device

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DEMO_COMMANDS = (
    ("load_demo", {}),
    ("load_demo_registry", {"persons": 5}),
    ("load_demo_accounts", {}),
)
DEMO_APPS = ("guide", "persons", "documents", "accounts")
CITIZEN = DEMO_CITIZENS[0]
DJANGO_LANGUAGE = {"zh": "zh-hans", "en": "en"}


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path) -> None:
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.FileGateway"
    settings.VERIFICATION_OUTBOX_DIR = tmp_path / "outbox"


def go(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, url
    assert_accessible(page)


def submit(page: Page, button, status: int = 200) -> None:
    with page.expect_navigation() as navigation:
        button.click()
    assert navigation.value is not None and navigation.value.status == status, page.url
    assert_accessible(page)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_message_arrives_and_is_read_in_the_inbox(page: Page, site: str, language: str, settings):
    # given a citizen signed in
    go(page, site + "/accounts/login/")
    page.locator("#id_phone").fill(CITIZEN.phone[3:])
    page.locator("#id_password").fill(CITIZEN.password)
    submit(page, page.locator("main form[method=post] button[type=submit]").first)
    confirm_new_device(page, CITIZEN.phone)
    user = User.objects.get(phone=CITIZEN.phone)

    # when a service tells them something (its transaction commits: the relay runs in-process)
    with translation.override(DJANGO_LANGUAGE[language]):
        subject = gettext("Appointment booked")
        message = notification_queue(
            user=user,
            kind="appointment_booked",
            subject=subject,
            text=f"{subject}: 1234-5678-9012",
            reference="appointment:123456789012",
        )

    # then it was delivered through the development gateway at once, with its key
    message.refresh_from_db()
    assert message.status == Notification.Status.SENT
    sent = json.loads(
        (settings.VERIFICATION_OUTBOX_DIR / f"message-{message.pk}.json").read_text("utf-8")
    )
    assert (sent["to"], sent["key"]) == (CITIZEN.phone, str(message.pk))

    # and the account page shows one unread message, the inbox shows it
    go(page, site + "/accounts/")
    link = page.locator("main a[href='/accounts/messages/']")
    expect(link).to_be_visible()
    submit(page, link)
    entry = page.locator(".message--unread")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("1234-5678-9012")

    # when they mark it read, it is no longer unread
    submit(page, entry.locator("button[type=submit]"))
    expect(page.locator(".message--unread")).to_have_count(0)
    expect(page.locator(".message")).to_contain_text("1234-5678-9012")

    # when they choose email without a confirmed address, the page says what to do
    submit(page, page.locator("main a[href='/accounts/messages/preferences/']"))
    page.locator("#kind-appointment_reminder-both").check()
    submit(page, page.locator("main form[method=post] button[type=submit]"), status=422)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#kind-appointment_reminder-sms']")).to_be_visible()
    fieldset = page.locator("fieldset[aria-describedby='kind-appointment_reminder-error']")
    expect(fieldset).to_have_count(1)
    expect(page).to_have_title(re.compile(r"^\S"))

    # and text message stays chosen once saved
    page.locator("#kind-appointment_reminder-sms").check()
    submit(page, page.locator("main form[method=post] button[type=submit]"))
    expect(page.locator("#kind-appointment_reminder-sms")).to_be_checked()
