from decimal import Decimal

import pytest

from applications import selectors, services
from applications.models import ApplicationStatus
from applications.tests.helpers import staff_at, step
from appointments.models import AppointmentStatus
from appointments.services import appointment_transition
from appointments.tests.factories import AppointmentFactory
from core.errors import Problem
from documents.tests.factories import CitizenFactory
from notifications.models import Notification
from staff.tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked_in():
    user = CitizenFactory()
    appointment = AppointmentFactory(person=user.person, booked_by=user)
    appointment_transition(appointment=appointment, to=AppointmentStatus.CHECKED_IN)
    return appointment


def test_accepting_creates_the_application_and_starts_its_timeline(checked_in):
    # given
    officer = StaffUserFactory()
    # when
    application = services.application_accept(
        appointment=checked_in, officer=officer, fee_amount=Decimal("120.00")
    )
    # then
    assert len(application.number) == 14 and application.number.isdigit()
    assert application.status == ApplicationStatus.ACCEPTED
    assert application.person == checked_in.person
    assert application.accepted_by == officer
    assert application.fee_amount == Decimal("120.00")
    assert [e.status for e in selectors.application_timeline(application)] == ["accepted"]
    checked_in.refresh_from_db()
    assert checked_in.status == AppointmentStatus.ACCEPTED
    assert Notification.objects.filter(kind="application_accepted").count() == 1
    # the citizen sees it, nobody else does
    assert list(selectors.applications_for(user=checked_in.booked_by)) == [application]
    assert selectors.application_get_for(user=checked_in.booked_by, number=application.number)
    with pytest.raises(Problem) as caught:
        selectors.application_get_for(user=CitizenFactory(), number=application.number)
    assert caught.value.status == 404


def test_only_a_checked_in_applicant_is_accepted_and_only_once(checked_in):
    officer = StaffUserFactory()
    booked = AppointmentFactory(document_type="hk_macao_pass", person=checked_in.person)
    with pytest.raises(Problem) as caught:
        services.application_accept(appointment=booked, officer=officer, fee_amount=Decimal(60))
    assert caught.value.code == "appointment_not_checked_in"
    services.application_accept(appointment=checked_in, officer=officer, fee_amount=Decimal(120))
    with pytest.raises(Problem) as caught:
        services.application_accept(
            appointment=checked_in, officer=officer, fee_amount=Decimal(120)
        )
    assert caught.value.status == 409


def test_the_workflow_table_refuses_skipped_steps(checked_in):
    application = services.application_accept(
        appointment=checked_in, officer=StaffUserFactory(), fee_amount=Decimal(120)
    )
    reviewer = staff_at(application.hall)
    with pytest.raises(Problem) as caught:
        step(application, "ready", reviewer)
    assert caught.value.code == "application_transition_not_allowed"
    step(application, "start_review", reviewer)
    assert [e.status for e in selectors.application_timeline(application)] == [
        "accepted",
        "under_review",
    ]
