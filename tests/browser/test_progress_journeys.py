"""The progress lookup without signing in, and the acceptance receipt, in Chromium.

Someone with an acceptance receipt checks the application's progress from the home page: a
stranger's ID number and a number that does not exist get the same message next to the number;
bad input is explained next to its field; the applicant sees the stage, the expected date and a
masked name. A guardian downloads the receipt of their child's application from its page. Every
page passes the axe-core check.
"""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import User
from applications.tests.accepted import accepted_application
from core.masking import mask_name
from persons.idnumbers import id_number_make

from .conftest import confirm_new_device
from .test_account_journeys import (
    GUARDIAN,
    expect_error_summary,
    expect_lang,
    follow,
    form_button,
    open_page,
    submit,
    translated,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DEMO_COMMANDS = (
    ("load_demo", {}),
    ("load_demo_registry", {"persons": 20}),
    ("load_demo_accounts", {}),
)
DEMO_APPS = ("guide", "persons", "documents", "accounts")
LANGUAGES = ["zh", "en"]
STRANGER_ID = id_number_make(area="110105", birth_date=dt.date(1970, 1, 1), sequence=999)
NO_MATCH = (
    "No application matches this application number and ID number. Check both against your "
    "acceptance receipt and try again."
)


def ask(page: Page, number: str, id_number: str, status: int) -> None:
    page.locator("#id_application_number").fill(number)
    page.locator("#id_id_number").fill(id_number)
    submit(page, form_button(page), status=status)


@pytest.mark.parametrize("language", LANGUAGES)
@override_settings(
    PROGRESS_LOOKUP_RATE_PER_ADDRESS="100/60", PROGRESS_LOOKUP_RATE_PER_NUMBER="100/60"
)
def test_anyone_checks_progress_and_cannot_probe_numbers(page: Page, site: str, language: str):
    # Given an application of the guardian, under review, expected on a known day
    guardian = User.objects.get(phone=GUARDIAN.phone).person
    application = accepted_application(guardian, expected_on=dt.date(2026, 12, 18))
    missing = application.number[:6] + f"{(int(application.number[6:]) + 1) % 10**8:08d}"

    # When someone opens the lookup from the home page, without signing in
    open_page(page, site + "/")
    expect_lang(page, language)
    follow(page, page.locator("main a[href='/progress/']"))
    expect(page.locator("h1")).to_have_text(
        translated(language, "Check the progress of an application")
    )

    # Then malformed input is explained next to its field
    ask(page, "2611-25", guardian.id_number, status=422)
    message = translated(
        language,
        "An application number is 14 digits, as printed on your acceptance receipt, for "
        "example 26112512345678.",
    )
    expect_error_summary(page, language, "id_application_number", message)
    bad_check = guardian.id_number[:17] + ("1" if guardian.id_number[17] != "1" else "2")
    ask(page, application.number, bad_check, status=422)
    message = translated(language, "This ID number is not valid: check the last character.")
    expect_error_summary(page, language, "id_id_number", message)

    # And a stranger's ID number and a missing number get one and the same message
    ask(page, application.number, STRANGER_ID, status=404)
    expect_error_summary(page, language, "id_application_number", translated(language, NO_MATCH))
    wrong_person = page.locator("main").inner_text()
    ask(page, missing, guardian.id_number, status=404)
    expect_error_summary(page, language, "id_application_number", translated(language, NO_MATCH))
    assert page.locator("main").inner_text() == wrong_person
    # (the field keeps what was typed, the rest of the page is the same)
    expect(page.locator("#id_application_number")).to_have_value(missing)

    # When the applicant's own ID number is given
    ask(page, application.number, guardian.id_number, status=200)

    # Then the progress shows, with the name masked and nothing else of the person
    answer = page.locator("#progress-answer")
    name = guardian.name_zh if language == "zh" else guardian.name_pinyin
    expect(answer).to_contain_text(mask_name(name))
    expect(answer).to_contain_text("2026-12-18")
    expect(page.locator("main")).not_to_contain_text(name)
    expect(page.locator("main")).not_to_contain_text(guardian.id_number)
    expect(page.locator("h1")).to_contain_text(application.number)


@pytest.mark.parametrize("language", ["zh"])
def test_the_receipt_downloads_from_the_application_page(page: Page, site: str, language: str):
    # Given the guardian's child's application, and the guardian signed in
    guardian = User.objects.get(phone=GUARDIAN.phone).person
    child = guardian.wards.first().child
    application = accepted_application(child)
    open_page(page, site + "/accounts/login/")
    page.locator("#id_phone").fill(GUARDIAN.phone[3:])
    page.locator("#id_password").fill(GUARDIAN.password)
    submit(page, form_button(page))
    confirm_new_device(page, GUARDIAN.phone)

    # When the application page's receipt link is followed
    open_page(page, f"{site}/applications/{application.number}/")
    with page.expect_download() as download:
        page.locator(f"main a[href='/applications/{application.number}/receipt.pdf']").click()

    # Then a PDF with the number and the child's name arrives
    content = Path(download.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert application.number in text and child.name_zh in text
    assert download.value.suggested_filename == f"receipt-{application.number}.pdf"
