"""Check-ins at one hall at the same moment, with real threads and transactions (each thread its
own database connection): every applicant gets a queue number of their own."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from reception import services
from reception.models import QueueCounter, Reception

from .conftest import appointment_at, at

pytestmark = pytest.mark.django_db(transaction=True)
CHECK_INS = 24


def test_concurrent_check_ins_get_unique_consecutive_queue_numbers(officer, hall, guide):
    # given appointments at one hall, a minute apart from 10:00
    appointments = [appointment_at(hall, at(10, minute)) for minute in range(CHECK_INS)]
    barrier = threading.Barrier(CHECK_INS)
    errors: list[str] = []

    def check_in(appointment):
        try:
            barrier.wait(timeout=30)
            return services.reception_check_in(
                officer=officer, code=appointment.number, now=at(9, 55)
            ).queue_number
        except Exception as exc:  # anything but a number is a failure, shown below
            errors.append(repr(exc))
            return None
        finally:
            connection.close()

    # when they are all checked in at once
    with ThreadPoolExecutor(max_workers=CHECK_INS) as pool:
        numbers = list(pool.map(check_in, appointments))
    # then
    assert not errors
    assert sorted(numbers) == list(range(1, CHECK_INS + 1))
    assert Reception.objects.filter(hall=hall).count() == CHECK_INS
    assert QueueCounter.objects.get(hall=hall).last == CHECK_INS
