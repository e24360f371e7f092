"""Applying on its hot path (docs/benchmarks.md, "Endorsement policy (issue 11)"): one read
before the writes, the same access rule as document_get_for, the record inserted with the
status its automatic decision leads to, a concurrent double application refused by the
database, and application numbers that no document application can share."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from applications import numbers
from applications import services as application_services
from applications.models import ApplicationNumber
from appointments.models import AppointmentStatus
from appointments.services import appointment_transition
from appointments.tests.factories import AppointmentFactory
from core.dates import today_shanghai
from core.errors import NotFound
from documents.selectors import document_get_for
from documents.tests.factories import CitizenFactory, HkMacaoPassFactory, days_from_today
from endorsements import checks, selectors, services
from endorsements.errors import AlreadyApplied
from endorsements.models import Endorsement, EndorsementEvent, EndorsementStatus
from notifications.models import Notification
from persons.tests.factories import GuardianshipFactory, MinorFactory, PersonFactory
from staff.tests.factories import StaffUserFactory

from .factories import EndorsementFactory, ExitRestrictionFactory

pytestmark = pytest.mark.django_db
S = EndorsementStatus


def apply(user, document, item=("HKG", "G", "3m1")):
    return services.endorsement_apply(
        user=user, document_id=document.pk, choices=[services.Choice(*item)], channel="kiosk"
    )


def _statements(queries) -> list[str]:
    """The SQL statements run, without the transaction's own (BEGIN, COMMIT, SAVEPOINT...)."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    return [q["sql"] for q in queries if not q["sql"].upper().startswith(control)]


def test_an_approved_application_is_one_read_and_one_write(citizen, pass_of, policies):
    # given the options in effect, as each process keeps them (read once per policy version)
    selectors.policy_option(destination="HKG", type_code="G", option_code="3m1")
    # when a Shenzhen resident applies (every check passes)
    with CaptureQueriesContext(connection) as queries:
        applied = apply(citizen, pass_of)
    # then: the pass with what the checks need, then the number, the endorsement, its two
    # events and the message, in one statement on PostgreSQL (one after the other in a
    # transaction elsewhere); no lock, no UPDATE, no read back
    statements = _statements(queries.captured_queries)
    writes = 1 if connection.vendor == "postgresql" else 5
    assert len(statements) == 1 + writes, "\n".join(statements)
    assert statements[0].startswith("SELECT")
    assert all(s.startswith(("INSERT", "WITH")) for s in statements[1:])
    (endorsement,) = applied.endorsements
    stored = Endorsement.objects.get()
    assert (stored.status, endorsement.status) == (S.APPROVED, S.APPROVED)
    timeline = list(EndorsementEvent.objects.filter(endorsement=stored).order_by("at", "id"))
    assert [(e.action, e.from_status, e.status) for e in timeline] == [
        ("apply", "", S.APPLIED),
        ("auto_approve", S.APPLIED, S.APPROVED),
    ]
    # the answer's timeline is the one stored
    assert [e.pk for e in applied.events[endorsement.pk]] == [e.pk for e in timeline]
    assert Notification.objects.filter(user=citizen, kind="endorsement_approved").count() == 1


def test_a_referred_application_is_inserted_under_review_after_its_apply_event(
    xian_citizen, policies
):
    document = xian_citizen.person.documents.get()
    (endorsement,) = apply(xian_citizen, document).endorsements
    stored = Endorsement.objects.get(pk=endorsement.pk)
    assert stored.status == S.UNDER_REVIEW
    assert stored.failed_checks == [checks.REGION_NOT_ELIGIBLE]
    steps = EndorsementEvent.objects.filter(endorsement=stored).order_by("at", "id")
    assert [(e.action, e.status, e.data) for e in steps] == [
        ("apply", S.APPLIED, {"on_behalf": False}),
        ("refer", S.UNDER_REVIEW, {"failed_checks": [checks.REGION_NOT_ELIGIBLE]}),
    ]


def test_the_one_read_sees_live_endorsements_and_restrictions_in_force(citizen, pass_of, policies):
    # given: on the pass, an active Hong Kong G, an approved Macao G, and ended ones; on the
    # holder, a restriction in force, a lifted one and one that ended
    on_pass = {"document": pass_of, "applied_by": citizen}
    active = EndorsementFactory(**on_pass, policy=policies["G"])
    approved = EndorsementFactory(**on_pass, policy=policies["MAC_G_12"], status=S.APPROVED)
    EndorsementFactory(**on_pass, policy=policies["G"], status=S.EXPIRED)
    EndorsementFactory(**on_pass, policy=policies["G"], status=S.WITHDRAWN)
    supervisor = StaffUserFactory()
    ExitRestrictionFactory(person=citizen.person, placed_by=supervisor)
    ExitRestrictionFactory(person=citizen.person, placed_by=supervisor, ends_on=days_from_today(-1))
    # when it is read
    found = selectors.pass_for_applying(
        user=citizen, document_id=pass_of.pk, today=today_shanghai()
    )
    # then each live endorsement once, and the restriction
    assert sorted(e.pk for e in found.open_endorsements) == sorted([active.pk, approved.pk])
    assert found.restricted
    assert found.view.document.person == citizen.person
    # and without the restriction in force
    citizen.person.exit_restrictions.filter(ends_on__gt=days_from_today(0)).update(
        lifted_at=active.applied_at, lifted_by=supervisor, lift_reason="court order lifted"
    )
    again = selectors.pass_for_applying(
        user=citizen, document_id=pass_of.pk, today=today_shanghai()
    )
    assert not again.restricted


def _own(user):
    return HkMacaoPassFactory(person=user.person)


def _minor(user):
    child = MinorFactory()
    GuardianshipFactory(guardian=user.person, child=child)
    return HkMacaoPassFactory(person=child)


def _grown_up_ward(user):
    adult = PersonFactory()  # an adult: guardianship no longer lets them act
    GuardianshipFactory(guardian=user.person, child=adult)
    return HkMacaoPassFactory(person=adult)


def _strangers(user):
    return HkMacaoPassFactory()


def _strangers_minor(user):
    child = MinorFactory()
    GuardianshipFactory(child=child)
    return HkMacaoPassFactory(person=child)


@pytest.mark.parametrize(
    "make", [_own, _minor, _grown_up_ward, _strangers, _strangers_minor], ids=lambda f: f.__name__
)
def test_the_pass_is_found_exactly_when_document_get_for_finds_it(make):
    # given a citizen and a pass of someone they may or may not act for
    user = CitizenFactory()
    document = make(user)
    today = today_shanghai()

    def outcome(read):
        try:
            read()
        except NotFound:
            return "not found"
        return "found"

    # then the applying read answers as the one access check of documents
    expected = outcome(lambda: document_get_for(user=user, document_id=document.pk, today=today))
    found = outcome(
        lambda: selectors.pass_for_applying(user=user, document_id=document.pk, today=today)
    )
    assert found == expected
    assert expected == ("found" if make in (_own, _minor) else "not found")


@pytest.mark.django_db(transaction=True)
def test_two_applications_for_the_same_type_at_once_make_one(policies):
    # given a Shenzhen resident with a pass
    user = CitizenFactory()
    document = HkMacaoPassFactory(person=user.person, expires_on=days_from_today(2000))
    barrier = threading.Barrier(2)
    errors: list[str] = []

    def submit(_):
        try:
            barrier.wait(timeout=30)
            return apply(user, document).endorsements[0].pk
        except AlreadyApplied:
            return "already applied"
        except Exception as exc:
            errors.append(repr(exc))
            return "error"
        finally:
            connection.close()

    # when the same application is sent twice at the same moment (two taps)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(submit, range(2)))
    # then one endorsement, and the other is told it is already applied for
    assert not errors
    assert sorted(r == "already applied" for r in results) == [False, True]
    assert Endorsement.objects.count() == 1
    assert ApplicationNumber.objects.filter(kind="endorsement").count() == 1


# --- one series of application numbers ---------------------------------------------------------


def _draws(monkeypatch, module, *drawn):
    """`module`'s draw of a new application number gives `drawn`, in turn."""
    queue = list(drawn)
    monkeypatch.setattr(module, "application_number_new", lambda now: queue.pop(0))
    return queue


def _accepted_application(number_draws, monkeypatch):
    user = CitizenFactory()
    appointment = AppointmentFactory(person=user.person, booked_by=user)
    appointment_transition(appointment=appointment, to=AppointmentStatus.CHECKED_IN)
    _draws(monkeypatch, numbers, *number_draws)
    return application_services.application_accept(
        appointment=appointment, officer=StaffUserFactory(), fee_amount=Decimal("120.00")
    )


def test_an_endorsement_never_gets_a_document_applications_number(
    citizen, pass_of, policies, monkeypatch
):
    # given a document application holding 26120612345678
    application = _accepted_application(["26120612345678"], monkeypatch)
    assert application.number == "26120612345678"
    # when an endorsement application draws the same number first
    left = _draws(monkeypatch, services, "26120612345678", "26120687654321")
    (endorsement,) = apply(citizen, pass_of).endorsements
    # then it gets the next one drawn, and each number is recorded once, with its kind
    assert left == []
    assert endorsement.application_number == "26120687654321"
    assert dict(ApplicationNumber.objects.values_list("number", "kind")) == {
        "26120612345678": "document",
        "26120687654321": "endorsement",
    }


def test_a_document_application_never_gets_an_endorsements_number(
    citizen, pass_of, policies, monkeypatch
):
    # given an endorsement application holding 26120611112222
    _draws(monkeypatch, services, "26120611112222")
    (endorsement,) = apply(citizen, pass_of).endorsements
    assert endorsement.application_number == "26120611112222"
    # when a document application draws it first
    application = _accepted_application(["26120611112222", "26120633334444"], monkeypatch)
    # then it gets the next one
    assert application.number == "26120633334444"


def test_the_database_refuses_a_number_given_twice(db):
    ApplicationNumber.objects.create(number="26120600000001", kind="document")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationNumber.objects.create(number="26120600000001", kind="endorsement")


def test_numbers_keep_their_format(citizen, pass_of, policies):
    (endorsement,) = apply(citizen, pass_of).endorsements
    number = endorsement.application_number
    # the date of applying (Beijing time) and eight digits
    assert len(number) == 14 and number.isdigit()
    assert number[:6] == today_shanghai().strftime("%y%m%d")
    assert ApplicationNumber.objects.get(number=number).kind == "endorsement"
