"""Test data of the progress lookup and the receipt: applications accepted the way halls accept
them (applications.services.application_accept on a checked-in appointment)."""

import datetime as dt
from decimal import Decimal

from accounts.tests.factories import StaffUserFactory
from applications.models import Application
from applications.services import application_accept
from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory, SlotFactory, in_days
from guide.tests.factories import HallFactory


def accepted_application(
    person,
    *,
    document_type: str = "passport",
    hall=None,
    officer=None,
    fee: str = "120",
    expected_on: dt.date | None = None,
) -> Application:
    """An application of `person` accepted at a hall; `expected_on` as the workflow would set."""
    slot = SlotFactory(starts_at=in_days(0, 10), hall=hall or HallFactory(), booked=1)
    appointment = AppointmentFactory(
        person=person, document_type=document_type, slot=slot, status=AppointmentStatus.CHECKED_IN
    )
    application = application_accept(
        appointment=appointment, officer=officer or StaffUserFactory(), fee_amount=Decimal(fee)
    )
    if expected_on is not None:
        Application.objects.filter(pk=application.pk).update(expected_on=expected_on)
        application.refresh_from_db()
    return application
