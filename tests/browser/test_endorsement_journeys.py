"""Journeys of service 1, travel endorsements, in Chromium: a Shenzhen resident applies for an
individual-travel (G) Hong Kong endorsement and it is approved at once; a resident of Xi'an
(not a listed city) applies too, an officer sees the failed check and rejects it with a reason
the citizen reads; at the Luohu hall the officer looks up the pass, takes the payment and
prints; the citizen sees the endorsement active with its trips on the pass, in Chinese and in
English. Every page passes the axe-core check.
"""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import User
from documents.models import Document
from documents.tests.factories import CitizenFactory, HkMacaoPassFactory, days_from_today
from endorsements.models import Endorsement, EndorsementStatus
from guide.tests.factories import CountyFactory
from notifications.models import Notification
from persons.demo import fixed
from persons.tests.factories import PersonFactory

from .conftest import confirm_new_device
from .test_account_journeys import (
    OFFICER,
    follow,
    open_page,
    other_page,  # noqa: F401 (a fixture)
    staff_sign_in,
    submit,
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
XIAN_PASSWORD = "a-long-test-password-1"


def apply_for_hong_kong_g(page: Page, site: str, pass_number: str) -> None:
    """Fill the application: the pass, Hong Kong G 3 months 1 trip, pay at the Luohu hall."""
    open_page(page, site + "/endorsements/apply/")
    document = Document.objects.get(number=pass_number)
    page.locator(f"input[name='document'][value='{document.pk}']").check()
    page.locator("input[name='options'][value='HKG:G:3m1']").check()
    page.locator("input[name='channel'][value='hall']").check()
    page.locator("#id_hall").select_option(LUOHU_HALL)
    submit(page, page.locator("#submit-application"))


def xian_citizen() -> User:
    """A resident of Yanta, Xi'an (not on the individual-travel list) with a valid pass."""
    county = CountyFactory(code="610113", name_zh="雁塔区", name_en="Yanta District")
    person = PersonFactory(household_region=county, name_zh="赵磊")
    HkMacaoPassFactory(person=person, number="CA6100001", expires_on=days_from_today(2000))
    return CitizenFactory(person=person)


@pytest.fixture
def policy(site) -> None:
    """The endorsement policy of the data migration (an earlier test's flush may have emptied
    the table)."""
    call_command("load_endorsement_policy", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path) -> None:
    """Codes and messages go to a file outbox of this test only."""
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.FileGateway"
    settings.VERIFICATION_EMAIL_GATEWAY = "accounts.gateways.FileGateway"
    settings.VERIFICATION_OUTBOX_DIR = tmp_path / "outbox"


def test_apply_approve_reject_pay_print_and_see_it_on_the_pass(
    page: Page,
    site: str,
    policy,
    other_page,  # noqa: F811 (the fixture imported above)
):
    # Given the demo citizen 陈建国, registered in Luohu, Shenzhen, with a valid pass
    citizen = sign_in(page, site, "zh")
    pass_number = fixed.CHEN_HK_MACAO_PASS

    # When he applies for a Hong Kong individual-travel endorsement, paid at the Luohu hall
    apply_for_hong_kong_g(page, site, pass_number)
    # Then it is approved at once, and he is told
    expect(page.locator("#status")).to_contain_text("已批准")
    mine = Endorsement.objects.get(applied_by=citizen)
    assert mine.status == EndorsementStatus.APPROVED and mine.fee == 15
    assert Notification.objects.filter(user=citizen, kind="endorsement_approved").exists()

    # Given a resident of Xi'an, in English
    other = xian_citizen()
    english = other_page("en")
    open_page(english, site + "/accounts/login/")
    english.locator("#id_phone").fill(other.phone[3:])
    english.locator("#id_password").fill(XIAN_PASSWORD)
    submit(english, english.locator("main form[method=post] button[type=submit]").first)
    confirm_new_device(english, other.phone)
    # When he applies for the same endorsement
    apply_for_hong_kong_g(english, site, "CA6100001")
    # Then it goes to an officer and he reads why
    expect(english.locator("#status")).to_contain_text("Under review")
    expect(english.locator("#reasons")).to_contain_text("household registration")
    theirs = Endorsement.objects.get(applied_by=other)

    # When the Shenzhen reviewer opens the queue, sees the failed check and rejects it
    staff = other_page("zh")
    staff_sign_in(staff, site, REVIEWER)
    follow(staff, staff.locator("nav a[href='/staff/endorsements/']"))
    expect(staff.locator("#queue")).to_contain_text(theirs.number)
    expect(staff.locator("#queue")).not_to_contain_text(other.person.id_number)
    follow(staff, staff.locator(f"#queue a[href='/staff/endorsements/{theirs.number}/']"))
    expect(staff.locator("#failed-checks")).to_contain_text("household_region_not_eligible")
    staff.locator("#reject-code").select_option("not_eligible")
    staff.locator("#reject-text").fill("Individual travel is not open to residents of Xi'an yet.")
    submit(staff, staff.locator("main button[data-action='reject']"))
    # Then the citizen reads the reason
    open_page(english, site + f"/endorsements/{theirs.pk}/")
    expect(english.locator("#status")).to_contain_text("Not approved")
    expect(english.locator("#reasons")).to_contain_text("not open to residents of Xi'an")

    # When the Luohu hall's officer looks up the pass, takes the payment and prints
    hall = other_page("zh")
    staff_sign_in(hall, site, OFFICER)
    open_page(hall, site + "/staff/endorsements/pass/")
    hall.locator("#pass-number").fill(pass_number)
    submit(hall, hall.locator("main form button[type=submit]").first)
    expect(hall.locator("#waiting")).to_contain_text(mine.number)
    follow(hall, hall.locator(f"#waiting a[href='/staff/endorsements/{mine.number}/']"))
    hall.locator("#pay-method").select_option("wechat")
    hall.locator("#pay-receipt").fill("LH-2026-0001")
    submit(hall, hall.locator("main button[data-action='pay']"))
    submit(hall, hall.locator("main button[data-action='print']"))
    expect(hall.locator("#status")).to_contain_text("有效")
    expect(hall.locator("#label-link")).to_be_visible()
    mine.refresh_from_db()
    assert mine.status == EndorsementStatus.ACTIVE and mine.receipt_number == "LH-2026-0001"

    # Then the citizen sees it active with its trip on the pass, in Chinese
    open_page(page, site + "/documents/")
    on_pass = page.locator(".endorsements-on-pass").first
    expect(on_pass).to_contain_text("香港")
    expect(on_pass).to_contain_text("有效")
    expect(on_pass.locator(".trips-left").first).to_have_text("1")
    # and in English (the site's language switch, on the same signed-in browser)
    with page.expect_navigation():
        page.locator("header form.language-switch button[value=en]").click()
    open_page(page, site + "/documents/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    on_pass = page.locator(".endorsements-on-pass").first
    expect(on_pass).to_contain_text("Hong Kong")
    expect(on_pass).to_contain_text("Active")
    expect(on_pass.locator(".trips-left").first).to_have_text("1")
    assert Notification.objects.filter(user=citizen, kind="endorsement_active").exists()
