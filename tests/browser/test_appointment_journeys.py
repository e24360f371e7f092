"""Journeys through appointments (service 3) and the hall reception, in Chromium.

A citizen of Shenzhen books a passport renewal at a hall in Beijing, gets the QR code and the
calendar file, moves the appointment, cancels it and books again; an officer of the Luohu hall
checks a citizen in by number, records the in-hall steps with a photo and accepts; the citizen
then sees the new application. Every page passes the axe-core check.
"""

import datetime as dt
import io
import time

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from accounts.models import User
from appointments.models import Appointment, AppointmentStatus, Slot
from persons.demo import fixed
from persons.models import Person

from .conftest import PHONE, confirm_new_device
from .test_account_journeys import (
    GUARDIAN,
    expect_lang,
    follow,
    form_button,
    open_page,
    other_page,  # noqa: F401 (a fixture)
    submit,
    translated,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# A phone: each page is checked by axe-core and photographed (conftest.page_shot).
VIEWPORT = PHONE

DEMO_COMMANDS = (
    ("load_demo", {}),
    ("load_demo_registry", {"persons": 20}),
    ("load_demo_accounts", {}),
    ("load_demo_staff", {}),
)
DEMO_APPS = ("guide", "persons", "documents", "accounts", "staff", "otp_totp")
LANGUAGES = ["zh", "en"]
BEIJING_HALL = "110101-01"  # Dongcheng, Beijing: another province than the citizen's Shenzhen
LUOHU_HALL = "440303-01"  # the demo officer's hall


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
    confirm_new_device(page, GUARDIAN.phone)
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
    # near a place: the nearest halls first, each with its opening status and distance, and
    # the page lands on the results
    page.locator("#id_lat").fill("39.93")
    page.locator("#id_lng").fill("116.41")
    submit(page, page.locator("main form[method=get] button[type=submit]"))
    assert page.url.endswith("#results")
    first = page.locator("main .result").first
    expect(first.locator(".result__distance")).to_be_visible()
    expect(first.locator(".result__status .tag")).to_be_visible()
    expect(page.locator("#results-heading")).to_be_in_viewport()
    page.locator("#id_lat").fill("")
    page.locator("#id_lng").fill("")
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
    """Choose a day from the day after tomorrow on (so the time can still be moved and
    cancelled; cutoff 1 hour), then tick a free time of that day; the next week when this one
    has no such day. The week's days come first, each with its free seats."""
    later = {
        str(pk)
        for pk in Slot.objects.filter(starts_at__gt=_tomorrow()).values_list("pk", flat=True)
        if pk != besides
    }
    after = (timezone.localdate(_tomorrow()) + dt.timedelta(days=1)).isoformat()
    for _week in range(3):
        days = page.locator("main a.day-list__day")
        expect(page.locator("main .day-list")).to_be_visible()
        links = [days.nth(i).get_attribute("href") or "" for i in range(days.count())]
        for href in links:
            if href.split("day=")[-1].split("#")[0] < after:
                continue
            follow(page, page.locator(f"main a.day-list__day[href='{href}']"))
            times = free_times(page)
            offered = [times.nth(i).get_attribute("value") for i in range(times.count())]
            found = next((value for value in offered if value in later), None)
            if found:
                page.locator(f"main input[name='slot'][value='{found}']").check()
                return found
            follow(page, page.locator("main a[href*='#days']"))
        follow(page, page.locator("main a[rel='next']").first)
    raise AssertionError("no free time in three weeks")


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

    # When they move it to another time at another hall (Luohu, near home)
    follow(page, page.locator(f"main a[href='/appointments/{appointment.number}/']"))
    follow(page, page.locator(f"main a[href='/appointments/{appointment.number}/reschedule/']"))
    follow(
        page, page.locator(f"main a[href='/appointments/{appointment.number}/reschedule/hall/']")
    )
    page.locator("#id_q").fill(LUOHU_HALL)
    submit(page, page.locator("main form[method=get] button[type=submit]"))
    submit(
        page, page.locator(f"main form:has(input[name='hall'][value='{LUOHU_HALL}']) button").first
    )
    assert page.url.endswith(f"/appointments/{appointment.number}/reschedule/")
    other = pick_a_later_time(page, besides=appointment.slot_id)
    submit(page, page.locator("main form[method=post] button[type=submit]").last)
    assert page.url.endswith("/reschedule/confirm/")
    submit(page, form_button(page))
    appointment.refresh_from_db()
    assert str(appointment.slot_id) == other
    assert appointment.hall.code == LUOHU_HALL
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


def _tomorrow() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=1)


# -- the hall: an officer receives the citizen, the citizen sees the application -------------


def a_photo() -> bytes:
    """A portrait JPEG as the hall's camera takes it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), (230, 235, 240))
    ImageDraw.Draw(image).ellipse((180, 160, 420, 460), fill=(180, 140, 120))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def booked_at_luohu_soon(user: User) -> Appointment:
    """The citizen's passport renewal at the Luohu hall in 20 minutes (at 23:59 at the latest),
    booked through the service. The hall is made open all day today, so that the test means the
    same at any hour."""
    from appointments.services import appointment_book
    from appointments.tests.factories import SlotFactory
    from guide.directory import invalidate_directory
    from guide.models import Hall, HallException, Service

    hall = Hall.objects.get(code=LUOHU_HALL)
    # Today's appointment, as the reception desk lists and checks in only today's: in the last
    # 20 minutes of the day (Beijing time) the slot moves to 23:59, and in the last three
    # minutes the test waits for the new day rather than book a time already past.
    local_now = timezone.localtime()
    if local_now.time() >= dt.time(23, 57):
        midnight = dt.datetime.combine(local_now.date() + dt.timedelta(days=1), dt.time.min)
        time.sleep((midnight.replace(tzinfo=local_now.tzinfo) - local_now).total_seconds() + 5)
        local_now = timezone.localtime()
    last_minute = dt.datetime.combine(local_now.date(), dt.time(23, 59), tzinfo=local_now.tzinfo)
    starts = min(
        (timezone.now() + dt.timedelta(minutes=20)).replace(second=0, microsecond=0),
        last_minute,
    )
    for day in {timezone.localdate(timezone.now()), timezone.localdate(starts)}:
        HallException.objects.filter(hall=hall, date=day).delete()
        HallException.objects.create(
            hall=hall,
            date=day,
            closed=False,
            opens=dt.time(0, 0),
            closes=dt.time(23, 59),
            reason_zh="测试:全天开放",
            reason_en="Test: open all day",
        )
    invalidate_directory()
    # The fee table comes from a data migration, which the flush after an earlier
    # transactional test of the session has emptied: put the passport's fee back as seeded.
    from reception.models import Fee

    Fee.objects.get_or_create(
        document_type="passport",
        kind="",
        valid_from=dt.date(2019, 4, 1),
        defaults={"amount": 120},
    )
    slot = SlotFactory(
        hall=hall,
        service=Service.objects.get(code="passport"),
        starts_at=starts,
        date=timezone.localdate(starts),
    )
    return appointment_book(
        user=user, document_type="passport", kind="renewal", slot_id=slot.pk
    ).appointment


def test_officer_receives_the_citizen_and_the_citizen_sees_the_application(
    page: Page,
    site: str,
    other_page,  # noqa: F811 (the fixture imported above)
):
    from applications.models import Application
    from staff.models import AccessLog

    from .test_account_journeys import OFFICER, staff_sign_in

    # Given the demo citizen booked a passport renewal at the Luohu hall, coming now
    citizen = User.objects.get(phone=GUARDIAN.phone)
    appointment = booked_at_luohu_soon(citizen)

    # When the officer of that hall signs in with TOTP and checks them in by number
    staff_sign_in(page, site, OFFICER)
    follow(page, page.locator("nav a[href='/staff/reception/']"))
    expect(page.locator("main")).to_contain_text(appointment.number_display)
    page.locator("#id_code").fill(appointment.number_display.lower())  # typed as read out
    submit(page, page.locator("main form[action='/staff/reception/check-in/'] button").first)
    assert page.url.endswith(f"/staff/reception/{appointment.number}/")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN

    # And records the steps: materials, fingerprints, photo, fee
    boxes = page.locator("main form[action$='/materials/'] input[name='checked']")
    assert boxes.count() > 0
    for i in range(boxes.count()):
        boxes.nth(i).check()
    submit(page, page.locator("main form[action$='/materials/'] button[type=submit]"))
    page.locator("main form[action$='/fingerprints/'] input[type=checkbox]").check()
    submit(page, page.locator("main form[action$='/fingerprints/'] button[type=submit]"))
    page.locator("main input[type=file]").set_input_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}]
    )
    submit(page, page.locator("main form[action$='/photo/upload/'] button[type=submit]"))
    expect(page.locator("main a[href$='/photo/']")).to_be_visible()
    page.locator("main form[action$='/fee/'] input[name='method']").first.check()
    page.locator("#id_receipt_number").fill("SZ-LH-20261202-0042")
    submit(page, page.locator("main form[action$='/fee/'] button[type=submit]"))

    # And accepts the application
    submit(page, page.locator("main form[action$='/accept/'] button[type=submit]"))
    application = Application.objects.get(appointment=appointment)
    expect(page.locator("main")).to_contain_text(application.number)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ACCEPTED
    assert application.fee_amount == 120
    # (viewing the photo is an access to the person's data: logged)
    photo = page.request.get(site + f"/staff/reception/{appointment.number}/photo/")
    assert photo.status == 200 and photo.headers["content-type"] == "image/jpeg"
    assert AccessLog.objects.filter(person=appointment.person).exists()

    # Then the citizen, signed in on their phone in English, sees the new application
    phone = other_page("en")
    sign_in(phone, site, "en")
    follow(phone, phone.locator("nav.site-nav a[href='/applications/']"))
    link = phone.locator(f"main a[href='/applications/{application.number}/']")
    expect(link).to_be_visible()
    follow(phone, link)
    expect(phone.locator("main")).to_contain_text("Accepted at the hall")
