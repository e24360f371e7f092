"""Booking under a rush, with real threads and real transactions (each thread its own database
connection): the database, not luck, keeps capacity and one active booking per document."""

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from appointments import services
from appointments.models import Appointment, Slot
from core.errors import Problem
from documents.tests.factories import CitizenFactory, PassportFactory

from .factories import SlotFactory, in_days

pytestmark = pytest.mark.django_db(transaction=True)
# Threads that hold a connection each: below PostgreSQL's default of 100 connections.
WORKERS = 40


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.APPOINTMENT_RATE_PER_ACCOUNT = "0/60"  # no limit: the race itself is under test


def citizens(count: int) -> list:
    users = []
    for _ in range(count):
        user = CitizenFactory()
        PassportFactory(person=user.person)
        users.append(user)
    return users


def race(calls: list) -> Counter:
    """Run the calls at once (all released by one barrier); count outcomes by problem code."""
    barrier = threading.Barrier(min(len(calls), WORKERS))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(call):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)
            try:
                call()
                outcome = "booked"
            except Problem as problem:
                outcome = problem.code
            except Exception as exc:  # anything else would be a 500: record it, fail below
                outcome = f"error: {exc!r}"
            with lock:
                outcomes[outcome] += 1
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(run, calls))
    return outcomes


def test_200_concurrent_bookings_on_15_seats_give_exactly_15():
    # given 15 seats and 200 citizens
    slot = SlotFactory(capacity=15)
    people = citizens(200)
    calls = [
        (
            lambda user=user: services.appointment_book(
                user=user, document_type="passport", kind="renewal", slot_id=slot.pk
            )
        )
        for user in people
    ]
    # when they all book at once
    outcomes = race(calls)
    # then
    assert outcomes == Counter({"booked": 15, "slot_full": 185}), outcomes
    slot.refresh_from_db()
    assert slot.booked == 15
    assert Appointment.objects.filter(slot=slot).count() == 15
    assert Appointment.objects.values("person").distinct().count() == 15


def test_20_concurrent_bookings_by_one_citizen_give_exactly_1():
    # given one citizen and 20 different free times
    (user,) = citizens(1)
    first = SlotFactory(capacity=5)
    slots = [first] + [
        SlotFactory(hall=first.hall, service=first.service, starts_at=in_days(3, 9, 0 + i))
        for i in range(1, 20)
    ]
    calls = [
        (
            lambda slot=slot: services.appointment_book(
                user=user, document_type="passport", kind="renewal", slot_id=slot.pk
            )
        )
        for slot in slots
    ]
    # when
    outcomes = race(calls)
    # then
    assert outcomes == Counter({"booked": 1, "already_booked": 19}), outcomes
    assert Appointment.objects.filter(person=user.person).count() == 1
    assert sum(Slot.objects.values_list("booked", flat=True)) == 1


def test_retries_with_one_idempotency_key_book_once():
    (user,) = citizens(1)
    slot = SlotFactory(capacity=5)
    results = []

    def call():
        results.append(
            services.appointment_book(
                user=user,
                document_type="passport",
                kind="renewal",
                slot_id=slot.pk,
                idempotency_key="same-key",
            )
        )

    outcomes = race([call] * 10)
    assert outcomes == Counter({"booked": 10}), outcomes
    assert len({r.appointment.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1
    slot.refresh_from_db()
    assert slot.booked == 1


def test_concurrent_cancel_and_reschedule_keep_the_counts_right():
    # given 20 bookings in one slot, and a second slot with 10 seats
    people = citizens(20)
    slot = SlotFactory(capacity=20)
    other = SlotFactory(hall=slot.hall, service=slot.service, starts_at=in_days(4), capacity=10)
    bookings = [
        services.appointment_book(
            user=u, document_type="passport", kind="renewal", slot_id=slot.pk
        ).appointment
        for u in people
    ]
    # when half move to the other slot and half cancel, all at once
    calls = []
    for user, appointment in zip(people, bookings, strict=True):
        if len(calls) % 2:
            calls.append(
                lambda u=user, a=appointment: services.appointment_cancel(user=u, appointment=a)
            )
        else:
            calls.append(
                lambda u=user, a=appointment: services.appointment_reschedule(
                    user=u, appointment=a, slot_id=other.pk
                )
            )
    outcomes = race(calls)
    # then
    assert outcomes == Counter({"booked": 20}), outcomes
    slot.refresh_from_db()
    other.refresh_from_db()
    assert (slot.booked, other.booked) == (0, 10)
    assert Appointment.objects.filter(slot=other, status="booked").count() == 10
