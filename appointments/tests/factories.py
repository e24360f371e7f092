"""Factories of appointments: slots (released, in the future) and bookings."""

import datetime as dt

import factory
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus, Slot
from appointments.services import appointment_number_new
from documents.models import DocumentType
from guide.tests.factories import HallFactory, ServiceFactory


def in_days(days: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A time `days` from today (Beijing time) at hour:minute."""
    from guide.calendar import SHANGHAI

    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


class SlotFactory(factory.django.DjangoModelFactory):
    """A released 30-minute passport slot three days from now with 5 seats."""

    class Meta:
        model = Slot

    hall = factory.SubFactory(HallFactory)
    service = factory.SubFactory(ServiceFactory)
    starts_at = factory.LazyFunction(lambda: in_days(3))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + dt.timedelta(minutes=30))
    date = factory.LazyAttribute(lambda s: s.starts_at.date())
    capacity = 5
    booked = 0
    released_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A passport renewal booked in a slot (the slot's seat counted)."""

    class Meta:
        model = Appointment

    number = factory.LazyFunction(appointment_number_new)
    person = factory.SubFactory("persons.tests.factories.PersonFactory")
    document_type = DocumentType.PASSPORT
    kind = "renewal"
    details = factory.LazyFunction(lambda: {"contact_phone": "+8613800000000"})
    slot = factory.SubFactory(SlotFactory, booked=1)
    hall = factory.SelfAttribute("slot.hall")
    service = factory.SelfAttribute("slot.service")
    starts_at = factory.SelfAttribute("slot.starts_at")
    ends_at = factory.SelfAttribute("slot.ends_at")
    status = AppointmentStatus.BOOKED
