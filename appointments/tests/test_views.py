"""The citizen's appointment pages: the booking journey, one appointment, cancel, reschedule,
seat alerts, access checks and both languages."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus, Slot, SlotWatch
from documents.models import DocumentStatus
from documents.tests.factories import (
    CitizenFactory,
    HkMacaoPassFactory,
    PassportFactory,
    UnboundCitizenFactory,
)
from guide.calendar import SHANGHAI
from guide.tests.factories import (
    CityFactory,
    CountyFactory,
    GuideFactory,
    HallFactory,
    ProvinceFactory,
    ServiceFactory,
)
from persons.tests.factories import GuardianshipFactory, MinorFactory

from .factories import AppointmentFactory, SlotFactory

pytestmark = pytest.mark.django_db

NEW = "/appointments/new/"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_URL = "/accounts/login/"


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def workday(days: int) -> dt.date:
    """The first Monday-to-Friday date at least `days` from today (Beijing time)."""
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def slot_at(hall, service, day: dt.date, hour: int, minute: int = 0, **fields) -> Slot:
    return SlotFactory(hall=hall, service=service, starts_at=at(day, hour, minute), **fields)


@pytest.fixture
def passport_service():
    return ServiceFactory()


@pytest.fixture
def beijing_hall(passport_service):
    """A hall in Beijing, another province than the citizen's Shenzhen household."""
    province = ProvinceFactory(code="110000", name_zh="北京市", name_en="Beijing")
    city = CityFactory(code="110100", name_zh="北京市辖区", name_en="Beijing", parent=province)
    county = CountyFactory(
        code="110101", name_zh="东城区", name_en="Dongcheng District", parent=city
    )
    return HallFactory(
        code="BJ0001",
        name_zh="北京市东城区出入境接待大厅",
        name_en="Beijing Dongcheng Exit-Entry Hall",
        region=county,
        address_zh="北京市东城区安定门东大街2号",
        address_en="2 Andingmen East Street, Dongcheng, Beijing",
        phone="010-84020101",
        services=[passport_service],
    )


@pytest.fixture
def day():
    return workday(3)


@pytest.fixture
def slots(beijing_hall, passport_service, day):
    """Three released times at the Beijing hall: 10:00 (5 seats), 10:30 (full), 14:00."""
    return [
        slot_at(beijing_hall, passport_service, day, 10),
        slot_at(beijing_hall, passport_service, day, 10, 30, capacity=2, booked=2),
        slot_at(beijing_hall, passport_service, day, 14),
    ]


@pytest.fixture
def renewal_guide(passport_service):
    return GuideFactory(
        slug="passport-renewal",
        service=passport_service,
        materials_en="Resident ID card\nYour current passport",
        materials_zh="居民身份证\n原护照",
    )


@pytest.fixture
def citizen():
    """A bound citizen of Shenzhen with a passport (so a renewal fits)."""
    user = CitizenFactory(phone="+8613912345678", username="+8613912345678")
    PassportFactory(person=user.person)
    return user


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    english(client)
    return client


def answer(client, step: str, data: dict):
    return client.post(f"{NEW}{step}/", data)


def walk_to_time(client, person_id: int, hall_code: str, *, document="passport", kind="renewal"):
    """Answer every question up to the date and time."""
    assert client.get(NEW).status_code == 302
    assert answer(client, "who", {"person": person_id})["Location"] == f"{NEW}document/"
    assert answer(client, "document", {"document_type": document}).status_code == 302
    assert answer(client, "application", {"kind": kind}).status_code == 302
    response = answer(client, "phone", {"contact_phone": "139 1234 5678"})
    assert response["Location"] == f"{NEW}hall/", response.content
    response = answer(client, "hall", {"hall": hall_code})
    assert response["Location"] == f"{NEW}time/", response.content


def choose(client, slot: Slot):
    """Choose a time as the page does: from the times of its day."""
    day = slot.starts_at.astimezone(SHANGHAI).date().isoformat()
    return answer(client, "time", {"slot": slot.pk, "week": day, "days": 1})


def book_key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)


# The whole journey


def test_book_a_renewal_in_another_province_then_move_cancel_and_book_again(
    signed_in, citizen, beijing_hall, slots, renewal_guide, day
):
    client = signed_in
    first, full, later = slots
    # given the citizen starts from My appointments
    page = client.get("/appointments/")
    assert page.status_code == 200
    assert 'href="/appointments/new/"' in page.text and "Book an appointment" in page.text
    # when they answer the questions one page at a time
    assert client.get(NEW)["Location"] == f"{NEW}who/"
    who = client.get(f"{NEW}who/")
    assert f"Myself ({citizen.person.name})" in who.text
    assert answer(client, "who", {"person": citizen.person_id})["Location"] == f"{NEW}document/"
    assert answer(client, "document", {"document_type": "passport"})["Location"] == (
        f"{NEW}application/"
    )
    # a passport: no endorsements question; a renewal: no reason question
    assert answer(client, "application", {"kind": "renewal"})["Location"] == f"{NEW}phone/"
    phone = client.get(f"{NEW}phone/")
    assert 'value="13912345678"' in phone.text  # prefilled from the account
    assert answer(client, "phone", {"contact_phone": "139 1234 5678"})["Location"] == (
        f"{NEW}hall/"
    )
    # they find the Beijing hall by searching the whole country
    halls = client.get(f"{NEW}hall/", {"q": "Dongcheng"})
    assert halls.status_code == 200
    assert "Beijing Dongcheng Exit-Entry Hall" in halls.text
    assert 'name="hall" value="BJ0001"' in halls.text
    assert answer(client, "hall", {"hall": "BJ0001"})["Location"] == f"{NEW}time/"
    # the week's days come first, each with its free seats; a day then shows its times
    days = client.get(f"{NEW}time/", {"week": day.isoformat()})
    assert days.status_code == 200
    assert 'name="slot"' not in days.text
    assert "10 seats free" in days.text  # 10:00 has 5, 14:00 has 5, 10:30 is full
    day_link = f"{NEW}time/?week={day.isoformat()}&amp;day={day.isoformat()}#times"
    assert f'href="{day_link}"' in days.text
    times = client.get(f"{NEW}time/", {"week": day.isoformat(), "day": day.isoformat()})
    assert times.status_code == 200
    assert f'value="{first.pk}"' in times.text
    assert re.search(rf'id="slot-{full.pk}" value="{full.pk}" disabled', times.text)
    assert "fully booked" in times.text
    assert choose(client, first)["Location"] == f"{NEW}check/"
    # then they check their answers
    check = client.get(f"{NEW}check/")
    assert check.status_code == 200
    for text in (
        "Ordinary passport",
        "Renewal",
        "13912345678",
        "Beijing Dongcheng Exit-Entry Hall",
    ):
        assert text in check.text
    assert f"{day.isoformat()}" in check.text and "10:00" in check.text
    for step in ("who", "document", "application", "phone", "hall", "time"):
        assert f'href="{NEW}{step}/"' in check.text
    key = book_key(check.text)
    # when they book (and the button is pressed twice)
    booked = client.post(f"{NEW}book/", {"idempotency_key": key})
    again = client.post(f"{NEW}book/", {"idempotency_key": key})
    # then one appointment is made, confirmed at once
    appointment = Appointment.objects.get()
    assert booked["Location"] == again["Location"] == f"/appointments/{appointment.number}/booked/"
    assert appointment.hall == beijing_hall and appointment.slot == first
    assert appointment.kind == "renewal" and appointment.booked_by == citizen
    assert appointment.details["contact_phone"] == "+8613912345678"
    first.refresh_from_db()
    assert first.booked == 1
    done = client.get(booked["Location"])
    assert done.status_code == 200
    assert "Appointment booked" in done.text
    assert appointment.number_display in done.text
    assert "<svg" in done.text and 'role="img"' in done.text
    assert f"QR code for check-in, holding appointment number {appointment.number_display}" in (
        done.text
    )
    assert f'href="/appointments/{appointment.number}.ics"' in done.text
    assert "Your current passport" in done.text  # what to bring, from the guide
    # the answers are gone from the session
    assert client.get(f"{NEW}check/")["Location"] == f"{NEW}who/"
    # and the calendar file downloads
    ics = client.get(f"/appointments/{appointment.number}.ics")
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert ics["Content-Disposition"].startswith("attachment;")
    assert b"BEGIN:VEVENT" in ics.content

    # when they move it to the afternoon
    move = client.get(f"/appointments/{appointment.number}/reschedule/", {"week": day, "day": day})
    assert move.status_code == 200
    assert f'value="{later.pk}"' in move.text
    week = day.isoformat()
    picked = client.post(
        f"/appointments/{appointment.number}/reschedule/",
        {"slot": later.pk, "week": week, "days": 7},
    )
    assert picked["Location"] == f"/appointments/{appointment.number}/reschedule/confirm/"
    confirm = client.get(picked["Location"])
    assert "Check the new time" in confirm.text and "14:00" in confirm.text
    moved = client.post(picked["Location"])
    # then the appointment has the new time and the old seat is back
    assert moved["Location"] == f"/appointments/{appointment.number}/"
    appointment.refresh_from_db()
    first.refresh_from_db()
    assert appointment.slot == later and first.booked == 0
    assert "Your appointment is moved to" in client.get(moved["Location"]).text

    # when they cancel it
    ask = client.get(f"/appointments/{appointment.number}/cancel/")
    assert "Yes, cancel the appointment" in ask.text
    cancelled = client.post(f"/appointments/{appointment.number}/cancel/")
    # then it is cancelled, shown under past ones
    assert cancelled["Location"] == f"/appointments/{appointment.number}/"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    listing = client.get("/appointments/")
    assert "You have no upcoming appointments." in listing.text
    assert appointment.number_display in listing.text and "Cancelled" in listing.text

    # and they can book again
    walk_to_time(client, citizen.person_id, "BJ0001")
    assert choose(client, first)["Location"] == f"{NEW}check/"
    key = book_key(client.get(f"{NEW}check/").text)
    rebooked = client.post(f"{NEW}book/", {"idempotency_key": key})
    assert rebooked.status_code == 302
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1


def test_a_guardian_books_a_card_pass_for_their_child_with_endorsements(
    client, citizen, passport_service, day
):
    # given a child holding a Hong Kong and Macao pass, and a hall offering the pass
    child = MinorFactory(name_zh="王小明", name_pinyin="Wang Xiaoming")
    GuardianshipFactory(guardian=citizen.person, child=child)
    HkMacaoPassFactory(person=child)
    service = ServiceFactory(code="hk-macao-pass", name_zh="往来港澳通行证", name_en="HK pass")
    hall = HallFactory(services=[service])
    slot = slot_at(hall, service, day, 9)
    client.force_login(citizen)
    english(client)
    client.get(NEW)
    # when
    who = client.get(f"{NEW}who/")
    assert "Wang Xiaoming" in who.text
    answer(client, "who", {"person": child.pk})
    answer(client, "document", {"document_type": "hk_macao_pass"})
    assert answer(client, "application", {"kind": "renewal"})["Location"] == (f"{NEW}endorsements/")
    page = client.get(f"{NEW}endorsements/")
    assert 'type="checkbox" name="endorsements"' in page.text
    assert answer(client, "endorsements", {"endorsements": ["HKG-G", "MAC-G"]})["Location"] == (
        f"{NEW}phone/"
    )
    answer(client, "phone", {"contact_phone": "13912345678"})
    answer(client, "hall", {"hall": hall.code})
    choose(client, slot)
    check = client.get(f"{NEW}check/")
    assert "Book an appointment for Wang Xiaoming" in check.text
    assert "Hong Kong: individual travel (G)" in check.text
    client.post(f"{NEW}book/", {"idempotency_key": book_key(check.text)})
    # then
    appointment = Appointment.objects.get()
    assert appointment.person == child and appointment.booked_by == citizen
    assert appointment.details["endorsements"] == ["HKG-G", "MAC-G"]
    detail = client.get(f"/appointments/{appointment.number}/")
    assert "Appointment of Wang Xiaoming" in detail.text


# Validation on each page


def test_who_page_needs_an_answer_and_only_people_i_act_for(signed_in):
    signed_in.get(NEW)
    # when nothing is chosen
    response = answer(signed_in, "who", {})
    # then the error summary links to the first choice
    assert response.status_code == 200
    assert "<title>Error:" in response.text
    assert '<a href="#id_person_0">Choose who the appointment is for.</a>' in response.text
    # and a stranger cannot be chosen
    stranger = CitizenFactory().person
    response = answer(signed_in, "who", {"person": stranger.pk})
    assert "Choose who the appointment is for." in response.text
    assert "person_id" not in signed_in.session.get("appointments:booking", {})


def test_who_page_shows_the_no_show_block(signed_in, citizen, settings):
    # given three missed appointments in the window
    settings.APPOINTMENT_NO_SHOW_LIMIT = 3
    for days in (10, 20, 30):
        start = timezone.now() - dt.timedelta(days=days)
        AppointmentFactory(
            person=citizen.person,
            document_type="passport"
            if days == 10
            else "hk_macao_pass"
            if days == 20
            else "taiwan_permit",
            status=AppointmentStatus.NO_SHOW,
            slot__starts_at=start,
        )
    signed_in.get(NEW)
    # when
    response = answer(signed_in, "who", {"person": citizen.person_id})
    # then
    assert response.status_code == 200
    assert "so you cannot book until" in response.text


def test_document_page_errors(signed_in, citizen):
    signed_in.get(NEW)
    answer(signed_in, "who", {"person": citizen.person_id})
    # an empty answer
    response = answer(signed_in, "document", {})
    assert '<a href="#id_document_type_0">Choose a document.</a>' in response.text
    # an unknown document
    assert "Choose a document." in answer(signed_in, "document", {"document_type": "visa"}).text
    # a document with an appointment already
    existing = AppointmentFactory(person=citizen.person)
    response = answer(signed_in, "document", {"document_type": "passport"})
    assert f"There is already an appointment ({existing.number_display})" in response.text
    assert f'href="/appointments/{existing.number}/"' in response.text


def test_application_page_checks_the_kind_against_my_documents(signed_in, citizen):
    signed_in.get(NEW)
    answer(signed_in, "who", {"person": citizen.person_id})
    answer(signed_in, "document", {"document_type": "passport"})
    # first application while holding a passport
    response = answer(signed_in, "application", {"kind": "first"})
    assert response.status_code == 200
    assert "so this is not a first application" in response.text
    assert 'href="#id_kind_0"' in response.text
    # a renewal of a Taiwan permit never held
    answer(signed_in, "document", {"document_type": "taiwan_permit"})
    response = answer(signed_in, "application", {"kind": "renewal"})
    assert "There is no Taiwan travel permit to renew" in response.text
    # no answer
    assert "Choose which application this is." in answer(signed_in, "application", {}).text


def test_replacement_asks_the_reason_and_a_lost_one_must_be_reported(signed_in, citizen):
    signed_in.get(NEW)
    answer(signed_in, "who", {"person": citizen.person_id})
    answer(signed_in, "document", {"document_type": "passport"})
    assert answer(signed_in, "application", {"kind": "replacement"})["Location"] == (
        f"{NEW}reason/"
    )
    assert "Say why the document is replaced" in answer(signed_in, "reason", {}).text
    response = answer(signed_in, "reason", {"replacement_reason": "lost"})
    assert "Report the document lost in My documents first" in response.text
    assert 'href="/documents/"' in response.text
    # damaged is fine for a valid passport
    assert answer(signed_in, "reason", {"replacement_reason": "damaged"})["Location"] == (
        f"{NEW}phone/"
    )
    # and a reported-lost one may be replaced as lost
    citizen.person.documents.update(status=DocumentStatus.REPORTED_LOST)
    assert answer(signed_in, "reason", {"replacement_reason": "lost"}).status_code == 302


def test_endorsements_page_errors(client, day):
    user = CitizenFactory()
    HkMacaoPassFactory(person=user.person)
    client.force_login(user)
    english(client)
    client.get(NEW)
    answer(client, "who", {"person": user.person_id})
    answer(client, "document", {"document_type": "hk_macao_pass"})
    answer(client, "application", {"kind": "renewal"})
    too_many = {"endorsements": ["HKG-G", "HKG-L", "HKG-S", "MAC-G", "MAC-L"]}
    response = answer(client, "endorsements", too_many)
    assert "Choose at most 4 endorsements." in response.text
    assert 'href="#id_endorsements_0"' in response.text
    taiwan = answer(client, "endorsements", {"endorsements": ["TWN-T"]})
    assert "Choose endorsements from the list." in taiwan.text
    # none is an answer too
    assert answer(client, "endorsements", {})["Location"] == f"{NEW}phone/"


def test_phone_page_errors(signed_in, citizen):
    signed_in.get(NEW)
    answer(signed_in, "who", {"person": citizen.person_id})
    answer(signed_in, "document", {"document_type": "passport"})
    answer(signed_in, "application", {"kind": "renewal"})
    empty = answer(signed_in, "phone", {"contact_phone": ""})
    assert '<a href="#id_contact_phone">Give a mobile number to reach you.</a>' in empty.text
    wrong = answer(signed_in, "phone", {"contact_phone": "12345"})
    assert wrong.status_code == 200 and 'aria-invalid="true"' in wrong.text
    assert "mainland mobile number" in wrong.text


def test_the_contact_page_asks_how_the_document_is_received(signed_in, citizen):
    signed_in.get(NEW)
    answer(signed_in, "who", {"person": citizen.person_id})
    answer(signed_in, "document", {"document_type": "passport"})
    answer(signed_in, "application", {"kind": "renewal"})
    # by mail without an address: the error on the address field
    missing = answer(signed_in, "phone", {"contact_phone": "13912345678", "delivery": "mail"})
    assert missing.status_code == 200
    assert 'href="#id_delivery_address"' in missing.text
    # with the address: kept with the answers
    done = answer(
        signed_in,
        "phone",
        {"contact_phone": "13912345678", "delivery": "mail", "delivery_address": "北京市东城区1号"},
    )
    assert done["Location"] == f"{NEW}hall/"
    answers = signed_in.session["appointments:booking"]
    assert (answers["delivery"], answers["delivery_address"]) == ("mail", "北京市东城区1号")


def test_hall_page_errors(signed_in, citizen, beijing_hall):
    walk = signed_in
    walk.get(NEW)
    answer(walk, "who", {"person": citizen.person_id})
    answer(walk, "document", {"document_type": "passport"})
    answer(walk, "application", {"kind": "renewal"})
    answer(walk, "phone", {"contact_phone": "13912345678"})
    # a hall that does not exist
    response = answer(walk, "hall", {"hall": "NOPE"})
    assert response.status_code == 200 and "There is no hall with this code." in response.text
    # a hall without the service
    other = ServiceFactory(code="hk-macao-pass", name_zh="往来港澳通行证", name_en="HK pass")
    no_passports = HallFactory(code="HK0001", services=[other])
    response = answer(walk, "hall", {"hall": no_passports.code})
    assert "This hall does not offer this service" in response.text
    # and the search only lists halls offering the service
    listing = walk.get(f"{NEW}hall/")
    assert "BJ0001" in listing.text and "HK0001" not in listing.text
    too_long = walk.get(f"{NEW}hall/", {"q": "x" * 101})
    assert too_long.status_code == 200 and "There is a problem" in too_long.text


def test_time_page_errors(signed_in, citizen, beijing_hall, slots, day):
    _first, full, _later = slots
    walk_to_time(signed_in, citizen.person_id, "BJ0001")
    assert "Choose a time." in answer(signed_in, "time", {}).text
    response = choose(signed_in, full)
    assert "This time is fully booked. Choose another time." in response.text
    assert '<a href="#times">' in response.text
    other_hall = SlotFactory()
    assert "Choose one of the times shown." in choose(signed_in, other_hall).text
    bad_week = signed_in.get(f"{NEW}time/", {"week": "2020-13-45"})
    assert bad_week.status_code == 200 and "Enter a date such as 2026-10-01." in bad_week.text
    past = signed_in.get(f"{NEW}time/", {"week": "2020-01-01"})
    assert past.status_code == 200 and "These dates have passed" in past.text


def test_pages_ahead_of_the_answers_send_back_to_the_first_question(signed_in):
    signed_in.get(NEW)
    for step in ("document", "application", "phone", "hall", "time", "check"):
        assert signed_in.get(f"{NEW}{step}/")["Location"] == f"{NEW}who/"
    # the reason page is not asked for a renewal
    assert signed_in.post(f"{NEW}book/", {"idempotency_key": "0" * 32})["Location"] == (
        f"{NEW}who/"
    )


def test_a_time_filled_meanwhile_offers_the_next_free_times(signed_in, citizen, slots, day):
    # given the citizen chose 10:00, and the last seats go before they book
    first, _full, later = slots
    walk_to_time(signed_in, citizen.person_id, "BJ0001")
    choose(signed_in, first)
    key = book_key(signed_in.get(f"{NEW}check/").text)
    Slot.objects.filter(pk=first.pk).update(booked=5)
    # when
    response = signed_in.post(f"{NEW}book/", {"idempotency_key": key})
    # then the check page says so and offers the next free time
    assert response.status_code == 200
    assert "This time is fully booked. Choose another time." in response.text
    assert f'name="slot" id="free-{later.pk}" value="{later.pk}"' in response.text
    assert not Appointment.objects.exists()
    # and picking it leads back to the check page
    week = later.starts_at.astimezone(SHANGHAI).date().isoformat()
    picked = answer(signed_in, "time", {"slot": later.pk, "week": week, "days": 1})
    assert picked["Location"] == f"{NEW}check/"
    assert "14:00" in signed_in.get(f"{NEW}check/").text


def test_other_booking_problems_are_readable(signed_in, citizen, slots, settings):
    first = slots[0]
    walk_to_time(signed_in, citizen.person_id, "BJ0001")
    choose(signed_in, first)
    key = book_key(signed_in.get(f"{NEW}check/").text)
    # an appointment for the passport made meanwhile (say, on the phone app)
    existing = AppointmentFactory(person=citizen.person)
    response = signed_in.post(f"{NEW}book/", {"idempotency_key": key})
    assert response.status_code == 200
    assert f"There is already an appointment ({existing.number_display})" in response.text
    assert f'href="/appointments/{existing.number}/"' in response.text
    # a tampered key
    tampered = signed_in.post(f"{NEW}book/", {"idempotency_key": "not a key"})
    assert "This page has expired" in tampered.text


def test_changing_the_document_drops_the_answers_given_for_it(signed_in, citizen, slots):
    walk_to_time(signed_in, citizen.person_id, "BJ0001")
    choose(signed_in, slots[0])
    # when the document is changed from the check page
    response = answer(signed_in, "document", {"document_type": "taiwan_permit"})
    # then the application is asked again, and hall and time after it
    assert response["Location"] == f"{NEW}application/"
    answers = signed_in.session["appointments:booking"]
    assert "kind" not in answers and "hall_code" not in answers and "slot_id" not in answers
    assert answers["contact_phone"] == "+8613912345678"


def test_changing_only_the_phone_returns_to_the_check_page(signed_in, citizen, slots):
    walk_to_time(signed_in, citizen.person_id, "BJ0001")
    choose(signed_in, slots[0])
    response = answer(signed_in, "phone", {"contact_phone": "13800138000"})
    assert response["Location"] == f"{NEW}check/"
    assert "13800138000" in signed_in.get(f"{NEW}check/").text


# Seat alerts


def test_a_full_week_offers_a_seat_alert_which_can_be_listed_and_cancelled(
    signed_in, citizen, beijing_hall, passport_service, day
):
    # given every time of the week is full
    week_start = dt.datetime.now(SHANGHAI).date()
    for offset in range(7):
        date = week_start + dt.timedelta(days=offset)
        for hour in (9, 10, 11, 14, 15, 16):
            slot_at(beijing_hall, passport_service, date, hour, capacity=1, booked=1)
    Slot.objects.filter(hall=beijing_hall).update(booked=1, capacity=1)
    walk_to_time(signed_in, citizen.person_id, "BJ0001")
    page = signed_in.get(f"{NEW}time/")
    assert "No free times this week" in page.text
    assert 'action="/appointments/alerts/new/"' in page.text
    # when the citizen asks for an alert
    created = signed_in.post(
        "/appointments/alerts/new/",
        {
            "hall": "BJ0001",
            "service": "passport",
            "date_from": week_start.isoformat(),
            "date_to": (week_start + dt.timedelta(days=6)).isoformat(),
            "next": f"{NEW}time/",
        },
    )
    # then it is kept and they return to the times
    assert created["Location"] == f"{NEW}time/"
    watch = SlotWatch.objects.get(user=citizen)
    assert watch.hall == beijing_hall and watch.is_active
    listing = signed_in.get("/appointments/")
    assert "Seat alerts" in listing.text and "Beijing Dongcheng Exit-Entry Hall" in listing.text
    assert f'action="/appointments/alerts/{watch.pk}/cancel/"' in listing.text
    # and it can be cancelled
    assert signed_in.post(f"/appointments/alerts/{watch.pk}/cancel/").status_code == 302
    watch.refresh_from_db()
    assert not watch.is_active
    assert signed_in.post(f"/appointments/alerts/{watch.pk}/cancel/").status_code == 404


def test_seat_alert_form_errors(signed_in, beijing_hall):
    base = {"hall": "BJ0001", "service": "passport"}
    empty = signed_in.post("/appointments/alerts/new/", base)
    assert empty.status_code == 200
    assert "Enter the first day you could go." in empty.text
    backwards = signed_in.post(
        "/appointments/alerts/new/",
        base | {"date_from": "2030-01-10", "date_to": "2030-01-01"},
    )
    assert "The end date is before the start date." in backwards.text
    past = signed_in.post(
        "/appointments/alerts/new/", base | {"date_from": "2020-01-01", "date_to": "2020-01-02"}
    )
    assert "Choose dates from today on" in past.text
    assert not SlotWatch.objects.exists()
    unknown = signed_in.get("/appointments/alerts/new/", {"hall": "NOPE", "service": "passport"})
    assert unknown.status_code == 404


def test_someone_elses_seat_alert_cannot_be_cancelled(signed_in, beijing_hall, passport_service):
    other = CitizenFactory()
    watch = SlotWatch.objects.create(
        user=other,
        hall=beijing_hall,
        service=passport_service,
        date_from=dt.date(2030, 1, 1),
        date_to=dt.date(2030, 1, 2),
    )
    assert signed_in.post(f"/appointments/alerts/{watch.pk}/cancel/").status_code == 404
    watch.refresh_from_db()
    assert watch.is_active


# One appointment


def test_after_the_cutoff_the_page_explains_why_it_cannot_change(signed_in, citizen):
    # given an appointment in 3 hours (the cutoff is 24 hours before)
    soon = timezone.now() + dt.timedelta(hours=3)
    appointment = AppointmentFactory(person=citizen.person, slot__starts_at=soon)
    # when
    detail = signed_in.get(f"/appointments/{appointment.number}/")
    # then
    assert "can no longer be changed or cancelled online" in detail.text
    assert f"/appointments/{appointment.number}/cancel/" not in detail.text
    assert "<svg" in detail.text  # the check-in code is still there
    refused = signed_in.post(f"/appointments/{appointment.number}/cancel/")
    assert refused.status_code == 200
    assert "can no longer be changed or cancelled online" in refused.text
    move = signed_in.post(f"/appointments/{appointment.number}/reschedule/", {"slot": 1})
    assert "can no longer be changed or cancelled online" in move.text
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_reschedule_errors(signed_in, citizen, slots, day):
    # given an appointment at 10:00
    first, full, later = slots
    appointment = AppointmentFactory(person=citizen.person, slot=first)
    path = f"/appointments/{appointment.number}/reschedule/"
    week = {"week": day.isoformat(), "days": 7}
    # the time already held, a full time, no time
    same = signed_in.post(path, {"slot": first.pk} | week)
    assert "This is the time you already have: choose another time." in same.text
    assert "This time is fully booked." in signed_in.post(path, {"slot": full.pk} | week).text
    assert "Choose a time." in signed_in.post(path, week).text
    # the confirmation page without a chosen time sends back to the times
    assert signed_in.get(f"{path}confirm/")["Location"] == path
    # a time that fills up before the move is confirmed offers the next free ones
    signed_in.post(path, {"slot": later.pk} | week)
    Slot.objects.filter(pk=later.pk).update(booked=later.capacity)
    extra = slot_at(first.hall, first.service, day, 16)
    refused = signed_in.post(f"{path}confirm/")
    assert refused.status_code == 200
    assert "This time is fully booked. Choose another time." in refused.text
    assert f'id="free-{extra.pk}"' in refused.text
    appointment.refresh_from_db()
    assert appointment.slot == first


def test_a_cancelled_appointment_says_it_can_no_longer_change(signed_in, citizen):
    appointment = AppointmentFactory(person=citizen.person, status=AppointmentStatus.CANCELLED)
    page = signed_in.get(f"/appointments/{appointment.number}/cancel/")
    assert "This appointment is cancelled: it can no longer be changed." in page.text
    assert "Yes, cancel the appointment" not in page.text
    assert "<svg" not in signed_in.get(f"/appointments/{appointment.number}/").text


def test_a_past_booking_shows_as_missed(signed_in, citizen):
    past = AppointmentFactory(
        person=citizen.person, slot__starts_at=timezone.now() - dt.timedelta(days=2)
    )
    listing = signed_in.get("/appointments/")
    assert "Missed" in listing.text and past.number_display in listing.text
    detail = signed_in.get(f"/appointments/{past.number}/")
    assert "<svg" not in detail.text


def test_the_number_may_be_typed_with_hyphens(signed_in, citizen):
    appointment = AppointmentFactory(person=citizen.person)
    response = signed_in.get(f"/appointments/{appointment.number_display}/")
    assert response.status_code == 200


# Access


def test_another_citizens_appointment_is_not_found(signed_in):
    other = AppointmentFactory()
    for path in ("/", "/booked/", "/cancel/", "/reschedule/", "/reschedule/confirm/"):
        assert signed_in.get(f"/appointments/{other.number}{path}").status_code == 404, path
    assert signed_in.get(f"/appointments/{other.number}.ics").status_code == 404
    assert signed_in.post(f"/appointments/{other.number}/cancel/").status_code == 404
    other.refresh_from_db()
    assert other.status == AppointmentStatus.BOOKED
    assert signed_in.get("/appointments/NOT-A-NUMBER/").status_code == 404


def test_unbound_accounts_get_the_binding_prompt(client):
    client.force_login(UnboundCitizenFactory())
    english(client)
    for path in ("/appointments/", f"{NEW}who/", "/appointments/ABCDABCDABCD/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Bind your identity first" in response.text
    assert not client.session.get("appointments:booking")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in ("/appointments/", NEW, f"{NEW}who/", "/appointments/ABCDABCDABCD/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert client.post(f"{NEW}book/", {"idempotency_key": "0" * 32}).status_code == 302
    assert not Appointment.objects.exists()


# Languages


def test_pages_in_chinese_by_default(client, citizen, slots, renewal_guide):
    client.force_login(citizen)
    listing = client.get("/appointments/")
    assert 'lang="zh-Hans"' in listing.text
    assert "我的预约" in listing.text and "预约办证" in listing.text
    client.get(NEW)
    who = client.get(f"{NEW}who/")
    assert "为谁预约？" in who.text
    assert "继续" in who.text
    empty = answer(client, "who", {})
    assert "请选择为谁预约。" in empty.text
    walk_to_time(client, citizen.person_id, "BJ0001")
    times = client.get(f"{NEW}time/")
    assert "选择日期和时间" in times.text and "北京市东城区出入境接待大厅" in times.text
    choose(client, slots[0])
    check = client.get(f"{NEW}check/")
    assert "预约前请核对您的信息" in check.text and "修改" in check.text
    client.post(f"{NEW}book/", {"idempotency_key": book_key(check.text)})
    appointment = Appointment.objects.get()
    done = client.get(f"/appointments/{appointment.number}/booked/")
    assert "预约成功" in done.text and "原护照" in done.text


def test_pages_in_english(signed_in, citizen):
    appointment = AppointmentFactory(person=citizen.person)
    detail = signed_in.get(f"/appointments/{appointment.number}/")
    assert 'lang="en"' in detail.text
    assert f"Appointment {appointment.number_display}" in detail.text
    assert "Change the date or time" in detail.text and "Cancel the appointment" in detail.text
    assert "My appointments" in detail.text


# Links into the journey (a hall's page, a guide, My documents, a document reported lost)


def test_a_link_with_suggestions_preselects_the_answers(signed_in, citizen, beijing_hall):
    # given a link from a hall's page and My documents: this hall, a passport renewal
    start = signed_in.get(
        NEW,
        {"person": citizen.person_id, "document": "passport", "kind": "renewal", "hall": "BJ0001"},
    )
    assert start["Location"] == f"{NEW}who/"
    # then each page has the suggestion chosen, and the citizen still confirms it
    who = signed_in.get(f"{NEW}who/").text
    assert re.search(rf'value="{citizen.person_id}" checked', who)
    answer(signed_in, "who", {"person": citizen.person_id})
    assert re.search(r'value="passport" checked', signed_in.get(f"{NEW}document/").text)
    answer(signed_in, "document", {"document_type": "passport"})
    assert re.search(r'value="renewal" checked', signed_in.get(f"{NEW}application/").text)
    answer(signed_in, "application", {"kind": "renewal"})
    answer(signed_in, "phone", {"contact_phone": "139 1234 5678"})
    hall = signed_in.get(f"{NEW}hall/").text
    assert "You chose Beijing Dongcheng Exit-Entry Hall." in hall
    assert 'name="hall" value="BJ0001"' in hall


def test_a_suggested_hall_that_lacks_the_service_is_not_offered(signed_in, citizen, beijing_hall):
    # given a link suggesting the Beijing hall, which offers passports only
    signed_in.get(NEW, {"hall": "BJ0001", "document": "hk_macao_pass"})
    HkMacaoPassFactory(person=citizen.person)
    answer(signed_in, "who", {"person": citizen.person_id})
    answer(signed_in, "document", {"document_type": "hk_macao_pass"})
    answer(signed_in, "application", {"kind": "renewal"})
    answer(signed_in, "endorsements", {"endorsements": ["HKG-G"]})
    answer(signed_in, "phone", {"contact_phone": "139 1234 5678"})
    # then the hall page does not offer it as chosen
    assert "You chose" not in signed_in.get(f"{NEW}hall/").text


def test_malformed_suggestions_are_ignored(signed_in):
    signed_in.get(NEW, {"person": "x'; drop", "hall": "<script>", "kind": "a" * 80})
    who = signed_in.get(f"{NEW}who/")
    assert who.status_code == 200 and "checked" not in who.text


def test_move_an_appointment_to_another_hall_offering_the_service(
    signed_in, citizen, beijing_hall, passport_service, slots, day
):
    # given an appointment at a Shenzhen hall, far enough ahead to be moved
    shenzhen = HallFactory(
        code="SZ0001", name_en="Shenzhen Futian Hall", services=[passport_service]
    )
    appointment = AppointmentFactory(
        person=citizen.person,
        booked_by=citizen,
        slot=slot_at(shenzhen, passport_service, day, 9, booked=1),
    )
    move = signed_in.get(f"/appointments/{appointment.number}/reschedule/")
    assert f'href="/appointments/{appointment.number}/reschedule/hall/"' in move.text
    # when they look for another hall offering passports, and choose the Beijing one
    halls = signed_in.get(f"/appointments/{appointment.number}/reschedule/hall/", {"q": "Beijing"})
    assert 'name="hall" value="BJ0001"' in halls.text
    chosen = signed_in.post(
        f"/appointments/{appointment.number}/reschedule/hall/", {"hall": "BJ0001"}
    )
    assert chosen["Location"] == f"/appointments/{appointment.number}/reschedule/"
    # then the times shown are the Beijing hall's, and moving there works
    times = signed_in.get(chosen["Location"], {"week": day.isoformat(), "day": day.isoformat()})
    assert "New hall: Beijing Dongcheng Exit-Entry Hall" in times.text
    assert f'value="{slots[2].pk}"' in times.text
    picked = signed_in.post(
        chosen["Location"], {"slot": slots[2].pk, "week": day.isoformat(), "days": 1}
    )
    check = signed_in.get(picked["Location"]).text
    assert "New hall" in check and "Beijing Dongcheng Exit-Entry Hall" in check
    confirm = signed_in.post(picked["Location"])
    assert confirm["Location"] == f"/appointments/{appointment.number}/"
    appointment.refresh_from_db()
    assert appointment.hall == beijing_hall and appointment.slot == slots[2]


def test_moving_to_a_hall_without_the_service_is_refused(signed_in, citizen, passport_service, day):
    appointment = AppointmentFactory(
        person=citizen.person,
        booked_by=citizen,
        slot=slot_at(HallFactory(services=[passport_service]), passport_service, day, 9),
    )
    HallFactory(code="HK0001", services=[ServiceFactory(code="hk-macao-pass")])
    refused = signed_in.post(
        f"/appointments/{appointment.number}/reschedule/hall/", {"hall": "HK0001"}
    )
    assert refused.status_code == 200 and "There is a problem" in refused.text


def test_choosing_a_hall_offers_near_me_with_opening_status_and_distance(
    signed_in, citizen, beijing_hall
):
    # given the citizen has reached the hall question
    signed_in.get(NEW)
    answer(signed_in, "who", {"person": citizen.person_id})
    answer(signed_in, "document", {"document_type": "passport"})
    answer(signed_in, "application", {"kind": "renewal"})
    answer(signed_in, "phone", {"contact_phone": "139 1234 5678"})
    page = signed_in.get(f"{NEW}hall/").text
    # then the page offers "use my location" and coordinates
    assert "data-locate" in page and 'name="lat"' in page and 'name="lng"' in page
    # when they search near Dongcheng, Beijing
    found = signed_in.get(f"{NEW}hall/", {"lat": "39.93", "lng": "116.41"}).text
    # then halls come nearest first, with the distance and whether they are open
    assert "Nearest first." in found
    assert 'class="result__distance distance"' in found and "km away" in found
    assert 'class="result__status"' in found
    assert "Open now" in found or "Closed" in found
    # and a wrong coordinate is explained by its field
    wrong = signed_in.get(f"{NEW}hall/", {"lat": "91", "lng": "116"}).text
    assert "Enter a latitude from -90 to 90" in wrong and 'id="lat-error"' in wrong
