"""The application's workflow end to end through its services: every action, who may take it,
scope, refusals (409 with the allowed actions), the document issued at production, the hold on
the document while in progress, messages and dates."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from applications import selectors, services
from applications.models import Application, ApplicationStatus
from applications.tests.conftest import accept, staff_member
from appointments.models import Appointment
from appointments.services import appointment_book
from appointments.tests.factories import AppointmentFactory, SlotFactory, in_days
from core.dates import today_shanghai
from core.errors import OutsideTransaction, Problem
from documents.models import Document, DocumentStatus
from documents.selectors import document_mrz
from notifications.models import Notification
from persons.tests.factories import PersonFactory
from staff.models import AccessAction, AccessLog, Role

pytestmark = pytest.mark.django_db
A = ApplicationStatus


def kinds(citizen) -> list[str]:
    return list(
        Notification.objects.filter(user=citizen).order_by("id").values_list("kind", flat=True)
    )


def refused(call, code="application_transition_not_allowed") -> Problem:
    with pytest.raises(Problem) as caught:
        call()
    assert caught.value.code == code, caught.value.detail
    return caught.value


def test_collection_at_the_hall_from_review_to_hand_over(application, citizen, reviewer, officer):
    # given an accepted application: due and expected dates, the document held
    assert application.due_on and application.expected_on > application.due_on
    assert Appointment.objects.get(pk=application.appointment_id).application_in_progress
    old = Document.objects.get(person=citizen.person, status=DocumentStatus.VALID)
    number = application.number
    # when it goes through review, production, readiness and hand-over
    services.application_start_review(staff=reviewer, number=number)
    services.application_approve(staff=reviewer, number=number)
    results = services.applications_send_to_production(staff=reviewer, numbers=[number])
    services.application_produce(staff=reviewer, number=number)
    services.application_ready(staff=officer, number=number)
    services.application_hand_over(
        staff=officer,
        number=number,
        id_number=citizen.person.id_number,
        old_document_number=old.number,
    )
    # then every step is in the timeline, in order, with who did it
    application.refresh_from_db()
    assert results[0].done
    assert application.status == A.COLLECTED
    timeline = selectors.application_timeline(application)
    assert [e.action for e in timeline] == [
        "accept",
        "start_review",
        "approve",
        "send_to_production",
        "produce",
        "ready",
        "hand_over",
    ]
    assert [e.from_status for e in timeline[1:]] == [e.status for e in timeline[:-1]]
    assert timeline[-1].actor == officer and timeline[-1].data["identity_checked"] is True
    assert citizen.person.id_number not in str(timeline[-1].data)  # masked
    # the new document was issued and the old one invalidated, in the same transaction
    new = application.issued_document
    old.refresh_from_db()
    assert old.status == DocumentStatus.INVALIDATED
    assert new.status == DocumentStatus.VALID and new.number.startswith("E")
    assert new.number != old.number and len(new.number) == 9
    assert (new.expires_on - new.issued_on).days in (3651, 3652, 3650)  # 10 years less a day
    assert document_mrz(new)[1].startswith(new.number)
    # the citizen was told at each step they should know of
    assert kinds(citizen) == [
        "application_accepted",
        "application_approved",
        "application_in_production",
        "application_ready",
        "application_collected",
    ]
    # the document is no longer held: a new appointment may be booked
    assert not Appointment.objects.get(pk=application.appointment_id).application_in_progress
    assert AccessLog.objects.filter(action=AccessAction.IDENTITY_CHECK, staff=officer).count() == 1


def test_a_child_gets_a_document_valid_five_years(citizen, hall, officer, reviewer):
    # given a child of ten
    child = PersonFactory(birth_date=dt.date.today().replace(year=dt.date.today().year - 10))
    application = accept(child, hall=hall, officer=officer)
    # when produced
    for step in ("start_review", "approve"):
        getattr(services, f"application_{step}")(staff=reviewer, number=application.number)
    services.applications_send_to_production(staff=reviewer, numbers=[application.number])
    services.application_produce(staff=reviewer, number=application.number)
    # then
    application.refresh_from_db()
    document = application.issued_document
    assert document.expires_on.year - document.issued_on.year == 5


def test_delivery_by_mail_with_tracking(by_mail, citizen, reviewer, officer):
    number = by_mail.number
    services.application_start_review(staff=reviewer, number=number)
    services.application_approve(staff=reviewer, number=number)
    services.applications_send_to_production(staff=reviewer, numbers=[number])
    services.application_produce(staff=reviewer, number=number)
    # "ready at the hall" is not for a document by mail, whoever asks
    problem = refused(lambda: services.application_ready(staff=officer, number=number))
    assert problem.status == 409 and problem.extra["allowed_actions"] == []
    refused(
        lambda: services.application_mail(
            staff=reviewer, number=number, carrier="EMS", tracking_number="x"
        ),
        "invalid_tracking",
    )
    services.application_mail(
        staff=reviewer, number=number, carrier="EMS", tracking_number="ea123456789cn"
    )
    by_mail.refresh_from_db()
    assert (by_mail.status, by_mail.tracking_number) == (A.MAILED, "EA123456789CN")
    outlook = selectors.application_outlook(by_mail)
    assert "EA123456789CN" in outlook.next_step and outlook.expected_date is None
    services.application_deliver(staff=reviewer, number=number)
    by_mail.refresh_from_db()
    assert by_mail.status == A.DELIVERED
    assert "application_mailed" in kinds(citizen)


def test_rejection_needs_a_reason_code_and_a_text_and_ends_it(application, citizen, reviewer):
    services.application_start_review(staff=reviewer, number=application.number)
    refused(
        lambda: services.application_reject(
            staff=reviewer, number=application.number, reason_code="nope", text="x" * 20
        ),
        "invalid_reason_code",
    )
    refused(
        lambda: services.application_reject(
            staff=reviewer, number=application.number, reason_code="photo", text="bad"
        ),
        "reason_required",
    )
    services.application_reject(
        staff=reviewer,
        number=application.number,
        reason_code="photo",
        text="The photo is blurred; come back for a new one.",
    )
    application.refresh_from_db()
    assert application.status == A.REJECTED and application.rejection_reason == "photo"
    last = selectors.application_timeline(application)[-1]
    assert (last.reason, last.note) == ("photo", "The photo is blurred; come back for a new one.")
    message = Notification.objects.get(user=citizen, kind="application_rejected")
    assert "blurred" in message.text
    assert not Appointment.objects.get(pk=application.appointment_id).application_in_progress
    assert selectors.application_outlook(application).expected_date is None


def test_withdrawal_while_under_review_only_and_twice_is_once(application, citizen, reviewer):
    services.application_start_review(staff=reviewer, number=application.number)
    services.application_withdraw(user=citizen, number=application.number)
    services.application_withdraw(user=citizen, number=application.number)
    application.refresh_from_db()
    assert application.status == A.WITHDRAWN
    assert [e.action for e in selectors.application_timeline(application)].count("withdraw") == 1


def test_an_approved_application_can_no_longer_be_withdrawn(application, citizen, reviewer):
    services.application_start_review(staff=reviewer, number=application.number)
    services.application_approve(staff=reviewer, number=application.number)
    problem = refused(
        lambda: services.application_withdraw(user=citizen, number=application.number)
    )
    assert problem.status == 409
    assert problem.extra["allowed_actions"] == ["change_delivery"]
    assert "change_delivery" in problem.detail


def test_a_double_approval_is_one_step(application, reviewer):
    services.application_start_review(staff=reviewer, number=application.number)
    services.application_approve(staff=reviewer, number=application.number)
    services.application_approve(staff=reviewer, number=application.number)
    actions = [e.action for e in selectors.application_timeline(application)]
    assert actions.count("approve") == 1


def test_roles_take_only_their_own_actions(application, officer, reviewer, supervisor):
    # a hall officer does not review; the refusal lists what the officer may do now
    problem = refused(
        lambda: services.application_start_review(staff=officer, number=application.number)
    )
    assert problem.extra["allowed_actions"] == []
    # a reviewer does not reassign; a supervisor does, to an officer working at this hall
    refused(
        lambda: services.application_reassign(
            staff=reviewer, number=application.number, assignee=supervisor
        )
    )
    services.application_reassign(staff=supervisor, number=application.number, assignee=reviewer)
    application.refresh_from_db()
    assert application.assigned_to == reviewer
    stranger = staff_member(Role.REVIEWER, "elsewhere")
    refused(
        lambda: services.application_reassign(
            staff=supervisor, number=application.number, assignee=stranger
        ),
        "assignee_not_eligible",
    )


def test_an_application_at_another_hall_does_not_exist_for_staff(application, other_hall):
    elsewhere = staff_member(Role.REVIEWER, "beijing", halls=[other_hall])
    problem = refused(
        lambda: services.application_start_review(staff=elsewhere, number=application.number),
        "application_not_found",
    )
    assert problem.status == 404


def test_hand_over_checks_the_identity(application, citizen, reviewer, officer):
    for step in ("start_review", "approve"):
        getattr(services, f"application_{step}")(staff=reviewer, number=application.number)
    services.applications_send_to_production(staff=reviewer, numbers=[application.number])
    services.application_produce(staff=reviewer, number=application.number)
    services.application_ready(staff=officer, number=application.number)
    someone_else = PersonFactory()
    refused(
        lambda: services.application_hand_over(
            staff=officer, number=application.number, id_number=someone_else.id_number
        ),
        "identity_check_failed",
    )
    refused(
        lambda: services.application_hand_over(
            staff=officer,
            number=application.number,
            id_number=citizen.person.id_number,
            old_document_number="E99999999",
        ),
        "old_document_mismatch",
    )
    application.refresh_from_db()
    assert application.status == A.READY


def test_delivery_changes_until_production(application, citizen, reviewer):
    services.application_delivery_change(
        user=citizen, number=application.number, delivery="mail", address="北京市东城区1号"
    )
    refused(
        lambda: services.application_delivery_change(
            user=citizen, number=application.number, delivery="mail", address=""
        ),
        "delivery_address_required",
    )
    services.application_start_review(staff=reviewer, number=application.number)
    services.application_approve(staff=reviewer, number=application.number)
    services.applications_send_to_production(staff=reviewer, numbers=[application.number])
    refused(
        lambda: services.application_delivery_change(
            user=citizen, number=application.number, delivery="collect"
        )
    )
    application.refresh_from_db()
    assert (application.delivery, application.delivery_address) == ("mail", "北京市东城区1号")


def test_bulk_production_reports_each_application(application, citizen, hall, officer, reviewer):
    other = accept(PersonFactory(), hall=hall, officer=officer)
    services.application_start_review(staff=reviewer, number=application.number)
    services.application_approve(staff=reviewer, number=application.number)
    results = services.applications_send_to_production(
        staff=reviewer, numbers=[application.number, other.number, "26010100000000"]
    )
    assert [(r.done, r.code) for r in results] == [
        (True, ""),
        (False, "application_transition_not_allowed"),
        (False, "application_not_found"),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_workflow_refuses_to_run_outside_a_transaction(application, reviewer):
    # (a transactional test: pytest-django's usual test runs inside a transaction; its flush
    # afterwards empties the append-only event tables, as a test database may)
    with pytest.raises(OutsideTransaction):
        services.application_act(application=application, action="start_review", actor=reviewer)


def test_an_application_in_progress_holds_its_document(application, citizen, hall):
    # given an application in progress for the citizen's passport; a free slot
    slot = SlotFactory(hall=hall, service=application.service, starts_at=in_days(3))
    # when they try to book another passport appointment
    problem = refused(
        lambda: appointment_book(
            user=citizen, document_type="passport", kind="renewal", slot_id=slot.pk
        ),
        "application_in_progress",
    )
    # then 409, and the database refuses it too, for appointments and applications alike
    assert problem.status == 409
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(person=citizen.person, document_type="passport", slot=slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).values()  # the row as it is
        clone = Application.objects.get(pk=application.pk)
        clone.pk, clone.number, clone.appointment = None, "26010199999999", None
        clone.save()


def test_stage_dates_follow_working_days(application, reviewer):
    from applications import deadlines

    # the day of acceptance in Beijing, as the service counts it (not the UTC date: from 16:00
    # UTC on, Beijing is already on the next day)
    accepted_on = today_shanghai(application.accepted_at)
    assert application.due_on == deadlines.add_working_days(accepted_on, 3)
    assert application.expected_on == deadlines.add_working_days(accepted_on, 7)
    # late work shows in the queue of the officer and for supervisors
    Application.objects.filter(pk=application.pk).update(due_on=dt.date(2020, 1, 2))
    rows = selectors.applications_queue(
        staff=reviewer, filters=selectors.QueueFilters(overdue=True)
    )
    assert [a.number for a in rows] == [application.number]
    assert selectors.is_overdue(rows[0])
