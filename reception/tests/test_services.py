import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from applications.models import Application, ApplicationStatus
from appointments.models import AppointmentEvent, AppointmentStatus
from appointments.selectors import appointment_checkin_code
from core.errors import Problem
from documents.tests.factories import PassportFactory
from persons.tests.factories import PersonFactory
from reception import selectors, services
from reception.models import Fee, Reception
from staff.models import AccessAction, AccessLog, Role

from .conftest import (
    DAY,
    appointment_at,
    at,
    fee_table_seed,
    image_bytes,
    staff_member,
    upload,
)

pytestmark = pytest.mark.django_db


def raises_code(code: str, status: int | None = None):
    class _Check:
        def __enter__(self):
            return self

        def __exit__(self, kind, exc, tb):
            assert isinstance(exc, Problem), f"expected a problem {code}, got {exc!r}"
            assert exc.code == code, f"expected {code}, got {exc.code}: {exc.detail}"
            if status is not None:
                assert exc.status == status
            self.problem = exc
            return True

    return _Check()


def check_in(officer, appointment, now=None):
    return services.reception_check_in(
        officer=officer, code=appointment.number, now=now or at(9, 50)
    )


def all_steps(officer, appointment, now=None):
    now = now or at(10, 5)
    number = appointment.number
    items = selectors.materials_checklist(appointment)
    services.materials_record(
        officer=officer, number=number, checked=list(range(len(items))), now=now
    )
    services.fingerprints_record(officer=officer, number=number, confirmed=True, now=now)
    services.photo_record(officer=officer, number=number, upload=upload(image_bytes()), now=now)
    return services.fee_record(
        officer=officer, number=number, method="wechat_pay", receipt_number="R-0001", now=now
    )


# Check-in


def test_check_in_gives_queue_numbers_per_hall_and_day_and_records_the_event(
    officer, appointment, hall, other_hall
):
    # given a second appointment at the hall, and one at another hall served by the officer too
    second = appointment_at(hall, at(10, 30))
    elsewhere = appointment_at(other_hall, at(10))
    officer.staff_roles.get().halls.add(other_hall)
    # when
    first = check_in(officer, appointment)
    then_second = check_in(officer, second)
    other = check_in(officer, elsewhere)
    # then
    assert (first.queue_number, then_second.queue_number) == (1, 2)
    assert other.queue_number == 1
    assert first.queue_display == "A001"
    assert first.day == DAY and first.hall == hall
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    event = appointment.events.get(kind=AppointmentEvent.Kind.CHECKED_IN)
    assert event.actor == officer
    assert event.data == {"queue_number": 1}


@pytest.mark.parametrize(
    "typed",
    [
        lambda n: n.lower(),
        lambda n: f" {n[:4]}-{n[4:8]}-{n[8:]} ",
        lambda n: f"{n[:4]} {n[4:8]} {n[8:]}".lower(),
    ],
)
def test_check_in_by_a_number_as_typed(officer, appointment, typed):
    reception = services.reception_check_in(
        officer=officer, code=typed(appointment.number), now=at(9, 50)
    )
    assert reception.appointment == appointment


def test_check_in_by_the_qr_code_content(officer, appointment):
    code = appointment_checkin_code(appointment)
    reception = services.reception_check_in(officer=officer, code=code, now=at(9, 50))
    assert reception.appointment == appointment


def test_a_code_of_another_system_that_ends_like_a_number_is_not_found(officer, appointment):
    with raises_code("appointment_not_found", 404):
        services.reception_check_in(
            officer=officer, code=f"OTHER:THING:{appointment.number}", now=at(9, 50)
        )


def test_what_is_not_a_number_at_all_is_422(officer, appointment):
    with raises_code("invalid_checkin_code", 422):
        services.reception_check_in(officer=officer, code="hello", now=at(9, 50))


def test_an_unknown_number_is_404(officer, appointment):
    with raises_code("appointment_not_found", 404):
        services.reception_check_in(officer=officer, code="ABCD2345EFGH", now=at(9, 50))


def test_another_halls_appointment_is_404_as_if_it_did_not_exist(other_officer, appointment):
    with raises_code("appointment_not_found", 404):
        check_in(other_officer, appointment)
    assert not Reception.objects.exists()


@pytest.mark.parametrize(
    ("now", "code"),
    [
        (at(8, 59), "checkin_too_early"),
        (at(17, 0), "checkin_too_late"),
        (at(10, 0, DAY - dt.timedelta(days=1)), "checkin_wrong_day"),
        (at(10, 0, DAY + dt.timedelta(days=1)), "checkin_wrong_day"),
    ],
)
def test_check_in_outside_the_window_is_409_with_a_clear_reason(officer, appointment, now, code):
    with raises_code(code, 409) as check:
        check_in(officer, appointment, now=now)
    assert check.problem.detail
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("now", [at(9, 0), at(16, 59)])
def test_check_in_from_an_hour_before_until_the_hall_closes(officer, appointment, now):
    assert check_in(officer, appointment, now=now).queue_number == 1


def test_the_window_names_the_times(officer, appointment):
    with raises_code("checkin_too_early") as check:
        check_in(officer, appointment, now=at(8, 0))
    assert "10:00" in check.problem.detail and "09:00" in check.problem.detail


def test_checking_in_twice_is_409_with_the_queue_number(officer, appointment):
    check_in(officer, appointment)
    with raises_code("already_checked_in", 409) as check:
        check_in(officer, appointment)
    assert check.problem.extra["queue_number"] == 1


def test_a_cancelled_appointment_cannot_be_checked_in(officer, hall, guide):
    cancelled = appointment_at(hall, at(10), status=AppointmentStatus.CANCELLED)
    with raises_code("cannot_check_in", 409):
        check_in(officer, cancelled)


def test_an_officer_without_hall_service_gets_403(hall, appointment):
    reviewer = staff_member(Role.REVIEWER, halls=[hall])
    with raises_code("permission_denied", 403):
        check_in(reviewer, appointment)


def test_the_database_refuses_a_queue_number_twice(officer, appointment, hall, guide):
    first = check_in(officer, appointment)
    second = appointment_at(hall, at(10, 30))
    with pytest.raises(IntegrityError), transaction.atomic():
        Reception.objects.create(
            appointment=second,
            hall=hall,
            day=first.day,
            queue_number=first.queue_number,
            checked_in_at=at(10),
            checked_in_by=officer,
        )


# Walk-ins


def test_a_walk_in_lookup_is_logged_with_the_hall_as_reason(officer, hall):
    # given
    person = PersonFactory()
    # when
    found = services.walk_in_lookup(
        officer=officer, hall=hall, id_number=person.id_number, client_address="192.0.2.1"
    )
    # then
    assert found.person_id == person.pk
    entry = AccessLog.objects.get()
    assert (entry.staff, entry.person, entry.action) == (officer, person, AccessAction.LOOKUP)
    assert entry.reason == f"walk-in at {hall.name_zh} ({hall.code})"
    assert entry.client_address == "192.0.2.1"


def test_a_walk_in_lookup_at_a_hall_outside_the_scope_is_404_and_not_logged(officer, other_hall):
    person = PersonFactory()
    with raises_code("hall_not_found", 404):
        services.walk_in_lookup(
            officer=officer, hall=other_hall, id_number=person.id_number, client_address=None
        )
    assert not AccessLog.objects.exists()


def test_a_walk_in_is_checked_in_with_the_next_queue_number(officer, appointment, hall, guide):
    # given someone already checked in today
    check_in(officer, appointment, now=at(9, 50))
    person = PersonFactory()
    PassportFactory(person=person)
    # when
    reception = services.reception_walk_in(
        officer=officer,
        hall=hall,
        person_id=person.pk,
        document_type="passport",
        kind="renewal",
        now=at(11),
    )
    # then
    walk_in = reception.appointment
    assert walk_in.walk_in and walk_in.status == AppointmentStatus.CHECKED_IN
    assert walk_in.person == person and walk_in.hall == hall
    assert reception.queue_number == 2
    assert list(walk_in.events.values_list("kind", flat=True)) == ["booked", "checked_in"]


def test_a_walk_in_with_answers_that_do_not_fit_is_422(officer, hall):
    person = PersonFactory()  # holds no passport: no renewal
    with raises_code("application_kind_does_not_fit", 422):
        services.reception_walk_in(
            officer=officer,
            hall=hall,
            person_id=person.pk,
            document_type="passport",
            kind="renewal",
            now=at(11),
        )
    assert not Reception.objects.exists()


# The steps


def test_materials_must_all_be_ticked(officer, appointment):
    check_in(officer, appointment)
    with raises_code("materials_incomplete", 422) as check:
        services.materials_record(officer=officer, number=appointment.number, checked=[0])
    assert "原护照" in check.problem.detail
    with raises_code("materials_incomplete", 422):
        services.materials_record(officer=officer, number=appointment.number, checked=[0, 1, 7])
    reception = services.materials_record(
        officer=officer, number=appointment.number, checked=[1, 0]
    )
    assert reception.materials == ["居民身份证", "原护照"]
    assert reception.materials_checked_by == officer


def test_a_step_twice_is_409(officer, appointment):
    check_in(officer, appointment)
    services.fingerprints_record(officer=officer, number=appointment.number, confirmed=True)
    with raises_code("step_already_done", 409):
        services.fingerprints_record(officer=officer, number=appointment.number, confirmed=True)


def test_fingerprints_need_the_confirmation(officer, appointment):
    check_in(officer, appointment)
    with raises_code("confirmation_required", 422):
        services.fingerprints_record(officer=officer, number=appointment.number, confirmed=False)


def test_a_step_before_check_in_is_409(officer, appointment):
    with raises_code("not_checked_in", 409):
        services.fingerprints_record(officer=officer, number=appointment.number, confirmed=True)


def test_a_step_at_another_hall_is_404(officer, other_officer, appointment):
    check_in(officer, appointment)
    with raises_code("appointment_not_found", 404):
        services.fingerprints_record(
            officer=other_officer, number=appointment.number, confirmed=True
        )


def test_the_data_migration_seeds_the_fee_table_once():
    # given an empty table
    Fee.objects.all().delete()
    # when the migration's function runs, twice
    fee_table_seed()
    fee_table_seed()
    # then
    assert {(f.document_type, f.kind, f.amount) for f in Fee.objects.all()} == {
        ("passport", "", Decimal("120.00")),
        ("hk_macao_pass", "", Decimal("60.00")),
        ("taiwan_permit", "", Decimal("60.00")),
    }


def test_the_fee_comes_from_the_fee_table(officer, appointment):
    check_in(officer, appointment)
    # when
    reception = services.fee_record(
        officer=officer,
        number=appointment.number,
        method="alipay",
        receipt_number=" r-2030 0107 ",
        now=at(10, 5),
    )
    # then
    assert reception.fee_amount == Decimal("120.00")
    assert (reception.fee_method, reception.fee_receipt) == ("alipay", "R-20300107")
    assert reception.fee_paid_by == officer


def test_the_newest_fee_in_force_applies_and_a_kind_of_its_own_wins(officer, appointment):
    Fee.objects.create(document_type="passport", amount="100", valid_from=dt.date(2029, 1, 1))
    Fee.objects.create(document_type="passport", amount="150", valid_from=dt.date(2031, 1, 1))
    assert selectors.fee_for(document_type="passport", kind="renewal", on=DAY).amount == 100
    Fee.objects.create(
        document_type="passport", kind="renewal", amount="90", valid_from=dt.date(2029, 1, 1)
    )
    assert selectors.fee_for(document_type="passport", kind="renewal", on=DAY).amount == 90
    assert selectors.fee_for(document_type="passport", kind="first", on=DAY).amount == 100


def test_no_fee_in_the_table_is_409(officer, appointment):
    Fee.objects.all().delete()
    check_in(officer, appointment)
    with raises_code("fee_not_in_table", 409):
        services.fee_record(
            officer=officer, number=appointment.number, method="cash", receipt_number="R0001"
        )


@pytest.mark.parametrize(
    ("method", "receipt", "code"),
    [("bitcoin", "R0001", "invalid_payment_method"), ("cash", "R1", "invalid_receipt_number")],
)
def test_a_bad_payment_is_422(officer, appointment, method, receipt, code):
    check_in(officer, appointment)
    with raises_code(code, 422):
        services.fee_record(
            officer=officer, number=appointment.number, method=method, receipt_number=receipt
        )


# The decision


def test_accept_with_steps_missing_is_409_naming_them(officer, appointment):
    check_in(officer, appointment)
    services.fingerprints_record(officer=officer, number=appointment.number, confirmed=True)
    with raises_code("reception_steps_missing", 409) as check:
        services.reception_accept(officer=officer, number=appointment.number)
    assert check.problem.extra["missing"] == ["materials", "photo", "fee"]
    assert not Application.objects.exists()


def test_accept_creates_the_application_with_the_fee_paid(officer, appointment):
    # given every step recorded
    check_in(officer, appointment)
    all_steps(officer, appointment)
    # when
    application = services.reception_accept(
        officer=officer, number=appointment.number, now=at(10, 20)
    )
    # then
    assert application.appointment == appointment
    assert application.fee_amount == Decimal("120.00")
    assert application.accepted_by == officer
    assert list(application.events.values_list("status", flat=True)) == [ApplicationStatus.ACCEPTED]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ACCEPTED
    # and the visit is closed
    with raises_code("reception_already_decided", 409):
        services.reception_accept(officer=officer, number=appointment.number)


def test_not_accepted_keeps_the_reason_for_the_citizen(officer, appointment):
    check_in(officer, appointment)
    with raises_code("reason_required", 422):
        services.reception_not_accept(officer=officer, number=appointment.number, reason=" no ")
    services.reception_not_accept(
        officer=officer,
        number=appointment.number,
        reason="The current passport   was not brought; bring it next time.",
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NOT_ACCEPTED
    assert appointment.status_note == "The current passport was not brought; bring it next time."
    event = appointment.events.get(kind=AppointmentEvent.Kind.NOT_ACCEPTED)
    assert event.actor == officer and event.note == appointment.status_note
    with raises_code("reception_already_decided", 409):
        services.fingerprints_record(officer=officer, number=appointment.number, confirmed=True)


def test_a_reason_with_an_id_number_is_kept_masked(officer, appointment):
    check_in(officer, appointment)
    number = appointment.person.id_number
    services.reception_not_accept(
        officer=officer, number=appointment.number, reason=f"ID card {number} has expired"
    )
    appointment.refresh_from_db()
    assert number not in appointment.status_note


# The photo, for staff


def test_reading_the_photo_writes_the_access_log(officer, appointment):
    check_in(officer, appointment)
    all_steps(officer, appointment)
    content = services.photo_read(
        officer=officer, number=appointment.number, client_address="192.0.2.7"
    )
    assert content[:3] == b"\xff\xd8\xff"  # a JPEG
    entry = AccessLog.objects.get()
    assert (entry.staff, entry.person) == (officer, appointment.person)
    assert entry.action == AccessAction.VIEW_PERSON
    assert appointment.number_display in entry.reason


def test_reading_a_photo_not_taken_is_404(officer, appointment):
    check_in(officer, appointment)
    with raises_code("photo_not_taken", 404):
        services.photo_read(officer=officer, number=appointment.number, client_address=None)
    assert not AccessLog.objects.exists()


def test_an_item_that_does_not_apply_is_marked_with_a_reason(officer, appointment):
    check_in(officer, appointment)
    # when the officer marks an item not applicable without a reason, or both ways
    with raises_code("materials_incomplete", 422):
        services.materials_record(
            officer=officer, number=appointment.number, checked=[0], not_applicable={1: "  "}
        )
    with raises_code("materials_incomplete", 422):
        services.materials_record(
            officer=officer, number=appointment.number, checked=[0, 1], not_applicable={1: "x"}
        )
    with raises_code("materials_incomplete", 422):
        services.materials_record(
            officer=officer, number=appointment.number, checked=[0], not_applicable={5: "x"}
        )
    # then nothing is recorded; with a reason, the step is done and the reason kept
    reception = services.materials_record(
        officer=officer,
        number=appointment.number,
        checked=[0],
        not_applicable={1: "First passport lost abroad; travel document seen instead"},
    )
    assert reception.materials == ["居民身份证"]
    assert reception.materials_not_applicable == [
        {"item": "原护照", "reason": "First passport lost abroad; travel document seen instead"}
    ]
    assert reception.materials_checked_at is not None


def test_the_checklist_of_a_child_leaves_out_what_applies_to_adults(officer, hall, guide):
    # given a guide with items for children and for adults, and a 10-year-old's appointment
    guide.materials_zh = "居民身份证\n[under16] 监护人的居民身份证\n[16+] 所在单位出具的同意意见"
    guide.save()
    child = PersonFactory(birth_date=DAY - dt.timedelta(days=3653))
    appointment = appointment_at(hall, at(10), person=child)
    # then the officer's checklist has the guardian's papers, not the employer's consent
    assert selectors.materials_checklist(appointment) == ["居民身份证", "监护人的居民身份证"]


def test_a_pass_with_endorsements_adds_each_endorsements_fee_from_the_policy(
    officer, hall, guide, fee_table
):
    from endorsements.tests.factories import PolicyFactory

    # given the policy's single-trip fees and a HK/Macao pass renewal with two endorsements
    PolicyFactory(destination="HKG", type_code="G", option_code="3m1", fee=Decimal("15"))
    PolicyFactory(destination="MAC", type_code="L", option_code="3m1", fee=Decimal("15"))
    appointment = appointment_at(
        hall,
        at(10),
        document_type="hk_macao_pass",
        kind="renewal",
        details={"endorsements": ["HKG-G", "MAC-L"], "contact_phone": "+8613800000000"},
    )
    check_in(officer, appointment)
    # when the fee is recorded
    reception = services.fee_record(
        officer=officer,
        number=appointment.number,
        method="cash",
        receipt_number="R-0001",
        now=at(10, 5),
    )
    # then the pass's 60 and 15 for each endorsement: not 60 flat
    assert reception.fee_amount == Decimal("90.00")
