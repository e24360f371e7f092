import datetime as dt
import importlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from PIL import Image

from appointments.tests.factories import AppointmentFactory, SlotFactory
from documents.tests.factories import PassportFactory
from guide.calendar import SHANGHAI
from guide.tests.factories import GuideFactory, HallFactory, ServiceFactory
from persons.tests.factories import PersonFactory
from staff.models import Role
from staff.tests.factories import StaffRoleFactory, TOTPDeviceFactory

# A Monday: the test hall is open 09:00-12:00 and 13:30-17:00.
DAY = dt.date(2030, 1, 7)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    """A moment on `day` in Beijing time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def passport_service(db):
    return ServiceFactory()


@pytest.fixture
def hall(passport_service):
    return HallFactory(code="440303-01", name_zh="罗湖区出入境办证大厅", name_en="Luohu Hall")


@pytest.fixture
def other_hall(passport_service):
    return HallFactory(code="440304-01", name_zh="福田区出入境办证大厅", name_en="Futian Hall")


@pytest.fixture
def guide(passport_service):
    return GuideFactory(
        slug="passport-renewal",
        service=passport_service,
        materials_zh="居民身份证\n原护照",
        materials_en="Resident ID card\nYour current passport",
    )


def staff_member(role: Role = Role.HALL_OFFICER, **scope):
    staff_role = StaffRoleFactory(role=role, **scope)
    TOTPDeviceFactory(user=staff_role.user)
    return staff_role.user


@pytest.fixture
def officer(hall):
    return staff_member(user__username="officer", halls=[hall])


@pytest.fixture
def other_officer(other_hall):
    return staff_member(user__username="other-officer", halls=[other_hall])


def verified_client(user) -> Client:
    """A client signed in as `user` with their TOTP device verified in the session."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


def english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def appointment_at(hall, starts_at: dt.datetime, **fields):
    """A booked passport renewal at `hall` (the person holds a passport, so it fits)."""
    person = fields.pop("person", None) or PersonFactory()
    if not person.documents.exists():
        PassportFactory(person=person)
    slot = SlotFactory(
        hall=hall,
        service=hall.services.get(),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=30),
        date=starts_at.astimezone(SHANGHAI).date(),
        booked=1,
    )
    return AppointmentFactory(slot=slot, person=person, **fields)


def now_slot_start() -> dt.datetime:
    """A start time that lets an appointment be checked in right now: ten minutes ago, but
    never before today's midnight (Beijing time)."""
    now = timezone.now().astimezone(SHANGHAI)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - dt.timedelta(minutes=10), midnight)


def fee_table_seed() -> None:
    """The fee table as its data migration seeds it (again after a transactional test emptied
    the database)."""
    from django.apps import apps

    importlib.import_module("reception.migrations.0002_fee_table").seed(apps, None)


@pytest.fixture
def fee_table(db):
    fee_table_seed()


@pytest.fixture
def appointment(hall, guide, fee_table):
    """An appointment at the officer's hall on DAY at 10:00 (services tests pass `now`)."""
    return appointment_at(hall, at(10))


@pytest.fixture
def appointment_now(hall, guide, fee_table):
    """An appointment at the officer's hall that can be checked in now (pages and the API)."""
    return appointment_at(hall, now_slot_start())


def image_bytes(size=(600, 800), fmt="JPEG", mode="RGB", **save) -> bytes:
    image = Image.new(mode, size, (30, 120, 200) if mode == "RGB" else None)
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)
