import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from accounts.auth import token_hash, token_new_key
from accounts.models import ApiToken
from appointments.api import AvailabilityOut
from appointments.models import Appointment, AppointmentStatus, Slot, SlotWatch
from documents.tests.factories import CitizenFactory, PassportFactory, UnboundCitizenFactory
from guide.calendar import SHANGHAI
from guide.tests.factories import GuideFactory, HallFactory, ServiceFactory
from persons.tests.factories import GuardianshipFactory, MinorFactory

from .factories import AppointmentFactory, SlotFactory, in_days

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
BOOK = "/api/v1/me/appointments"
AVAILABILITY = "/api/v1/appointments/availability"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(user) -> dict:
    """Headers with a bearer token for `user`, made the way POST auth/token makes them."""
    prefix, secret, key = token_new_key()
    ApiToken.objects.create(
        user=user,
        name="test phone",
        prefix=prefix,
        key_hash=token_hash(secret),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {"authorization": f"Bearer {key}"}


def problem(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if code:
        assert body["code"] == code, body
    return body


def post(client, path, body=None, **headers):
    return client.post(
        f"/api/v1/{path}", json.dumps(body or {}), content_type="application/json", headers=headers
    )


@pytest.fixture
def citizen():
    """A bound citizen holding a passport, so a renewal fits."""
    user = CitizenFactory()
    PassportFactory(person=user.person)
    return user


@pytest.fixture
def auth(citizen):
    return bearer(citizen)


@pytest.fixture
def slot():
    return SlotFactory(capacity=2, hall=HallFactory(code="LUOHU"))


def book(client, slot, headers, **overrides):
    body = {"document_type": "passport", "kind": "renewal", "slot_id": slot.pk} | overrides
    return post(client, "me/appointments", body, **headers)


# -- availability -------------------------------------------------------------------------------


def test_availability_lists_the_days_with_their_times_and_the_release_rule(client, slot):
    # given a second, full time the same day and a closed one
    full = SlotFactory(
        hall=slot.hall, service=slot.service, starts_at=in_days(3, 11), capacity=3, booked=3
    )
    closed = SlotFactory(
        hall=slot.hall, service=slot.service, starts_at=in_days(3, 14), is_closed=True
    )
    day = slot.starts_at.date()
    # when anyone asks, without signing in
    response = client.get(
        AVAILABILITY,
        {"hall": "LUOHU", "service": "passport", "from": day, "to": day},
        headers={"accept-language": "en"},
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["hall"]["code"] == "LUOHU"
    assert body["hall"]["name"] == slot.hall.name_en
    assert body["service"] == {"code": "passport", "name": "Ordinary passport"}
    assert body["date_from"] == body["date_to"] == day.isoformat()
    assert body["release"]["days_ahead"] == 7
    assert body["release"]["time"] == "08:00"
    assert dt.datetime.fromisoformat(body["release"]["next_release_at"]) > timezone.now()
    (only_day,) = body["days"]
    slots = {s["id"]: s for s in only_day["slots"]}
    assert slots[slot.pk] == {
        "id": slot.pk,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "capacity": 2,
        "available": 2,
        "status": "available",
    }
    assert slots[full.pk]["status"] == "full" and slots[full.pk]["available"] == 0
    assert slots[closed.pk]["status"] == "closed" and slots[closed.pk]["available"] == 0
    assert only_day["available"] == body["available"] == 2


def test_the_availability_answer_is_what_the_schema_would_render(client, slot):
    # given days around a weekend, so that some are closed and some have generated times
    response = client.get(AVAILABILITY, {"hall": "LUOHU", "service": "passport"})
    assert response.status_code == 200, response.content
    # when the answer goes through the response schema as ninja would validate it
    body = response.json()
    validated = json.loads(AvailabilityOut.model_validate(body).model_dump_json())
    # then nothing is lost, renamed or reordered
    assert json.dumps(validated) == json.dumps(body)
    assert len(body["days"]) >= 7


def test_availability_follows_the_reader_language(client, slot):
    day = slot.starts_at.date()
    query = {"hall": "LUOHU", "service": "passport", "from": day, "to": day}
    zh = client.get(AVAILABILITY, query, headers={"accept-language": "zh-Hans"}).json()
    en = client.get(AVAILABILITY, query, headers={"accept-language": "en"}).json()
    assert zh["hall"]["name"] == slot.hall.name_zh
    assert zh["service"]["name"] == "普通护照"
    assert en["hall"]["name"] == slot.hall.name_en


def test_times_not_yet_released_show_no_seats(client, slot):
    # given a time whose release is tomorrow
    later = SlotFactory(
        hall=slot.hall,
        service=slot.service,
        starts_at=in_days(9),
        released_at=timezone.now() + dt.timedelta(days=1),
    )
    day = later.starts_at.date()
    # when
    body = client.get(
        AVAILABILITY, {"hall": "LUOHU", "service": "passport", "from": day, "to": day}
    ).json()
    # then
    (shown,) = [s for d in body["days"] for s in d["slots"] if s["id"] == later.pk]
    assert shown["status"] == "not_released"
    assert shown["available"] == 0


LUOHU_PASSPORT = {"hall": "LUOHU", "service": "passport"}


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"hall": "NOPE", "service": "passport"}, 404, None),
        ({"hall": "LUOHU", "service": "hk-macao-pass"}, 422, "service_not_offered"),
        ({"hall": "LUOHU", "service": "no-such-service"}, 422, "service_not_offered"),
        ({"service": "passport"}, 422, "validation_failed"),
        (LUOHU_PASSPORT | {"from": "2026-13-45"}, 422, "validation_failed"),
        (LUOHU_PASSPORT | {"from": "yesterday"}, 422, "validation_failed"),
        (LUOHU_PASSPORT | {"from": "2020-01-01", "to": "2020-01-05"}, 422, "slot_in_past"),
        (LUOHU_PASSPORT | {"from": "9999-12-01", "to": "9999-12-02"}, 422, "invalid_date_range"),
        (LUOHU_PASSPORT | {"from": "+3", "to": "+1"}, 422, "invalid_date_range"),
        (LUOHU_PASSPORT | {"from": "+0", "to": "+40"}, 422, "invalid_date_range"),
    ],
)
def test_availability_refuses_bad_questions(client, slot, query, status, code):
    # given another service that the hall does not offer
    ServiceFactory(code="hk-macao-pass", name_zh="往来港澳通行证", name_en="HK and Macao pass")
    today = dt.datetime.now(SHANGHAI).date()
    query = dict(query)
    for name in ("from", "to"):
        if str(query.get(name, "")).startswith("+"):
            query[name] = today + dt.timedelta(days=int(query[name][1:]))
    # when / then
    problem(client.get(AVAILABILITY, query), status, code)


def test_availability_reads_in_a_few_queries(client, slot, django_assert_max_num_queries):
    query = {"hall": "LUOHU", "service": "passport"}
    client.get(AVAILABILITY, query)  # the first look makes the week's times
    with django_assert_max_num_queries(1):
        assert client.get(AVAILABILITY, query).status_code == 200


# -- booking ------------------------------------------------------------------------------------


def test_booking_with_a_bearer_token_confirms_at_once(client, citizen, auth, slot):
    # given the guide that lists what to bring
    GuideFactory(slug="passport-renewal", materials_en="Resident ID card\nYour old passport")
    # when
    response = book(client, slot, auth | {"accept-language": "en", "idempotency-key": "a-1"})
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    appointment = Appointment.objects.get()
    assert body["number"] == appointment.number
    assert body["number_display"] == appointment.number_display
    assert body["status"] == "booked"
    assert body["status_name"] == "Booked"
    assert body["person"]["relation"] == "self"
    assert body["person"]["id_number_masked"].count("*") == 10
    assert body["hall"]["code"] == "LUOHU"
    assert body["slot_id"] == slot.pk
    assert dt.datetime.fromisoformat(body["starts_at"]) == slot.starts_at
    # times are shown in Beijing time
    assert all(body[name].endswith("+08:00") for name in ("starts_at", "ends_at", "created_at"))
    assert body["events"][0]["at"].endswith("+08:00")
    assert body["details"]["contact_phone"] == citizen.phone
    assert body["can_change"] is True
    assert body["checkin"]["code"] == f"EXITENTRY:APPT:{appointment.number}"
    assert body["checkin"]["qr_svg"].startswith("<svg")
    assert body["what_to_bring"] == ["Resident ID card", "Your old passport"]
    assert [e["kind"] for e in body["events"]] == ["booked"]
    assert body["calendar_url"].endswith(f"/api/v1/me/appointments/{appointment.number}.ics")
    assert client.get(body["url"], headers=auth).status_code == 200
    slot.refresh_from_db()
    assert slot.booked == 1


def test_a_retry_with_the_same_key_returns_the_same_appointment(client, auth, slot):
    # given
    first = book(client, slot, auth | {"idempotency-key": "retry-1"})
    assert first.status_code == 201, first.content
    # when the app retries (the answer was lost)
    again = book(client, slot, auth | {"idempotency-key": "retry-1"})
    # then
    assert again.status_code == 200, again.content
    assert again.json()["number"] == first.json()["number"]
    assert Appointment.objects.count() == 1
    slot.refresh_from_db()
    assert slot.booked == 1


def test_the_same_key_with_another_body_is_refused(client, auth, slot):
    # given
    assert book(client, slot, auth | {"idempotency-key": "k-2"}).status_code == 201
    other = SlotFactory(hall=slot.hall, service=slot.service, starts_at=in_days(4))
    # when / then
    problem(book(client, other, auth | {"idempotency-key": "k-2"}), 422, "idempotency_key_reused")
    other.refresh_from_db()
    assert other.booked == 0


def test_a_full_time_answers_409_with_the_next_free_times(client, auth, slot):
    # given the time full, and a later one with seats at the same hall
    Slot.objects.filter(pk=slot.pk).update(booked=2)
    later = SlotFactory(hall=slot.hall, service=slot.service, starts_at=in_days(4))
    # when
    body = problem(book(client, slot, auth), 409, "slot_full")
    # then
    assert [f["slot_id"] for f in body["next_free"]] == [later.pk]
    assert dt.datetime.fromisoformat(body["next_free"][0]["starts_at"]) == later.starts_at
    assert not Appointment.objects.exists()


def test_one_active_appointment_per_person_and_document(client, auth, slot):
    # given
    first = book(client, slot, auth).json()
    other = SlotFactory(hall=slot.hall, service=slot.service, starts_at=in_days(5))
    # when
    body = problem(book(client, other, auth), 409, "already_booked")
    # then
    assert body["appointment"] == first["number"]
    other.refresh_from_db()
    assert other.booked == 0


def test_booking_for_a_minor_and_not_for_a_stranger(client, citizen, auth, slot):
    # given a child of the citizen, with no passport yet, and a stranger
    child = MinorFactory()
    GuardianshipFactory(guardian=citizen.person, child=child)
    stranger = CitizenFactory().person
    # when
    mine = book(client, slot, auth, person_id=child.pk, kind="first")
    theirs = book(client, slot, auth, person_id=stranger.pk, kind="first")
    # then
    assert mine.status_code == 201, mine.content
    assert mine.json()["person"]["relation"] == "minor"
    assert Appointment.objects.get().booked_by == citizen
    problem(theirs, 404, "person_not_found")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "first"}, "kind"),  # holds a passport: not a first application
        ({"kind": "replacement", "details": {"replacement_reason": "damaged"}}, None),
        ({"kind": "replacement"}, "replacement_reason"),
        ({"details": {"endorsements": ["HKG-G"]}}, "endorsements"),
        ({"details": {"contact_phone": "12"}}, "contact_phone"),
        ({"document_type": "visa"}, "document_type"),
        ({"kind": "extension"}, "kind"),
        ({"slot_id": 0}, "slot_id"),
        ({"slot_id": "soon"}, "slot_id"),
        ({"details": {"replacement_reason": "eaten"}}, "details.replacement_reason"),
        ({"details": {"delivery": "mail"}}, "delivery_address"),
        ({"details": {"delivery": "drone"}}, "details.delivery"),
    ],
)
def test_answers_that_do_not_fit_are_422_with_the_field(client, auth, slot, overrides, field):
    response = book(client, slot, auth, **overrides)
    if field is None:  # a valid replacement, to show the case is not refused for another reason
        assert response.status_code == 201, response.content
        return
    body = problem(response, 422)
    assert field in [e["field"] for e in body["errors"]], body


def test_a_time_in_another_document_s_service_is_refused(client, auth):
    pass_slot = SlotFactory(service=ServiceFactory(code="hk-macao-pass"))
    problem(book(client, pass_slot, auth), 422, "slot_wrong_service")


def test_an_unknown_time_is_404(client, auth, slot):
    problem(book(client, slot, auth, slot_id=slot.pk + 1000), 404, "slot_not_found")


def test_booking_too_often_is_429_with_retry_after(client, auth, slot, settings):
    # given a limit of one attempt a minute
    settings.APPOINTMENT_RATE_PER_ACCOUNT = "1/60"
    Slot.objects.filter(pk=slot.pk).update(booked=2)
    problem(book(client, slot, auth), 409, "slot_full")
    # when
    response = book(client, slot, auth)
    # then
    body = problem(response, 429, "booking_rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert body["retry_after"] == int(response["Retry-After"])


def test_missed_appointments_block_booking_with_the_reason(client, citizen, auth, slot):
    # given three missed appointments in the last weeks
    for days in (10, 20, 30):
        AppointmentFactory(
            person=citizen.person,
            status=AppointmentStatus.NO_SHOW,
            slot=SlotFactory(starts_at=in_days(-days), booked=1),
        )
    # when
    body = problem(book(client, slot, auth, **{}), 403, "blocked_for_no_shows")
    # then
    assert dt.datetime.fromisoformat(body["blocked_until"]) > timezone.now()


def test_an_unbound_account_cannot_book(client, slot):
    user = UnboundCitizenFactory()
    problem(book(client, slot, bearer(user)), 403, "identity_not_bound")


def test_booking_needs_a_signed_in_citizen(client, slot):
    problem(book(client, slot, {}), 401, "not_authenticated")
    problem(book(client, slot, {"authorization": "Bearer nope.nope"}), 401)


def test_the_website_session_needs_the_csrf_token_to_book(citizen, slot):
    # given the website's session, without its CSRF token
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    # when / then
    problem(book(client, slot, {}), 403, "csrf_failed")
    assert client.get(BOOK).status_code == 200


def test_problems_follow_the_reader_language(client, slot):
    zh = problem(book(client, slot, {"accept-language": "zh-Hans"}), 401)
    en = problem(book(client, slot, {"accept-language": "en"}), 401)
    assert en["title"] == "You need to sign in"
    assert zh["title"] != en["title"]


# -- my appointments ------------------------------------------------------------------------------


def test_my_appointments_are_listed_newest_first_with_pages(client, citizen, auth, slot):
    # given three appointments of the citizen and one of a stranger
    made = [
        AppointmentFactory(
            person=citizen.person,
            document_type=kind,
            slot=SlotFactory(starts_at=in_days(days), booked=1),
        )
        for kind, days in (("passport", 3), ("hk_macao_pass", 5), ("taiwan_permit", 4))
    ]
    AppointmentFactory()
    # when
    first = client.get(BOOK, {"limit": 2}, headers=auth)
    second = client.get(first.json()["next"], headers=auth)
    # then
    assert first.status_code == 200, first.content
    page = first.json()
    assert page["count"] == 3
    assert [a["number"] for a in page["results"]] == [made[1].number, made[2].number]
    assert [a["number"] for a in second.json()["results"]] == [made[0].number]
    assert second.json()["next"] is None


def test_the_list_reads_in_a_fixed_number_of_queries(client, citizen, auth):
    # given one appointment, and a token already used once
    AppointmentFactory(person=citizen.person, document_type="passport")
    client.get(BOOK, headers=auth)
    with CaptureQueriesContext(connection) as one:
        client.get(BOOK, headers=auth)
    # when there are three
    for kind in ("hk_macao_pass", "taiwan_permit"):
        AppointmentFactory(person=citizen.person, document_type=kind)
    with CaptureQueriesContext(connection) as three:
        body = client.get(BOOK, headers=auth).json()
    # then the same queries: token, minors, appointments with their hall, service and slot
    assert len(body["results"]) == 3
    assert len(three) == len(one) <= 3


def test_a_past_booking_shows_as_missed_and_cannot_change(client, citizen, auth):
    # given a booking whose time has passed
    gone = AppointmentFactory(person=citizen.person, slot=SlotFactory(starts_at=in_days(-2)))
    # when
    body = client.get(f"{BOOK}/{gone.number}", headers=auth).json()
    # then
    assert body["status"] == "no_show"
    assert body["can_change"] is False and body["change_until"] is None
    assert body["checkin"] is None


def test_the_number_may_be_typed_with_hyphens_and_in_lower_case(client, citizen, auth):
    appointment = AppointmentFactory(person=citizen.person)
    typed = appointment.number_display.lower()
    assert client.get(f"{BOOK}/{typed}", headers=auth).json()["number"] == appointment.number


def test_cancel_frees_the_seat(client, auth, slot):
    # given
    number = book(client, slot, auth).json()["number"]
    # when
    response = post(client, f"me/appointments/{number}/cancel", **auth)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["can_change"] is False
    assert [e["kind"] for e in body["events"]] == ["booked", "cancelled"]
    slot.refresh_from_db()
    assert slot.booked == 0
    # and it cannot be cancelled twice
    problem(post(client, f"me/appointments/{number}/cancel", **auth), 409)


def test_reschedule_moves_to_the_new_time_and_frees_the_old_seat(client, auth, slot):
    # given a booking and another time at another hall
    number = book(client, slot, auth).json()["number"]
    elsewhere = SlotFactory(starts_at=in_days(5, 15), hall=HallFactory(code="FUTIAN"))
    # when
    response = post(
        client, f"me/appointments/{number}/reschedule", {"slot_id": elsewhere.pk}, **auth
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == number
    assert body["slot_id"] == elsewhere.pk
    assert body["hall"]["code"] == "FUTIAN"
    assert dt.datetime.fromisoformat(body["starts_at"]) == elsewhere.starts_at
    assert [e["kind"] for e in body["events"]] == ["booked", "rescheduled"]
    slot.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (slot.booked, elsewhere.booked) == (0, 1)


def test_reschedule_to_a_full_time_is_409_with_the_next_free(client, auth, slot):
    number = book(client, slot, auth).json()["number"]
    full = SlotFactory(hall=slot.hall, service=slot.service, starts_at=in_days(5), booked=5)
    body = problem(
        post(client, f"me/appointments/{number}/reschedule", {"slot_id": full.pk}, **auth),
        409,
        "slot_full",
    )
    assert "next_free" in body
    assert Appointment.objects.get().slot_id == slot.pk


def test_reschedule_needs_the_new_time(client, auth, slot):
    number = book(client, slot, auth).json()["number"]
    for body in ({}, {"slot_id": None}, {"slot_id": -1}):
        found = problem(post(client, f"me/appointments/{number}/reschedule", body, **auth), 422)
        assert [e["field"] for e in found["errors"]] == ["slot_id"]


def test_no_change_after_the_cutoff(client, citizen, auth, settings):
    # given a booking two hours from now, with changes closing 24 hours before
    settings.APPOINTMENT_CHANGE_CUTOFF_HOURS = 24
    soon = timezone.now() + dt.timedelta(hours=2)
    appointment = AppointmentFactory(
        person=citizen.person, booked_by=citizen, slot=SlotFactory(starts_at=soon, booked=1)
    )
    other = SlotFactory(starts_at=in_days(5))
    path = f"me/appointments/{appointment.number}"
    # when / then
    assert client.get(f"/api/v1/{path}", headers=auth).json()["can_change"] is False
    problem(post(client, f"{path}/cancel", **auth), 409, "change_cutoff_passed")
    problem(
        post(client, f"{path}/reschedule", {"slot_id": other.pk}, **auth),
        409,
        "change_cutoff_passed",
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_calendar_file_parses_and_holds_the_appointment(client, auth, slot):
    # given
    number = book(client, slot, auth).json()["number"]
    # when
    response = client.get(f"{BOOK}/{number}.ics", headers=auth | {"accept-language": "en"})
    # then
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    assert number in response["Content-Disposition"]
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    appointment = Appointment.objects.get()
    assert str(event["uid"]) == f"{number}@exitentry"
    assert event.decoded("dtstart") == slot.starts_at
    assert event.decoded("dtend") == slot.ends_at
    assert appointment.number_display in str(event["summary"])
    assert slot.hall.name_en in str(event["location"])


def test_another_citizen_s_appointment_does_not_exist_for_me(client, slot):
    # given A's appointment, and B signed in
    owner = CitizenFactory()
    PassportFactory(person=owner.person)
    number = book(client, slot, bearer(owner)).json()["number"]
    intruder = bearer(CitizenFactory())
    other = SlotFactory(hall=slot.hall, service=slot.service, starts_at=in_days(5))
    # when / then
    for response in (
        client.get(f"{BOOK}/{number}", headers=intruder),
        client.get(f"{BOOK}/{number}.ics", headers=intruder),
        post(client, f"me/appointments/{number}/cancel", **intruder),
        post(client, f"me/appointments/{number}/reschedule", {"slot_id": other.pk}, **intruder),
    ):
        problem(response, 404, "appointment_not_found")
    assert client.get(BOOK, headers=intruder).json()["count"] == 0
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED


def test_my_appointment_endpoints_need_sign_in(client, citizen):
    number = AppointmentFactory(person=citizen.person).number
    for response in (
        client.get(BOOK),
        client.get(f"{BOOK}/{number}"),
        client.get(f"{BOOK}/{number}.ics"),
        post(client, f"me/appointments/{number}/cancel"),
    ):
        problem(response, 401, "not_authenticated")


# -- seat alerts ----------------------------------------------------------------------------------


def test_seat_alerts_are_made_listed_and_cancelled(client, auth, slot):
    # given
    today = dt.datetime.now(SHANGHAI).date()
    body = {
        "hall": "LUOHU",
        "service": "passport",
        "date_from": str(today + dt.timedelta(days=1)),
        "date_to": str(today + dt.timedelta(days=10)),
    }
    # when
    made = post(client, "me/seat-alerts", body, **auth)
    # then
    assert made.status_code == 201, made.content
    alert = made.json()
    assert alert["status"] == "waiting"
    assert alert["hall"]["code"] == "LUOHU"
    listed = client.get("/api/v1/me/seat-alerts", headers=auth).json()
    assert [a["id"] for a in listed["results"]] == [alert["id"]]
    # when cancelled
    gone = client.delete(f"/api/v1/me/seat-alerts/{alert['id']}", headers=auth)
    # then
    assert gone.status_code == 204
    assert SlotWatch.objects.get().cancelled_at is not None
    assert client.get("/api/v1/me/seat-alerts", headers=auth).json()["count"] == 0
    problem(client.delete(f"/api/v1/me/seat-alerts/{alert['id']}", headers=auth), 404)


def test_seat_alerts_refuse_bad_ranges_and_others_alerts(client, auth, slot):
    today = dt.datetime.now(SHANGHAI).date()
    body = {"hall": "LUOHU", "service": "passport", "date_from": str(today)}
    problem(
        post(
            client, "me/seat-alerts", body | {"date_to": str(today - dt.timedelta(days=1))}, **auth
        ),
        422,
        "invalid_date_range",
    )
    problem(
        post(client, "me/seat-alerts", body | {"date_to": str(today), "hall": "NOPE"}, **auth),
        404,
    )
    owner = CitizenFactory()
    theirs = post(client, "me/seat-alerts", body | {"date_to": str(today)}, **bearer(owner))
    assert theirs.status_code == 201, theirs.content
    problem(client.delete(f"/api/v1/me/seat-alerts/{theirs.json()['id']}", headers=auth), 404)
    assert SlotWatch.objects.get().is_active


def test_delivery_by_mail_is_chosen_at_booking(client, auth, slot):
    # given the citizen wants the passport mailed
    details = {"delivery": "mail", "delivery_address": "广东省深圳市罗湖区人民南路1号 陈建国"}
    # when they book
    response = book(client, slot, auth, details=details)
    # then the answers keep it (collection at the hall, the default, is not stored)
    assert response.status_code == 201, response.content
    assert response.json()["details"]["delivery"] == "mail"
    assert Appointment.objects.get().details["delivery_address"].startswith("广东省")
