import pytest

from appointments.models import AppointmentStatus, ServiceCapacity, Slot
from core.masking import mask_id_number
from notifications.models import Notification

from .factories import AppointmentFactory, SlotFactory

pytestmark = pytest.mark.django_db


def test_back_office_pages_open_and_mask_id_numbers(admin_client):
    appointment = AppointmentFactory()
    for url in [
        "/admin/appointments/slot/",
        f"/admin/appointments/slot/{appointment.slot_id}/change/",
        "/admin/appointments/appointment/",
        f"/admin/appointments/appointment/{appointment.pk}/change/",
        "/admin/appointments/servicecapacity/",
        "/admin/appointments/servicecapacity/add/",
        "/admin/appointments/slotwatch/",
    ]:
        assert admin_client.get(url).status_code == 200, url
    listing = admin_client.get("/admin/appointments/appointment/").text
    assert appointment.person.id_number not in listing
    assert mask_id_number(appointment.person.id_number) in listing


def test_closing_slots_asks_for_the_reason_then_cancels_and_tells(admin_client):
    # given a slot with a booking made by a citizen account
    from documents.tests.factories import CitizenFactory

    user = CitizenFactory()
    appointment = AppointmentFactory(person=user.person, booked_by=user)
    data = {"action": "close_slots", "_selected_action": [appointment.slot_id]}
    # when the action is chosen without reasons, it asks for them
    asked = admin_client.post("/admin/appointments/slot/", data)
    assert asked.status_code == 200
    assert "reason_zh" in asked.text
    assert not Slot.objects.get(pk=appointment.slot_id).is_closed
    # when the reasons are given
    done = admin_client.post(
        "/admin/appointments/slot/",
        data | {"apply": "1", "reason_zh": "停电", "reason_en": "Power cut"},
        follow=True,
    )
    # then
    assert done.status_code == 200
    assert Slot.objects.get(pk=appointment.slot_id).is_closed
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_HALL
    assert Notification.objects.filter(user=user, kind="appointment_cancelled_by_hall").exists()


def test_capacity_saved_in_the_back_office_applies_to_future_slots(admin_client):
    slot = SlotFactory(capacity=5)
    response = admin_client.post(
        "/admin/appointments/servicecapacity/add/",
        {
            "hall": slot.hall_id,
            "service": slot.service_id,
            "counters": 4,
            "applicants_per_hour": 6,
            "slot_minutes": 30,
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert ServiceCapacity.objects.get().counters == 4
    slot.refresh_from_db()
    assert slot.capacity == 12
