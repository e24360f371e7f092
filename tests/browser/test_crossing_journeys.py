"""My entry/exit records in Chromium: a port's signed batch lands, the citizen reads their
crossings, narrows them to one document, and sees none outside the 10 years. Every page passes
axe-core."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.management.commands.load_demo_accounts import DEMO_CITIZENS
from accounts.models import User
from crossings import signing
from crossings.models import Port
from crossings.services import port_credential_create

from .conftest import assert_accessible, confirm_new_device

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DEMO_COMMANDS = (
    ("load_demo", {}),
    ("load_demo_registry", {"persons": 5}),
    ("load_demo_accounts", {}),
)
DEMO_APPS = ("guide", "persons", "documents", "accounts")
CITIZEN = DEMO_CITIZENS[0]
PATH = "/api/v1/border/crossings"


def go(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, url
    assert_accessible(page)


def _port_sends(documents) -> dict:
    """Luohu port sends an exit and an entry on each document, signed, over the API."""
    port = Port.objects.create(
        code="SZ-LUOHU", name_zh="罗湖口岸", name_en="Luohu", kind="land", side="HKG"
    )
    credential, secret = port_credential_create(port=port)
    now = timezone.now()
    events = []
    for n, document in enumerate(documents):
        for direction, hours in (("exit", 30 + n), ("entry", 2 + n)):
            events.append(
                {
                    "event_id": f"LH-{document.pk}-{direction}",
                    "occurred_at": (now - dt.timedelta(hours=hours)).isoformat(),
                    "direction": direction,
                    "document_type": document.type,
                    "document_number": document.number,
                    "id_number": document.person.id_number,
                    "destination": "HKG" if document.type == "hk_macao_pass" else "JPN",
                    "vehicle": "" if document.type == "hk_macao_pass" else "CA925",
                }
            )
    body = json.dumps({"port": "SZ-LUOHU", "events": events}).encode()
    headers = signing.signed_headers(
        key_id=credential.key_id, secret=secret, method="POST", path=PATH, body=body
    )
    response = Client().post(PATH, body, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_citizen_reads_their_entry_exit_records(page: Page, site: str, language: str):
    # given the port has reported the citizen's crossings
    user = User.objects.get(phone=CITIZEN.phone)
    documents = list(user.person.documents.all())
    assert documents, "the demo citizen holds documents"
    answer = _port_sends(documents)
    assert len(answer["accepted"]) == 2 * len(documents)

    # when they sign in and open "My entry/exit records"
    go(page, site + "/accounts/login/")
    page.locator("#id_phone").fill(CITIZEN.phone[3:])
    page.locator("#id_password").fill(CITIZEN.password)
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    confirm_new_device(page, CITIZEN.phone)
    with page.expect_navigation():
        page.locator("nav.site-nav a[href='/crossings/']").click()
    assert_accessible(page)

    # then every crossing is listed
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2 * len(documents))

    # when they narrow it to one document
    page.locator("#id_document").select_option(str(documents[0].pk))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert_accessible(page)

    # then only that document's two crossings remain
    expect(rows).to_have_count(2)

    # and a start beyond the 10 years kept is explained, not an error page
    go(page, site + "/crossings/?start=2001-01-01", status=422)
    expect(page.locator(".error-summary")).to_be_visible()
