import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from appointments import selectors, services
from appointments.models import Appointment, AppointmentEvent, AppointmentStatus, Slot, SlotWatch
from appointments.slots import slots_generate
from core.errors import Problem
from documents.tests.factories import CitizenFactory, PassportFactory
from guide.calendar import SHANGHAI
from guide.tests.factories import HallFactory, ServiceFactory
from notifications.models import Notification
from persons.tests.factories import GuardianshipFactory, MinorFactory

from .factories import AppointmentFactory, SlotFactory, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    """A bound citizen holding a passport (so a renewal fits)."""
    user = CitizenFactory()
    PassportFactory(person=user.person)
    return user


@pytest.fixture
def slot():
    return SlotFactory(capacity=2)


def book(user, slot, **overrides):
    fields = {
        "user": user,
        "document_type": "passport",
        "kind": "renewal",
        "details": {},
        "slot_id": slot.pk,
    }
    return services.appointment_book(**(fields | overrides))


def raises_code(code: str):
    class _Check:
        def __enter__(self):
            return self

        def __exit__(self, kind, exc, tb):
            assert isinstance(exc, Problem), f"expected a problem {code}, got {exc!r}"
            assert exc.code == code, f"expected {code}, got {exc.code}: {exc.detail}"
            return True

    return _Check()


# Booking


def test_booking_takes_a_seat_records_the_event_and_queues_the_message(citizen, slot):
    # when
    booking = book(citizen, slot)
    # then
    appointment = booking.appointment
    assert booking.created
    assert len(appointment.number) == 12
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.person == citizen.person
    assert appointment.booked_by == citizen
    assert appointment.details["contact_phone"] == citizen.phone
    slot.refresh_from_db()
    assert slot.booked == 1
    assert list(appointment.events.values_list("kind", flat=True)) == ["booked"]
    message = Notification.objects.get(user=citizen)
    assert appointment.number_display in message.text


def test_a_full_slot_answers_409_with_the_next_free_times(citizen, slot):
    # given the slot full, and a later one with seats at the same hall
    Slot.objects.filter(pk=slot.pk).update(booked=2)
    later = SlotFactory(hall=slot.hall, service=slot.service, starts_at=in_days(4))
    # when / then
    with pytest.raises(Problem) as caught:
        book(citizen, slot)
    assert caught.value.status == 409
    assert caught.value.code == "slot_full"
    assert [f["slot_id"] for f in caught.value.extra["next_free"]] == [later.pk]
    assert not Appointment.objects.exists()


def test_one_active_appointment_per_person_and_document(citizen, slot):
    book(citizen, slot)
    other = SlotFactory(hall=slot.hall, service=slot.service, starts_at=in_days(5))
    with raises_code("already_booked"):
        book(citizen, other)
    other.refresh_from_db()
    assert other.booked == 0


def test_the_same_idempotency_key_returns_the_first_booking(citizen, slot):
    first = book(citizen, slot, idempotency_key="k-1")
    again = book(citizen, slot, idempotency_key="k-1")
    assert not again.created
    assert again.appointment.pk == first.appointment.pk
    slot.refresh_from_db()
    assert slot.booked == 1


def test_the_same_key_with_another_request_is_refused(citizen, slot):
    book(citizen, slot, idempotency_key="k-1")
    with raises_code("idempotency_key_reused"):
        book(citizen, slot, idempotency_key="k-1", kind="replacement")


def test_a_renewal_needs_a_document_to_renew(slot):
    user = CitizenFactory()  # holds no passport
    with raises_code("application_kind_does_not_fit"):
        book(user, slot)


def test_a_lost_passport_cannot_be_renewed_only_replaced(citizen, slot):
    citizen.person.documents.update(status="reported_lost")
    with raises_code("application_kind_does_not_fit"):
        book(citizen, slot)
    booking = book(citizen, slot, kind="replacement", details={"replacement_reason": "lost"})
    assert booking.appointment.details["replacement_reason"] == "lost"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"starts_at": timezone.now() - dt.timedelta(hours=1)}, "slot_in_past"),
        ({"released_at": timezone.now() + dt.timedelta(days=1)}, "slot_not_released"),
        ({"is_closed": True}, "slot_closed"),
    ],
)
def test_slots_that_cannot_be_booked(citizen, slot, change, code):
    Slot.objects.filter(pk=slot.pk).update(**change)
    with raises_code(code):
        book(citizen, slot)


def test_a_slot_of_another_service_or_unknown_is_refused(citizen):
    pass_slot = SlotFactory(service=ServiceFactory(code="hk-macao-pass", name_en="HK pass"))
    with raises_code("slot_wrong_service"):
        book(citizen, pass_slot)
    with raises_code("slot_not_found"):
        services.appointment_book(
            user=citizen, document_type="passport", kind="renewal", slot_id="99999999"
        )
    with raises_code("slot_not_found"):
        services.appointment_book(
            user=citizen, document_type="passport", kind="renewal", slot_id="abc"
        )


def test_a_guardian_books_for_a_minor_but_not_for_a_stranger(citizen, slot):
    child = MinorFactory()
    GuardianshipFactory(guardian=citizen.person, child=child)
    PassportFactory(person=child)
    booking = book(citizen, slot, person_id=child.pk)
    assert booking.appointment.person == child
    assert booking.appointment.booked_by == citizen
    stranger = CitizenFactory().person
    with raises_code("person_not_found"):
        book(citizen, slot, person_id=stranger.pk)


def test_unbound_accounts_cannot_book(slot):
    from documents.tests.factories import UnboundCitizenFactory

    with raises_code("identity_not_bound"):
        book(UnboundCitizenFactory(), slot)


def test_too_many_attempts_are_rate_limited(citizen, slot, settings):
    settings.APPOINTMENT_RATE_PER_ACCOUNT = "2/60"
    book(citizen, slot)
    with raises_code("already_booked"):
        book(citizen, slot)
    with pytest.raises(Problem) as caught:
        book(citizen, slot)
    assert caught.value.status == 429
    assert caught.value.extra["retry_after"] >= 1


def test_three_missed_appointments_block_booking_with_the_reason(citizen, slot):
    # given three appointments missed in the last 180 days (one marked, two just past)
    for days in (10, 20, 30):
        past = timezone.now() - dt.timedelta(days=days)
        AppointmentFactory(
            person=citizen.person,
            status=AppointmentStatus.NO_SHOW if days == 10 else AppointmentStatus.CANCELLED,
            slot=SlotFactory(starts_at=past, ends_at=past + dt.timedelta(minutes=30)),
        )
    AppointmentFactory(
        person=citizen.person,
        document_type="hk_macao_pass",
        status=AppointmentStatus.NO_SHOW,
        slot=SlotFactory(starts_at=timezone.now() - dt.timedelta(days=3)),
    )
    AppointmentFactory(
        person=citizen.person,
        document_type="taiwan_permit",
        slot=SlotFactory(starts_at=timezone.now() - dt.timedelta(days=2)),
    )  # booked, never came: counts as missed before the task marks it
    # when / then
    with pytest.raises(Problem) as caught:
        book(citizen, slot)
    assert caught.value.status == 403
    assert caught.value.code == "blocked_for_no_shows"
    assert "3" in caught.value.detail


# Cancelling and moving


def test_cancel_gives_the_seat_back_and_tells_seat_alerts(citizen, slot):
    # given a full slot and someone waiting for a seat there
    booking = book(citizen, slot)
    Slot.objects.filter(pk=slot.pk).update(booked=2)
    waiting = CitizenFactory()
    watch = services.seat_watch_create(
        user=waiting,
        hall_code=slot.hall.code,
        service_code="passport",
        date_from=slot.date,
        date_to=slot.date,
    )
    # when
    with django_capture_on_commit():
        services.appointment_cancel(user=citizen, appointment=booking.appointment)
    # then
    slot.refresh_from_db()
    assert slot.booked == 1
    booking.appointment.refresh_from_db()
    assert booking.appointment.status == AppointmentStatus.CANCELLED
    watch.refresh_from_db()
    assert watch.notified_at is not None
    assert Notification.objects.filter(user=waiting, kind="seat_available").exists()


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_cancel_after_the_cutoff_is_refused(citizen, settings):
    settings.APPOINTMENT_CHANGE_CUTOFF_HOURS = 24
    soon = SlotFactory(starts_at=timezone.now() + dt.timedelta(hours=5))
    booking = book(citizen, soon)
    with raises_code("change_cutoff_passed"):
        services.appointment_cancel(user=citizen, appointment=booking.appointment)
    assert not selectors.appointment_can_change(booking.appointment)


def test_cancel_twice_is_a_conflict(citizen, slot):
    booking = book(citizen, slot)
    services.appointment_cancel(user=citizen, appointment=booking.appointment)
    with raises_code("appointment_transition_not_allowed"):
        services.appointment_cancel(user=citizen, appointment=booking.appointment)
    slot.refresh_from_db()
    assert slot.booked == 0


def test_someone_else_cannot_cancel(citizen, slot):
    booking = book(citizen, slot)
    with raises_code("appointment_not_found"):
        services.appointment_cancel(user=CitizenFactory(), appointment=booking.appointment)


def test_reschedule_moves_the_seat_to_another_hall(citizen, slot):
    booking = book(citizen, slot)
    elsewhere = SlotFactory(
        hall=HallFactory(code="BJ-01"), service=slot.service, starts_at=in_days(6)
    )
    moved = services.appointment_reschedule(
        user=citizen, appointment=booking.appointment, slot_id=elsewhere.pk
    )
    slot.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (slot.booked, elsewhere.booked) == (0, 1)
    assert moved.hall.code == "BJ-01"
    assert moved.starts_at == elsewhere.starts_at
    assert moved.events.last().kind == AppointmentEvent.Kind.RESCHEDULED


def test_reschedule_to_a_full_slot_keeps_the_booking(citizen, slot):
    booking = book(citizen, slot)
    full = SlotFactory(hall=slot.hall, service=slot.service, starts_at=in_days(6), capacity=1)
    Slot.objects.filter(pk=full.pk).update(booked=1)
    with raises_code("slot_full"):
        services.appointment_reschedule(
            user=citizen, appointment=booking.appointment, slot_id=full.pk
        )
    booking.appointment.refresh_from_db()
    assert booking.appointment.slot_id == slot.pk


# The hall's side


def test_closing_a_slot_cancels_its_bookings_with_the_reason(citizen, slot):
    booking = book(citizen, slot)
    cancelled = services.slot_close(slot=slot, reason_zh="设备检修", reason_en="Equipment repair")
    assert cancelled == 1
    booking.appointment.refresh_from_db()
    assert booking.appointment.status == AppointmentStatus.CANCELLED_BY_HALL
    assert "Equipment repair" in booking.appointment.status_note
    assert Notification.objects.filter(kind="appointment_cancelled_by_hall").count() == 1
    slot.refresh_from_db()
    assert (slot.is_closed, slot.booked) == (True, 0)


def test_capacity_change_applies_to_future_slots_but_never_below_bookings(citizen, slot):
    book(citizen, slot)
    services.capacity_set(hall=slot.hall, service=slot.service, counters=0, applicants_per_hour=0)
    slot.refresh_from_db()
    assert slot.capacity == 1  # the one booked seat stays
    services.capacity_set(hall=slot.hall, service=slot.service, counters=3, applicants_per_hour=6)
    slot.refresh_from_db()
    assert slot.capacity == 9  # 3 counters x 6 an hour x half an hour


def test_missed_appointments_are_marked_after_their_end(citizen):
    past = timezone.now() - dt.timedelta(days=1)  # the hall has closed since
    missed = AppointmentFactory(person=citizen.person, slot=SlotFactory(starts_at=past))
    future = AppointmentFactory(document_type="hk_macao_pass", person=citizen.person)
    assert selectors.appointment_display_status(missed) == AppointmentStatus.NO_SHOW
    assert services.appointments_mark_no_shows() == 1
    missed.refresh_from_db()
    future.refresh_from_db()
    assert missed.status == AppointmentStatus.NO_SHOW
    assert future.status == AppointmentStatus.BOOKED
    assert services.appointments_mark_no_shows() == 0


# Slots from the hall's hours


def test_slots_follow_the_hours_and_skip_closed_days(settings):
    # given a hall open Monday-Friday 09:00-12:00 and 13:30-17:00, 2 counters x 4 an hour
    settings.APPOINTMENT_RELEASE_DAYS = 7
    hall = HallFactory()
    # when
    made = slots_generate(hall_ids=[hall.pk])
    # then: 6 + 7 half-hour slots on each working day, 4 seats each, none on rest days
    slots = Slot.objects.filter(hall=hall)
    assert made == slots.count() > 0
    by_day: dict = {}
    for slot in slots:
        by_day.setdefault(slot.date, []).append(slot)
        assert slot.capacity == 4
        assert slot.released_at == dt.datetime.combine(
            slot.date - dt.timedelta(days=7), dt.time(8), tzinfo=SHANGHAI
        )
    import chinese_calendar

    for day, day_slots in by_day.items():
        assert chinese_calendar.is_workday(day)
        assert len(day_slots) == 13
    assert slots_generate(hall_ids=[hall.pk]) == 0  # idempotent


def test_availability_only_reads_unless_handed_the_slot_maker(settings):
    settings.APPOINTMENT_RELEASE_DAYS = 7
    hall = HallFactory()
    today = dt.datetime.now(SHANGHAI).date()
    # given a hall whose slots are not made yet: a plain read writes nothing
    read = selectors.availability(
        hall_code=hall.code, service_code="passport", date_from=today, date_to=today
    )
    assert not Slot.objects.filter(hall=hall).exists()
    assert all(not day.slots for day in read.days)
    # when the caller hands the slot maker (as the API and the pages do), the first look makes
    # them, and unreleased ones are hidden
    cache.clear()
    result = selectors.availability(
        hall_code=hall.code,
        service_code="passport",
        date_from=today,
        date_to=today + dt.timedelta(days=13),
        make_slots=slots_generate,
    )
    assert Slot.objects.filter(hall=hall).exists()
    horizon = selectors.release_horizon()
    for day in result.days:
        for slot in day.slots:
            assert slot.is_released == (day.date <= horizon)
            assert slot.available == (4 if slot.is_released else 0)


@pytest.mark.parametrize(
    ("days_from", "days_to", "code"),
    [(3, 1, "invalid_date_range"), (0, 40, "invalid_date_range"), (-10, -5, "slot_in_past")],
)
def test_availability_refuses_bad_ranges(days_from, days_to, code):
    hall = HallFactory()
    today = dt.datetime.now(SHANGHAI).date()
    with raises_code(code):
        selectors.availability(
            hall_code=hall.code,
            service_code="passport",
            date_from=today + dt.timedelta(days=days_from),
            date_to=today + dt.timedelta(days=days_to),
        )


def test_availability_of_a_service_the_hall_does_not_offer():
    hall = HallFactory()
    ServiceFactory(code="taiwan-permit", name_en="Taiwan permit")
    today = dt.datetime.now(SHANGHAI).date()
    with raises_code("service_not_offered"):
        selectors.availability(
            hall_code=hall.code, service_code="taiwan-permit", date_from=today, date_to=today
        )
    with raises_code("slot_not_found"):
        selectors.availability(
            hall_code="NOPE", service_code="passport", date_from=today, date_to=today
        )


def test_the_calendar_file_and_the_check_in_code(citizen, slot):
    from icalendar import Calendar

    booking = book(citizen, slot)
    calendar = Calendar.from_ical(selectors.appointment_ics(booking.appointment))
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("dtstart") == slot.starts_at
    assert booking.appointment.number_display in str(event.get("summary"))
    assert selectors.appointment_qr_svg(booking.appointment).startswith("<svg")
    assert booking.appointment.number in selectors.appointment_checkin_code(booking.appointment)


def test_seat_alerts_are_limited(citizen, slot, settings):
    settings.APPOINTMENT_MAX_WATCHES = 1
    args = {
        "user": citizen,
        "hall_code": slot.hall.code,
        "service_code": "passport",
        "date_from": slot.date,
        "date_to": slot.date,
    }
    watch = services.seat_watch_create(**args)
    with raises_code("too_many_seat_alerts"):
        services.seat_watch_create(**args)
    services.seat_watch_cancel(user=citizen, watch_id=watch.pk)
    assert SlotWatch.objects.get(pk=watch.pk).cancelled_at is not None
    with raises_code("seat_alert_not_found"):
        services.seat_watch_cancel(user=CitizenFactory(), watch_id=watch.pk)


def test_a_seat_given_back_is_bookable_at_once_after_the_slot_was_found_full(citizen):
    # given a one-seat slot that is taken, and a second citizen refused (the slot is now
    # remembered as full)
    slot = SlotFactory(capacity=1)
    first = book(citizen, slot)
    other = CitizenFactory()
    PassportFactory(person=other.person)
    with raises_code("slot_full"):
        book(other, slot)
    # when the first citizen cancels
    with django_capture_on_commit():
        services.appointment_cancel(user=citizen, appointment=first.appointment)
    # then the second books the seat at once
    assert book(other, slot).created
