"""The one workflow mechanism (core.workflow), through the appointment's and the document's
workflows: the table decides, refusals list the allowed actions, reasons are required where the
table says, the row is written with update_fields and the event appended."""

import pytest
from django.db import transaction

from appointments.models import AppointmentEvent, AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from appointments.workflow import APPOINTMENTS
from core.errors import ActionNotAllowed, OutsideTransaction, ReasonRequired
from documents.models import Document, DocumentEvent, DocumentStatus
from documents.tests.factories import CitizenFactory, PassportFactory
from documents.workflow import DOCUMENTS
from persons.tests.factories import PersonFactory
from staff.tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def test_an_action_writes_the_status_and_appends_its_event():
    appointment = AppointmentFactory()
    officer = StaffUserFactory()
    with transaction.atomic():
        event = APPOINTMENTS.apply(appointment, "check_in", actor=officer, data={"queue": 7})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert (event.from_status, event.to_status, event.actor, event.data) == (
        "booked",
        "checked_in",
        officer,
        {"queue": 7},
    )
    assert AppointmentEvent.objects.filter(appointment=appointment).count() == 1


def test_a_refusal_names_the_actions_allowed_to_this_actor():
    appointment = AppointmentFactory(status=AppointmentStatus.CHECKED_IN)
    with pytest.raises(ActionNotAllowed) as caught, transaction.atomic():
        APPOINTMENTS.apply(appointment, "cancel", actor=CitizenFactory())
    assert caught.value.status == 409
    assert caught.value.code == "appointment_transition_not_allowed"
    assert caught.value.extra["allowed_actions"] == []  # a citizen cannot accept
    officer = StaffUserFactory()
    assert [a.name for a in APPOINTMENTS.available_actions(appointment, officer)] == [
        "accept",
        "not_accept",
    ]


def test_a_reason_is_required_where_the_table_says_so():
    appointment = AppointmentFactory(status=AppointmentStatus.CHECKED_IN)
    with pytest.raises(ReasonRequired) as caught, transaction.atomic():
        APPOINTMENTS.apply(appointment, "not_accept", actor=StaffUserFactory(), reason="  ")
    assert (caught.value.status, caught.value.code) == (422, "reason_required")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN


def test_the_status_is_read_under_lock_not_from_the_stale_object():
    document = PassportFactory()
    stale = type(document).objects.get(pk=document.pk)
    with transaction.atomic():
        DOCUMENTS.apply(document, "invalidate")
    with pytest.raises(ActionNotAllowed), transaction.atomic():
        DOCUMENTS.apply(stale, "report_lost", actor=CitizenFactory())
    assert stale.status == DocumentStatus.INVALIDATED  # refreshed by apply


def _recorded(document):
    return [
        DocumentEvent(
            document=document,
            kind="recorded",
            to_status=DocumentStatus.VALID,
            on_behalf_of_id=document.person_id,
        )
    ]


def test_a_new_record_is_inserted_with_the_status_its_action_leads_to():
    # given a document not yet saved (it starts valid)
    document = PassportFactory.build(person=PersonFactory())
    # when an action is applied to it with the event that comes before it
    with transaction.atomic():
        event = DOCUMENTS.apply(document, "invalidate", note="replaced", before=_recorded)
    # then it is inserted once, with the status the action leads to, and both events follow
    # each other in the timeline
    stored = Document.objects.get()
    assert (stored.pk, stored.status) == (document.pk, DocumentStatus.INVALIDATED)
    timeline = list(DocumentEvent.objects.filter(document=stored).order_by("id"))
    assert [(e.kind, e.from_status, e.to_status) for e in timeline] == [
        ("recorded", "", "valid"),
        ("invalidated", "valid", "invalidated"),
    ]
    assert event.pk == timeline[-1].pk


def test_a_refused_action_on_a_new_record_inserts_nothing():
    document = PassportFactory.build(person=PersonFactory())
    with pytest.raises(ActionNotAllowed), transaction.atomic():
        DOCUMENTS.apply(document, "report_lost", actor=StaffUserFactory(), before=_recorded)
    assert not Document.objects.exists() and not DocumentEvent.objects.exists()


def test_events_before_are_for_a_new_record_only():
    document = PassportFactory()
    with pytest.raises(ValueError), transaction.atomic():
        DOCUMENTS.apply(document, "invalidate", before=_recorded)
    document.refresh_from_db()
    assert document.status == DocumentStatus.VALID


@pytest.mark.django_db(transaction=True)
def test_an_action_outside_a_transaction_is_a_programming_error():
    from endorsements.workflow import ENDORSEMENTS

    with pytest.raises(OutsideTransaction):
        DOCUMENTS.apply(PassportFactory(), "invalidate")
    with pytest.raises(OutsideTransaction):
        ENDORSEMENTS.apply_many([1], "use_up")


def test_the_tables_name_only_known_statuses():
    APPOINTMENTS.check_table(AppointmentStatus.values)
    DOCUMENTS.check_table(DocumentStatus.values)
    from applications.models import ApplicationStatus
    from applications.workflow import APPLICATIONS

    APPLICATIONS.check_table(ApplicationStatus.values)


def test_apply_many_writes_each_status_change_stamp_and_event_in_one_statement_each():
    # given three active endorsements whose last trips were used at different times
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from endorsements.models import EndorsementEvent, EndorsementStatus
    from endorsements.tests.factories import EndorsementFactory
    from endorsements.workflow import ENDORSEMENTS

    spent = [EndorsementFactory(trips_total=1) for _ in range(3)]
    other = EndorsementFactory(trips_total=1)
    before = {e.pk: e.updated_at for e in spent}
    at = {e.pk: timezone.now() - dt.timedelta(hours=i) for i, e in enumerate(spent)}
    # when the system uses them up at once
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        events = ENDORSEMENTS.apply_many(
            [e.pk for e in spent],
            "use_up",
            changes={e.pk: {"trips_used": 1} for e in spent},
            at=at,
        )
    # then each is used up with its count and a newer stamp, each has its event at its time,
    # the other is untouched, and it took the lock, one UPDATE and one INSERT
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert [v for v in statements if v in {"SELECT", "UPDATE", "INSERT", "DELETE"}] == [
        "SELECT",
        "UPDATE",
        "INSERT",
    ]
    for endorsement in spent:
        endorsement.refresh_from_db()
        assert (endorsement.status, endorsement.trips_used) == (EndorsementStatus.USED_UP, 1)
        assert endorsement.updated_at > before[endorsement.pk]
        event = EndorsementEvent.objects.get(endorsement=endorsement)
        assert (event.action, event.from_status, event.status, event.at) == (
            "use_up",
            "active",
            "used_up",
            at[endorsement.pk],
        )
    assert [e.endorsement_id for e in events] == sorted(e.pk for e in spent)
    other.refresh_from_db()
    assert other.status == EndorsementStatus.ACTIVE


def test_apply_many_refuses_them_all_when_one_may_not_take_the_action():
    from endorsements.models import EndorsementEvent, EndorsementStatus
    from endorsements.tests.factories import EndorsementFactory
    from endorsements.workflow import ENDORSEMENTS

    active = EndorsementFactory()
    expired = EndorsementFactory(status=EndorsementStatus.EXPIRED)
    with pytest.raises(ActionNotAllowed), transaction.atomic():
        ENDORSEMENTS.apply_many([active.pk, expired.pk], "use_up")
    active.refresh_from_db()
    assert active.status == EndorsementStatus.ACTIVE
    assert not EndorsementEvent.objects.exists()
