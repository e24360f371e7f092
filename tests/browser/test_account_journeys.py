"""Journeys through accounts, real-name binding, "My documents" and the staff pages, in Chromium.

One-time codes go through the file gateway into an outbox of the test, and the tests read them
there as a citizen reads an SMS (for the number it was sent to). The registry, the demo citizens
and the demo staff (with known TOTP secrets) are loaded once per module.

As in the guide's journeys the Chinese texts of the interface may still be untranslated, so the
tests check the structure, the addresses of links and the data in both languages, the English
words in English, and messages as Django translates them in the page's language.
"""

import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Locator, Page, expect

from accounts.gateways import outbox_latest_code
from accounts.management.commands.load_demo_accounts import DEMO_CITIZENS
from accounts.models import User
from core.masking import mask_document_number, mask_id_number
from documents.models import Document, DocumentStatus
from persons.demo import fixed
from persons.models import Person
from staff.demo import member
from staff.models import AccessAction, AccessLog
from staff.services import demo_totp_code

from .conftest import PHONE, assert_accessible, confirm_new_device, new_context

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# A phone: each page is checked by axe-core and photographed (conftest.page_shot).
VIEWPORT = PHONE

# The demo data of this module (tests/browser/conftest.py loads it once and restores it for each
# test): the halls and regions, the registry (fixed persons and a few generated ones), the demo
# citizens and the demo staff.
DEMO_COMMANDS = (
    ("load_demo", {}),
    ("load_demo_registry", {"persons": 20}),
    ("load_demo_accounts", {}),
    ("load_demo_staff", {}),
)
DEMO_APPS = ("guide", "persons", "documents", "accounts", "staff", "otp_totp")

LANGUAGES = ["zh", "en"]
HTML_LANG = {"zh": "zh-Hans", "en": "en"}
DJANGO_LANGUAGE = {"zh": "zh-hans", "en": "en"}
# A password the validators accept: unrelated words, no run, no date, not the number.
NEW_PASSWORD = "Amber-Orchard-Violin-42"
# A new mainland mobile number per test (none of them has an account in the demo data).
NEW_PHONES = {
    ("newcomer", "zh"): "13700000001",
    ("newcomer", "en"): "13700000002",
    ("bad_input", "zh"): "13700000011",
    ("bad_input", "en"): "13700000012",
}
# Unbound adults of the fixed demo registry, with a phone on file: one per language, so that the
# two runs never bind the same person (one person, one account). 王建国 is also a guardian.
UNBOUND_PERSON = {
    "zh": (fixed.LIN_ID_NUMBER, fixed.LIN_PASSPORT),
    "en": (fixed.GUARDIAN_ID_NUMBER, fixed.GUARDIAN_PASSPORT),
}
GUARDIAN = DEMO_CITIZENS[0]  # 陈建国, bound, guardian of 陈小雨
OFFICER = "officer.luohu"
SUPERVISOR = "supervisor.shenzhen"
LOOKUP_REASON = "受理申请 SZ-2026-0815：核对申请人的出入境证件信息"


# -- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path) -> None:
    """Codes go to a file outbox of this test only (the live server runs in this process)."""
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.FileGateway"
    settings.VERIFICATION_EMAIL_GATEWAY = "accounts.gateways.FileGateway"
    settings.VERIFICATION_OUTBOX_DIR = tmp_path / "outbox"


def translated(language: str, message: str, **values) -> str:
    """`message` as the site shows it in `language` (translated, or as it is if not yet)."""
    with translation.override(DJANGO_LANGUAGE[language]):
        text = gettext(message)
    return text % values if values else text


def person_name(person: Person, language: str) -> str:
    """The name as the site writes it in `language`: Chinese characters or pinyin."""
    return person.name_zh if language == "zh" else person.name_pinyin


def open_page(page: Page, url: str, status: int = 200) -> None:
    """Go to a page, check the response status and the page's accessibility."""
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url} answered {response.status}, expected {status}"
    assert_accessible(page)


def submit(page: Page, button: Locator, status: int = 200) -> None:
    """Press a form's button; the page it leads to (after redirects) answers `status`."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None
    assert response.status == status, f"{page.url} answered {response.status}, expected {status}"
    assert_accessible(page)


def follow(page: Page, link: Locator) -> None:
    """Follow a link to a page that answers 200 and is accessible."""
    submit(page, link)


def form_button(page: Page) -> Locator:
    return page.locator("main form[method=post] button[type=submit]").first


def expect_lang(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])


def expect_error_summary(
    page: Page,
    language: str,
    field_id: str,
    message: str,
    *,
    error_id: str | None = None,
    marks_invalid: bool = True,
) -> None:
    """An error summary, focused, linking to the field, which shows the same message."""
    error_id = error_id or f"{field_id}-error"
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text(translated(language, "There is a problem"))
    link = summary.locator(f"a[href='#{field_id}']")
    expect(link).to_have_text(message)
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{error_id}\b"))
    if marks_invalid:
        expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{error_id}")).to_be_visible()
    expect(page.locator(f"#{error_id}")).to_contain_text(message)
    expect(page).to_have_title(re.compile("^" + re.escape(translated(language, "Error:"))))
    if language == "en":
        expect(summary.locator("h2")).to_have_text("There is a problem")
        expect(page).to_have_title(re.compile(r"^Error: "))


def e164(national: str) -> str:
    return "+86" + national


def code_for(to: str, purpose: str) -> str:
    """The latest code of `purpose` sent to `to`, read from the outbox."""
    code = outbox_latest_code(to, purpose)
    assert code is not None, f"no {purpose} code in the outbox for {to[-4:]}"
    assert re.fullmatch(r"\d{6}", code)
    return code


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def register(page: Page, site: str, language: str, phone: str, *, code_of=None) -> None:
    """From the home page to a confirmed new account (signed in, on the identity page).

    `code_of` turns the code from the outbox into the code typed (first try only).
    """
    open_page(page, site + "/")
    expect_lang(page, language)
    follow(page, page.locator("nav.site-nav a[href='/accounts/login/']"))
    follow(page, page.locator("main a[href='/accounts/register/']"))
    expect(page.locator("h1")).to_have_text(translated(language, "Create an account"))
    if language == "en":
        expect(page.locator("h1")).to_have_text("Create an account")
        expect(page.locator("label[for=id_phone]")).to_have_text("Mobile number")
    page.locator("#id_phone").fill(phone)
    page.locator("#id_password").fill(NEW_PASSWORD)
    submit(page, form_button(page))

    # The code page says where the code went (masked), the code is in the outbox
    assert page.url.endswith("/accounts/register/confirm/")
    expect(page.locator("main .lead")).to_contain_text(phone[-4:])
    expect(page.locator("main .lead")).not_to_contain_text(phone[:7])
    code = code_for(e164(phone), "register")
    typed = code_of(code) if code_of else code
    page.locator("#id_code").fill(typed)
    submit(page, page.locator("main button[name=confirm]"))
    if typed != code:
        return
    assert page.url.endswith("/accounts/identity/")
    expect(page.locator("main [role=status]")).to_have_text(
        translated(
            language, "Your account is ready and you are signed in. Next, bind your identity."
        )
    )
    expect(page.locator("nav.site-nav a[href='/documents/']")).to_be_visible()


def document_item(page: Page, document: Document) -> Locator:
    return page.locator(f"li.document:has(#document-{document.pk})")


def check_document_item(item: Locator, document: Document) -> None:
    """A document on "My documents": its number in full, its dates."""
    expect(item.locator(".document__number")).to_have_text(document.number)
    expect(item).to_contain_text(document.issued_on.isoformat())
    expect(item.locator(f"time[datetime='{document.expires_on.isoformat()}']")).to_have_text(
        document.expires_on.isoformat()
    )


def staff_sign_in(page: Page, site: str, username: str, code: str | None = None) -> None:
    """Sign in at /staff/login/ with the demo password and the current TOTP code."""
    open_page(page, site + "/staff/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(member(username).password)
    page.locator("#id_otp_code").fill(code or current_totp_code(username))
    submit(page, form_button(page))


def current_totp_code(username: str) -> str:
    """The code a demo staff member's authenticator app shows now (one not used yet)."""
    current = demo_totp_code(username=username)
    if current.already_used or current.seconds_left < 2:
        time.sleep(current.seconds_left + 1)  # the next code, not the one used or ending
        current = demo_totp_code(username=username)
    return current.code


def wrong_totp_code(username: str) -> str:
    """A code that no step near now gives (so no tolerance of the device accepts it)."""
    device = TOTPDevice.objects.get(user__username=username)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    near = set()
    for steps in range(-3, 4):
        totp.time = time.time() + steps * device.step
        near.add(f"{totp.token():06d}")
    return next(c for c in (f"{n:06d}" for n in range(10)) if c not in near)


@pytest.fixture
def other_page(browser: Browser) -> Iterator:
    """A page in a second browser profile (Chinese), to be someone else at the same time."""
    pages = []

    def open_other(language: str = "zh") -> Page:
        context = new_context(browser, language, viewport=PHONE)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        pages.append((context, errors))
        return page

    yield open_other
    for context, errors in pages:
        context.close()
        assert not errors, f"JavaScript errors on the page: {errors}"


# -- 1. a newcomer registers, binds their identity, sees and reports a document lost -------


@pytest.mark.parametrize("language", LANGUAGES)
def test_newcomer_registers_binds_and_reports_a_document_lost(page: Page, site: str, language: str):
    id_number, lost_number = UNBOUND_PERSON[language]
    person = Person.objects.get(id_number=id_number)
    assert not User.objects.filter(person=person).exists()
    phone = NEW_PHONES[("newcomer", language)]

    # Given a newcomer who registers with a new mobile number and a strong password, and types
    # the code sent to that number: they are signed in and asked to bind their identity
    register(page, site, language, phone)
    user = User.objects.get(phone=e164(phone))
    assert user.person_id is None
    if language == "en":
        expect(page.locator("h1")).to_have_text("Bind your identity")

    # When they give the name and ID number of their registry entry
    page.locator("#id_name").fill(person.name_zh)
    page.locator("#id_id_number").fill(person.id_number)
    submit(page, form_button(page))

    # Then the code goes to the registry's phone on file for the person, not to the account's
    assert page.url.endswith("/accounts/identity/confirm/")
    phone_on_file = person.phone_on_file
    assert phone_on_file != e164(phone)
    expect(page.locator("main .lead")).to_contain_text(phone_on_file[-4:])
    assert outbox_latest_code(e164(phone), "bind_identity") is None
    code = code_for(phone_on_file, "bind_identity")

    # When they type that code, then the account is bound to the person
    page.locator("#id_code").fill(code)
    submit(page, page.locator("main button[name=confirm]"))
    assert page.url.endswith("/accounts/")
    expect(page.locator("main [role=status]")).to_have_text(
        translated(language, "Your account is now bound to your identity.")
    )
    expect(page.locator("main .tag--green")).to_have_text(translated(language, "Bound"))
    expect(page.locator("main .summary-list")).to_contain_text(person_name(person, language))
    user.refresh_from_db()
    assert user.person_id == person.pk

    # When they open "My documents", then they see each of the person's documents, with the
    # full number and the expiry date
    follow(page, page.locator("nav.site-nav a[href='/documents/']"))
    expect_lang(page, language)
    expect(page.locator("h1")).to_have_text(translated(language, "My documents"))
    own = page.locator(f"section:has(h2#person-{person.pk})")
    expect(own.locator("h2")).to_have_text(translated(language, "Your documents"))
    documents = list(Document.objects.filter(person=person))
    assert documents
    expect(own.locator("li.document")).to_have_count(len(documents))
    for document in documents:
        check_document_item(document_item(page, document), document)
    if language == "en":
        expect(page.locator("h1")).to_have_text("My documents")
        expect(own.locator("h2")).to_have_text("Your documents")
        # 王建国 is the guardian of 王小明: the child's documents follow, under the child's name
        child = Person.objects.get(id_number=fixed.CHILD_ID_NUMBER)
        expect(page.locator(f"h2#person-{child.pk}")).to_have_text(
            f"Documents of {child.name_pinyin}"
        )

    # When they report a valid passport lost: first the confirmation step
    lost = Document.objects.get(number=lost_number)
    item = document_item(page, lost)
    expect(item.locator(".tag--green")).to_have_text(translated(language, "Valid"))
    follow(page, item.locator(f"a[href='/documents/{lost.pk}/report-lost/']"))
    # a code to their own phone comes first ("Confirm it is you"), then back to the page
    expect(page.locator("h1")).to_have_text(translated(language, "Confirm it is you"))
    submit(page, page.locator("main button[name=send]"))
    page.locator("#id_code").fill(code_for(e164(phone), "step_up"))
    submit(page, page.locator("main button[name=confirm]"))
    expect(page.locator("h1")).to_have_text(translated(language, "Report a document lost"))
    expect(page.locator("main .document__number")).to_have_text(lost.number)
    if language == "en":
        expect(page.locator("main .inset--warning")).to_contain_text(
            "Are you sure? This cannot be undone."
        )

    # ... and without ticking the box they are asked to confirm; nothing is reported yet
    submit(page, form_button(page))
    expect_error_summary(
        page,
        language,
        "id_confirm",
        translated(language, "Confirm that you understand the document can no longer be used."),
        error_id="confirm-error",
    )
    lost.refresh_from_db()
    assert lost.status == DocumentStatus.VALID

    # When they say when, where and how it was lost, tick the box and confirm
    page.locator("#id_lost_on").fill((timezone.localdate() - dt.timedelta(days=2)).isoformat())
    page.locator("#id_place").fill("深圳罗湖火车站" if language == "zh" else "Luohu station")
    page.locator("input[name='how'][value='stolen']").check()
    page.locator("#id_confirm").check()
    submit(page, form_button(page))

    # Then the document's page says it is reported lost, at once
    assert page.url.endswith(f"/documents/{lost.pk}/")
    expect(page.locator("main [role=status]")).to_have_text(
        translated(language, "The document has been reported lost. It can no longer be used.")
    )
    expect(page.locator("main .tag--red")).to_have_text(translated(language, "Reported lost"))
    expect(page.locator("main a[href$='/report-lost/']")).to_have_count(0)
    lost.refresh_from_db()
    assert lost.status == DocumentStatus.REPORTED_LOST
    # what they said is kept with the report and shown, with the way to book the replacement
    expect(page.locator("main .loss-report")).to_contain_text(
        "深圳罗湖火车站" if language == "zh" else "Luohu station"
    )
    replacement = page.locator("main a[href*='kind=replacement']")
    expect(replacement).to_have_text(
        translated(language, "Apply for a replacement: book an appointment")
    )
    if language == "en":
        expect(page.locator("main .tag--red")).to_have_text("Reported lost")
        expect(page.locator("main")).to_contain_text("This document was reported lost.")

    # And "My documents" shows it reported lost, with no way to report it again
    follow(page, page.locator("nav.breadcrumbs a[href='/documents/']"))
    item = document_item(page, lost)
    expect(item.locator(".tag--red")).to_have_text(translated(language, "Reported lost"))
    expect(item.locator("a[href$='/report-lost/']")).to_have_count(0)
    expect(item.locator(".document__number")).to_have_text(lost.number)


# -- 2. a guardian sees their child's documents ---------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_guardian_sees_the_childs_documents(page: Page, site: str, language: str):
    guardian = Person.objects.get(id_number=fixed.CHEN_ID_NUMBER)
    child = Person.objects.get(id_number=fixed.CHEN_CHILD_ID_NUMBER)
    child_name = person_name(child, language)

    # Given a demo citizen bound to 陈建国, the registered guardian of 陈小雨, who signs in
    open_page(page, site + "/accounts/login/")
    expect_lang(page, language)
    page.locator("#id_phone").fill(GUARDIAN.phone[3:])
    page.locator("#id_password").fill(GUARDIAN.password)
    submit(page, form_button(page))
    confirm_new_device(page, GUARDIAN.phone)
    assert page.url.endswith("/accounts/")

    # Then their account lists the child they can act for, with the ID number masked
    acting = page.locator("main table.table").first
    expect(acting).to_contain_text(child_name)
    expect(acting).to_contain_text(mask_id_number(child.id_number))
    expect(page.locator("main")).not_to_contain_text(child.id_number)

    # When they open "My documents"
    follow(page, page.locator("nav.site-nav a[href='/documents/']"))
    expect(page.locator("nav.site-nav a[href='/documents/']")).to_have_attribute(
        "aria-current", "page"
    )

    # Then their own documents come first, then the child's, under the child's name
    headings = page.locator("main section > h2")
    expect(headings).to_have_count(2)
    expect(headings.nth(0)).to_have_attribute("id", f"person-{guardian.pk}")
    expect(headings.nth(1)).to_have_attribute("id", f"person-{child.pk}")
    expect(headings.nth(1)).to_contain_text(child_name)
    section = page.locator(f"section:has(h2#person-{child.pk})")
    documents = list(Document.objects.filter(person=child))
    assert documents
    expect(section.locator("li.document")).to_have_count(len(documents))
    for document in documents:
        check_document_item(document_item(page, document), document)
    # The guardian's passport expires in under 6 months: a warning
    passport = Document.objects.get(number=fixed.CHEN_PASSPORT)
    expect(document_item(page, passport).locator(".inset--warning")).to_be_visible()
    if language == "en":
        expect(headings.nth(0)).to_have_text("Your documents")
        expect(headings.nth(1)).to_have_text(f"Documents of {child.name_pinyin}")
        expect(section.locator(".hint")).to_have_text(
            "You act for this minor as their guardian. What you do here is recorded as done by you."
        )
        expect(document_item(page, passport).locator(".inset--warning")).to_contain_text(
            "Less than 6 months left"
        )

    # When they open the child's document, then it is the child's, with its number in full
    document = documents[0]
    follow(page, document_item(page, document).locator(f"h3 a[href='/documents/{document.pk}/']"))
    expect(page.locator("main .caption")).to_contain_text(child_name)
    expect(page.locator("main .document__number")).to_have_text(document.number)
    expect(page.locator("main pre.mrz")).to_be_visible()


# -- 3. an officer looks a person up; the supervisor sees it in the access log ---------------


def test_officer_lookup_is_in_the_supervisors_access_log(page: Page, site: str, other_page):
    person = Person.objects.get(id_number=fixed.CHEN_ID_NUMBER)
    documents = list(Document.objects.filter(person=person))

    # Given an officer who signs in with username, password and the current TOTP code
    staff_sign_in(page, site, OFFICER)
    assert page.url.endswith("/staff/")
    expect(page.locator("nav.staff-nav")).to_contain_text(OFFICER)

    # When they look a person up by ID number, with a reason
    follow(page, page.locator("nav.staff-nav a[href='/staff/persons/lookup/']"))
    page.locator("#id_id_number").fill(person.id_number)
    page.locator("#id_reason").fill(LOOKUP_REASON)
    submit(page, form_button(page))

    # Then they see the person's page, numbers masked, and the reason they gave
    assert page.url.endswith(f"/staff/persons/{person.pk}/")
    expect(page.locator("h1")).to_contain_text(person.name_zh)
    main = page.locator("main")
    expect(main).to_contain_text(mask_id_number(person.id_number))
    expect(main).not_to_contain_text(person.id_number)
    expect(main.locator("[data-full-id-number]")).to_have_count(0)
    expect(main.locator(".inset")).to_contain_text(LOOKUP_REASON)
    assert documents
    for document in documents:
        expect(main).to_contain_text(mask_document_number(document.number))
        expect(main).not_to_contain_text(document.number)
    logged = AccessLog.objects.filter(staff__username=OFFICER, person=person)
    assert set(logged.values_list("action", flat=True)) == {
        AccessAction.LOOKUP,
        AccessAction.VIEW_PERSON,
    }

    # When the supervisor signs in, in their own browser, and opens the access log
    supervisor = other_page("zh")
    staff_sign_in(supervisor, site, SUPERVISOR)
    assert supervisor.url.endswith("/staff/")
    follow(supervisor, supervisor.locator("nav.staff-nav a[href='/staff/access-log/']"))

    # Then the officer's lookup and view are there: who, whom (masked), why
    rows = supervisor.locator("main table.table tbody tr").filter(has_text=OFFICER)
    expect(rows).to_have_count(2)
    for index in range(2):
        expect(rows.nth(index)).to_contain_text(LOOKUP_REASON)
        expect(rows.nth(index)).to_contain_text(person.name_zh)
        expect(rows.nth(index)).to_contain_text(mask_id_number(person.id_number))
    expect(supervisor.locator("main")).not_to_contain_text(person.id_number)


# -- 4. bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_input_shows_errors_not_a_crash(page: Page, site: str, language: str):
    phone = NEW_PHONES[("bad_input", language)]

    # Given a newcomer who types a wrong one-time code
    register(page, site, language, phone, code_of=wrong_code)

    # Then the code page shows an error summary (not a server error) and they can try again
    assert page.url.endswith("/accounts/register/confirm/")
    with translation.override(DJANGO_LANGUAGE[language]):
        left = ngettext(
            "This code is not right. You can try %(count)d more time.",
            "This code is not right. You can try %(count)d more times.",
            4,
        ) % {"count": 4}
    expect_error_summary(page, language, "id_code", left)
    assert not User.objects.filter(phone=e164(phone)).exists()

    # When they type the right code, then they are signed in
    page.locator("#id_code").fill(code_for(e164(phone), "register"))
    submit(page, page.locator("main button[name=confirm]"))
    assert page.url.endswith("/accounts/identity/")

    # When they bind with an ID number whose check character is wrong
    id_number = fixed.LIN_ID_NUMBER
    bad_check = "X" if id_number[-1] != "X" else "0"
    page.locator("#id_name").fill(fixed.LIN_NAME)
    page.locator("#id_id_number").fill(id_number[:17] + bad_check)
    submit(page, form_button(page))

    # Then they read why, by the field; no code is sent
    assert page.url.endswith("/accounts/identity/")
    expect_error_summary(
        page,
        language,
        "id_id_number",
        translated(language, "This ID number is not valid: check the last character."),
    )
    if language == "en":
        expect(page.locator("#id_id_number-error")).to_contain_text("check the last character")
    assert outbox_latest_code(fixed.LIN_PHONE, "bind_identity") is None

    # When an officer signs in to the staff pages with a wrong TOTP code
    staff_sign_in(page, site, OFFICER, code=wrong_totp_code(OFFICER))

    # Then the sign-in is refused with the one message every refusal gets (it does not tell a
    # right password from a wrong one), in the error summary, focused
    assert page.url.endswith("/staff/login/")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        translated(
            language,
            "The username, password or code is not right. Enter the 6-digit code your "
            "authenticator app shows now; each code works only once.",
        )
    )
    expect(page.locator("nav.staff-nav")).to_have_count(0)
    open_page(page, site + "/staff/access-log/")
    assert "/staff/login/" in page.url


# -- 4. on a phone: names stay whole, tags do not wrap; staff get the staff navigation -------


def _lines_of(page: Page, selector: str) -> list[tuple[int, int]]:
    """How many lines each element's text takes (a Range over its text), and its words."""
    return page.eval_on_selector_all(
        selector,
        r"""els => els.map(el => {
            const range = document.createRange();
            range.selectNodeContents(el);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return [tops.size, el.textContent.trim().split(/\s+/).length];
        })""",
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_phone_names_stay_whole_and_tags_do_not_wrap(page: Page, site: str, language: str):
    # Given the guardian, signed in on a 390-pixel-wide phone
    open_page(page, site + "/accounts/login/")
    page.locator("#id_phone").fill(GUARDIAN.phone[3:])
    page.locator("#id_password").fill(GUARDIAN.password)
    submit(page, form_button(page))
    confirm_new_device(page, GUARDIAN.phone)
    assert page.viewport_size == PHONE

    # When they open their account, with the table of the persons they act for
    open_page(page, site + "/accounts/")

    # Then no name breaks inside a word (陈建国, not 陈建/国), and the "Demo" tag is one line
    names = _lines_of(page, "main table td:first-child")
    assert names and all(lines <= words for lines, words in names), names
    assert [lines for lines, _words in _lines_of(page, ".phase-banner .tag")] == [1]


def test_staff_see_the_staff_navigation_only(page: Page, site: str):
    # Given the hall officer, signed in to the staff pages
    staff_sign_in(page, site, OFFICER)

    # When they open the public home page and "Your account"
    open_page(page, site + "/")

    # Then the main navigation leads to the staff pages only
    nav = page.locator("nav.site-nav")
    expect(nav.locator("a[href='/staff/']")).to_have_count(1)
    for citizen_page in ("/documents/", "/appointments/", "/applications/", "/accounts/"):
        expect(nav.locator(f"a[href='{citizen_page}']")).to_have_count(0)
    open_page(page, site + "/accounts/")
    assert page.url.endswith("/staff/")
    expect(page.locator("main")).not_to_contain_text("Bind your identity")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_citizen_sees_and_forgets_this_browser(page: Page, site: str, language: str):
    # Given the guardian, signed in on this browser after the new-device code
    open_page(page, site + "/accounts/login/")
    page.locator("#id_phone").fill(GUARDIAN.phone[3:])
    page.locator("#id_password").fill(GUARDIAN.password)
    submit(page, form_button(page))
    confirm_new_device(page, GUARDIAN.phone)

    # When they open their devices page
    open_page(page, site + "/accounts/devices/")

    # Then this browser is listed, labelled coarsely, with a button to forget it
    row = page.locator("main table tr", has_text=translated(language, "This browser"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Chrome")
    forget = row.locator("button[type=submit]")

    # And when they forget it, it is gone and the page is still accessible
    submit(page, forget)
    assert page.url.endswith("/accounts/devices/")
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text(
        translated(language, "No device is remembered: a code will be asked on every new sign-in.")
    )
