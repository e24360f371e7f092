import datetime as dt
import re

import pytest
from django.test import Client

from applications.models import Application
from appointments.models import AppointmentStatus
from core.masking import mask_id_number
from documents.tests.factories import CitizenFactory, PassportFactory
from persons.idnumbers import id_number_make
from persons.tests.factories import PersonFactory
from reception.models import Reception
from staff.models import AccessAction, AccessLog, Role

from .conftest import (
    appointment_at,
    english,
    image_bytes,
    now_slot_start,
    staff_member,
    upload,
    verified_client,
)

pytestmark = pytest.mark.django_db

TODAY = "/staff/reception/"


def page(number: str, step: str = "") -> str:
    return f"/staff/reception/{number}/{step + '/' if step else ''}"


def _full_id_numbers(text: str) -> list[str]:
    return re.findall(r"(?<![0-9])\d{17}[0-9X](?![0-9])", text)


@pytest.fixture
def client_officer(officer):
    return english(verified_client(officer))


def checked_in(client: Client, appointment) -> Reception:
    response = client.post("/staff/reception/check-in/", {"code": appointment.number})
    assert response.status_code == 302, response.content
    return Reception.objects.get(appointment=appointment)


# Who may see the pages


@pytest.mark.parametrize("path", [TODAY, "/staff/reception/walk-in/", page("ABCD2345EFGH")])
def test_citizens_and_unverified_staff_are_sent_to_the_staff_sign_in(officer, path):
    citizen = Client()
    citizen.force_login(CitizenFactory())
    unverified = Client()
    unverified.force_login(officer)
    for client in (Client(), citizen, unverified):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")


def test_staff_without_hall_service_get_403(hall):
    reviewer = staff_member(Role.REVIEWER, halls=[hall])
    assert verified_client(reviewer).get(TODAY).status_code == 403


def test_the_staff_navigation_links_the_reception_for_officers_only(client_officer, hall):
    assert 'href="/staff/reception/"' in client_officer.get("/staff/").text
    reviewer = staff_member(Role.REVIEWER, halls=[hall])
    assert 'href="/staff/reception/"' not in verified_client(reviewer).get("/staff/").text


def test_another_halls_appointment_is_404(other_officer, appointment_now):
    client = verified_client(other_officer)
    assert client.get(page(appointment_now.number)).status_code == 404
    response = client.post("/staff/reception/check-in/", {"code": appointment_now.number})
    assert response.status_code == 200
    assert (
        "There is no appointment with this number"
        in english(client).post("/staff/reception/check-in/", {"code": appointment_now.number}).text
    )
    assert not Reception.objects.exists()


# Today's list and check-in


def test_todays_list_shows_the_appointments_with_masked_id_numbers(client_officer, appointment_now):
    response = client_officer.get(TODAY)
    assert response.status_code == 200
    assert appointment_now.number_display in response.text
    assert mask_id_number(appointment_now.person.id_number) in response.text
    assert not _full_id_numbers(response.text)
    assert "Booked" in response.text


def test_todays_list_is_in_chinese_by_default(officer, appointment_now):
    response = verified_client(officer).get(TODAY)
    assert "今天的预约" in response.text


def test_check_in_from_the_page_gives_the_queue_number(client_officer, appointment_now):
    # when
    response = client_officer.post(
        "/staff/reception/check-in/",
        {"code": appointment_now.number_display.lower()},
        follow=True,
    )
    # then
    assert response.redirect_chain[-1][0] == page(appointment_now.number)
    assert "Queue number: A001" in response.text
    listing = client_officer.get(TODAY).text
    assert "A001" in listing and "Checked in" in listing


def test_check_in_of_an_unknown_number_shows_the_error_on_the_form(client_officer, hall):
    response = client_officer.post("/staff/reception/check-in/", {"code": "ABCD-2345-EFGH"})
    assert response.status_code == 200
    assert "There is no appointment with this number" in response.text
    assert 'aria-invalid="true"' in response.text


def test_check_in_on_the_wrong_day_says_so(client_officer, hall, guide):
    tomorrow = appointment_at(hall, now_slot_start() + dt.timedelta(days=1))
    response = client_officer.post("/staff/reception/check-in/", {"code": tomorrow.number})
    assert response.status_code == 200
    assert "not today" in response.text


# The steps, the photo and the decision


def test_an_officer_records_every_step_and_accepts(client_officer, officer, appointment_now):
    # given
    number = appointment_now.number
    checked_in(client_officer, appointment_now)
    # when each step is recorded on the page
    assert (
        client_officer.post(page(number, "materials"), {"checked": ["0", "1"]}).status_code == 302
    )
    assert client_officer.post(page(number, "fingerprints"), {"confirmed": "on"}).status_code == 302
    photo = upload(image_bytes(), name="anything.png", content_type="application/octet-stream")
    assert client_officer.post(page(number, "photo/upload"), {"photo": photo}).status_code == 302
    response = client_officer.post(
        page(number, "fee"), {"method": "cash", "receipt_number": "R-0042"}, follow=True
    )
    assert "RMB 120.00 by Cash, receipt R-0042." in response.text
    response = client_officer.post(page(number, "accept"), follow=True)
    # then
    application = Application.objects.get(appointment=appointment_now)
    assert f"Application number: {application.number}" in response.text
    assert application.accepted_by == officer
    assert 'action="/staff/reception/' + number + '/accept/"' not in response.text


def test_accepting_with_steps_missing_names_them(client_officer, appointment_now):
    number = appointment_now.number
    checked_in(client_officer, appointment_now)
    response = client_officer.post(page(number, "accept"))
    assert response.status_code == 200
    assert "Still to do: Materials checked; Fingerprints captured; Photo taken; Fee paid" in (
        response.text
    )
    assert not Application.objects.exists()


def test_missing_materials_are_named_on_the_form(client_officer, appointment_now):
    number = appointment_now.number
    checked_in(client_officer, appointment_now)
    response = client_officer.post(page(number, "materials"), {"checked": ["0"]})
    assert response.status_code == 200
    assert "Still missing: Your current passport" in response.text
    assert Reception.objects.get().materials_checked_at is None


def test_a_fake_photo_is_refused_on_the_page(client_officer, appointment_now):
    number = appointment_now.number
    checked_in(client_officer, appointment_now)
    fake = upload(b"not a photo at all", name="photo.jpg")
    response = client_officer.post(page(number, "photo/upload"), {"photo": fake})
    assert response.status_code == 200
    assert "This file is not a photo" in response.text
    assert Reception.objects.get().photo_at is None


def test_not_accepted_with_the_reason(client_officer, appointment_now):
    number = appointment_now.number
    checked_in(client_officer, appointment_now)
    response = client_officer.post(
        page(number, "not-accepted"), {"reason": "The current passport was not brought."}
    )
    assert response.status_code == 302
    appointment_now.refresh_from_db()
    assert appointment_now.status == AppointmentStatus.NOT_ACCEPTED
    assert "The current passport was not brought." in client_officer.get(page(number)).text


def test_the_photo_is_shown_to_the_officer_and_each_view_is_logged(
    client_officer, officer, other_officer, appointment_now
):
    # given a photo taken
    number = appointment_now.number
    checked_in(client_officer, appointment_now)
    client_officer.post(page(number, "photo/upload"), {"photo": upload(image_bytes())})
    # when the officer opens it
    response = client_officer.get(page(number, "photo"))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    entry = AccessLog.objects.get()
    assert (entry.staff, entry.person, entry.action) == (
        officer,
        appointment_now.person,
        AccessAction.VIEW_PERSON,
    )
    # and an officer of another hall gets nothing, and no row is written
    assert verified_client(other_officer).get(page(number, "photo")).status_code == 404
    assert AccessLog.objects.count() == 1


def test_the_photo_is_not_under_a_public_url(client_officer, appointment_now, settings):
    number = appointment_now.number
    checked_in(client_officer, appointment_now)
    client_officer.post(page(number, "photo/upload"), {"photo": upload(image_bytes())})
    name = Reception.objects.get().photo.name
    assert Client().get(f"{settings.MEDIA_URL}{name}").status_code == 404
    assert Client().get(f"/media/{name}").status_code == 404
    assert Client().get(page(number, "photo")).status_code == 302  # to the staff sign-in


# Walk-ins


def test_a_walk_in_is_looked_up_logged_and_checked_in(client_officer, officer, hall, guide):
    # given a person without an appointment
    person = PersonFactory()
    PassportFactory(person=person)
    # when the officer looks them up
    response = client_officer.post(
        "/staff/reception/walk-in/", {"hall": hall.code, "id_number": person.id_number}
    )
    # then the lookup is logged with the hall as reason
    assert response.status_code == 302
    entry = AccessLog.objects.get()
    assert entry.action == AccessAction.LOOKUP and entry.person == person
    assert entry.reason == f"walk-in at {hall.name_zh} ({hall.code})"
    # and the person's page shows them, masked, and logs that view
    person_page = client_officer.get(response["Location"])
    assert person.name_zh in person_page.text
    assert not _full_id_numbers(person_page.text)
    assert AccessLog.objects.filter(action=AccessAction.VIEW_PERSON).count() == 1
    # when the application is chosen
    response = client_officer.post(
        response["Location"],
        {"hall": hall.code, "document_type": "passport", "kind": "renewal"},
        follow=True,
    )
    # then
    reception = Reception.objects.get()
    assert reception.appointment.walk_in and reception.appointment.person == person
    assert "Walk-in recorded. Queue number: A001." in response.text


def test_a_walk_in_page_without_a_lookup_sends_back_to_the_lookup(client_officer, hall):
    person = PersonFactory()
    response = client_officer.get(f"/staff/reception/walk-in/{person.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/reception/walk-in/"
    assert not AccessLog.objects.exists()


def test_a_walk_in_lookup_of_an_unknown_number_shows_the_error(client_officer, hall):
    nobody = id_number_make(area="110105", birth_date=dt.date(1949, 12, 31), sequence=2)
    response = client_officer.post(
        "/staff/reception/walk-in/", {"hall": hall.code, "id_number": nobody}
    )
    assert response.status_code == 200
    assert "Nobody in the registry has this ID number" in response.text


def test_administrators_edit_the_fee_table_in_the_back_office(admin_client, fee_table):
    from reception.models import Fee

    assert admin_client.get("/admin/reception/fee/").status_code == 200
    response = admin_client.post(
        "/admin/reception/fee/add/",
        {"document_type": "passport", "kind": "", "amount": "100.00", "valid_from": "2031-01-01"},
    )
    assert response.status_code == 302, response.content[:500]
    assert Fee.objects.filter(amount="100.00", valid_from="2031-01-01").exists()


def test_officers_do_not_see_the_fee_table_in_the_back_office(officer):
    assert verified_client(officer).get("/admin/reception/fee/").status_code in {302, 403}


def test_an_item_that_does_not_apply_is_marked_with_the_reason_on_the_page(
    client_officer, appointment_now
):
    number = appointment_now.number
    checked_in(client_officer, appointment_now)
    # when the officer ticks the first item and gives a reason for the second
    response = client_officer.post(
        page(number, "materials"),
        {"checked": ["0"], "reason_1": "Applies for a first passport after all"},
    )
    # then the step is done, and the reason is kept and shown
    assert response.status_code == 302
    reception = Reception.objects.get()
    assert reception.materials_not_applicable == [
        {"item": "Your current passport", "reason": "Applies for a first passport after all"}
    ]
    shown = client_officer.get(response["Location"]).text
    assert "Applies for a first passport after all" in shown


def test_a_reason_that_is_too_long_is_shown_by_its_field(client_officer, appointment_now):
    number = appointment_now.number
    checked_in(client_officer, appointment_now)
    response = client_officer.post(
        page(number, "materials"), {"checked": ["0"], "reason_1": "x" * 201}
    )
    assert response.status_code == 200
    assert 'id="id_reason_1-error"' in response.text
    assert Reception.objects.get().materials_checked_at is None
