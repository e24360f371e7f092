"""Fixtures of the applications' tests: a hall with its staff (each role), a citizen holding a
passport, and applications accepted there."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from applications.services import application_accept
from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory, SlotFactory, in_days
from documents.tests.factories import CitizenFactory, PassportFactory
from guide.tests.factories import HallFactory
from staff.models import Role
from staff.tests.factories import StaffRoleFactory, TOTPDeviceFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def staff_member(role: Role, username: str, **scope):
    user = StaffRoleFactory(role=role, user__username=username, **scope).user
    TOTPDeviceFactory(user=user)
    return user


def verified_client(user) -> Client:
    """A client signed in as `user` with their second factor verified."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


@pytest.fixture
def hall(db):
    return HallFactory(code="440303-01", name_zh="罗湖区出入境办证大厅", name_en="Luohu Hall")


@pytest.fixture
def other_hall(db):
    return HallFactory(code="110101-01", name_zh="东城区出入境办证大厅", name_en="Dongcheng Hall")


@pytest.fixture
def officer(hall):
    return staff_member(Role.HALL_OFFICER, "officer", halls=[hall])


@pytest.fixture
def reviewer(hall):
    return staff_member(Role.REVIEWER, "reviewer", halls=[hall])


@pytest.fixture
def supervisor(hall):
    return staff_member(Role.SUPERVISOR, "supervisor", halls=[hall])


@pytest.fixture
def citizen(db):
    user = CitizenFactory()
    PassportFactory(person=user.person, number="E12345678")
    return user


_minutes = itertools.count()


def accept(person, *, hall, officer, booked_by=None, details=None, document_type="passport"):
    """An application accepted at `hall` from a checked-in appointment of `person`."""
    start = in_days(0, 8) + dt.timedelta(minutes=next(_minutes))
    slot = SlotFactory(starts_at=start, hall=hall, booked=1)
    appointment = AppointmentFactory(
        person=person,
        booked_by=booked_by,
        document_type=document_type,
        slot=slot,
        status=AppointmentStatus.CHECKED_IN,
        details=details or {"contact_phone": "+8613800000000"},
    )
    return application_accept(appointment=appointment, officer=officer, fee_amount=Decimal(120))


@pytest.fixture
def application(citizen, hall, officer):
    return accept(citizen.person, hall=hall, officer=officer, booked_by=citizen)


@pytest.fixture
def by_mail(citizen, hall, officer):
    details = {"delivery": "mail", "delivery_address": "广东省深圳市罗湖区人民南路1号"}
    return accept(citizen.person, hall=hall, officer=officer, booked_by=citizen, details=details)
