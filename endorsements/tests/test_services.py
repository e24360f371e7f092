"""Applying, the automatic checks, the officer's decision, payment and printing."""

import pytest
from django.core import mail  # noqa: F401  (messages go through the outbox)

from core.errors import ActionNotAllowed, IdempotencyKeyReused, NotFound
from documents.tests.factories import CitizenFactory, HkMacaoPassFactory, days_from_today
from endorsements import checks, services
from endorsements.errors import (
    AlreadyApplied,
    AnswerRequired,
    EndorsementSuspended,
    ExitRestricted,
    HallRequired,
    NotACardPass,
    PassNotUsable,
    UnknownOption,
)
from endorsements.models import EndorsementEvent, EndorsementStatus
from notifications.models import Notification
from persons.tests.factories import GuardianshipFactory, MinorFactory

from .factories import EndorsementFactory, ExitRestrictionFactory

pytestmark = pytest.mark.django_db
S = EndorsementStatus


def apply(user, document, *items, channel="kiosk", hall_code="", key=""):
    return services.endorsement_apply(
        user=user,
        document_id=document.pk,
        choices=[services.Choice(*item) for item in items] or [services.Choice("HKG", "G", "3m1")],
        channel=channel,
        hall_code=hall_code,
        idempotency_key=key,
    )


def test_a_shenzhen_resident_is_approved_at_once_with_the_policy_fee(citizen, pass_of, policies):
    # when a Shenzhen resident applies for a Hong Kong individual-travel endorsement
    applied = apply(citizen, pass_of)
    # then it is approved at once, with the policy's fee, trips and stay, and a message
    (endorsement,) = applied.endorsements
    assert applied.created
    assert endorsement.status == S.APPROVED
    assert (endorsement.fee, endorsement.trips_total, endorsement.stay_days) == (15, 1, 7)
    assert endorsement.failed_checks == []
    steps = list(EndorsementEvent.objects.filter(endorsement=endorsement).values_list("action"))
    assert steps == [("apply",), ("auto_approve",)]
    assert Notification.objects.filter(user=citizen, kind="endorsement_approved").exists()


def test_several_endorsements_at_once(citizen, pass_of, policies, hall):
    applied = apply(
        citizen,
        pass_of,
        ("HKG", "G", "3m1"),
        ("MAC", "G", "1y2"),
        channel="hall",
        hall_code=hall.code,
    )
    assert [e.status for e in applied.endorsements] == [S.APPROVED, S.APPROVED]
    assert sum(e.fee for e in applied.endorsements) == 45


def test_an_ineligible_city_goes_to_an_officer_with_the_failed_check(xian_citizen, policies):
    document = xian_citizen.person.documents.get()
    (endorsement,) = apply(xian_citizen, document).endorsements
    assert endorsement.status == S.UNDER_REVIEW
    assert endorsement.failed_checks == [checks.REGION_NOT_ELIGIBLE]


def test_a_pass_expiring_before_the_endorsement_would_end_goes_to_an_officer(
    citizen, pass_of, policies
):
    pass_of.__class__.objects.filter(pk=pass_of.pk).update(expires_on=days_from_today(30))
    document = pass_of.__class__.objects.get(pk=pass_of.pk)
    (endorsement,) = apply(citizen, document).endorsements
    assert endorsement.failed_checks == [checks.PASS_EXPIRES_TOO_SOON]
    assert endorsement.valid_until == document.expires_on  # never outlives its pass


def test_an_overlapping_active_endorsement_goes_to_an_officer(citizen, pass_of, policies):
    EndorsementFactory(document=pass_of, applied_by=citizen, policy=policies["G"])
    (endorsement,) = apply(citizen, pass_of).endorsements
    assert endorsement.failed_checks == [checks.OVERLAPPING]


def test_a_restricted_person_is_told_only_to_contact_a_hall(citizen, pass_of, policies, supervisor):
    ExitRestrictionFactory(person=citizen.person, placed_by=supervisor)
    (endorsement,) = apply(citizen, pass_of).endorsements
    assert endorsement.failed_checks == ["cannot_approve_online"]
    assert "restrict" not in checks.check_message(endorsement.failed_checks[0]).lower()


def test_relatives_need_their_answers_and_an_allowed_relationship(citizen, pass_of, policies):
    with pytest.raises(AnswerRequired) as missing:
        apply(citizen, pass_of, ("HKG", "T", "3m1", {}))
    assert missing.value.errors[0]["field"] == "items.0.answers.relative_name"
    answers = {"relative_name": "陈大文", "relationship": "spouse"}
    (endorsement,) = apply(citizen, pass_of, ("HKG", "T", "3m1", answers)).endorsements
    assert endorsement.failed_checks == [checks.RELATIONSHIP_NOT_ELIGIBLE]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            lambda d: d.__class__.objects.filter(pk=d.pk).update(status="reported_lost"),
            PassNotUsable,
        ),
        (lambda d: None, EndorsementSuspended),
    ],
    ids=["lost pass", "suspended"],
)
def test_refusals(citizen, pass_of, policies, change, error):
    change(pass_of)
    item = ("HKG", "G", "3m1") if error is PassNotUsable else ("TWN", "G", "3m1")
    if error is EndorsementSuspended:
        from documents.tests.factories import TaiwanPermitFactory

        pass_of = TaiwanPermitFactory(person=citizen.person, expires_on=days_from_today(2000))
    with pytest.raises(error):
        apply(citizen, pass_of, item)


def test_someone_elses_pass_and_a_minor_not_theirs_are_not_found(citizen, policies):
    stranger = HkMacaoPassFactory(expires_on=days_from_today(2000))
    with pytest.raises(NotFound):
        apply(citizen, stranger)
    minor_pass = HkMacaoPassFactory(person=MinorFactory(), expires_on=days_from_today(1000))
    with pytest.raises(NotFound):
        apply(citizen, minor_pass)


def test_a_guardian_applies_for_their_minors_pass(citizen, policies):
    child = MinorFactory()
    GuardianshipFactory(guardian=citizen.person, child=child)
    minor_pass = HkMacaoPassFactory(person=child, expires_on=days_from_today(1000))
    (endorsement,) = apply(citizen, minor_pass).endorsements
    assert endorsement.person == child
    assert endorsement.applied_by == citizen


def test_other_refusals(citizen, pass_of, policies):
    from documents.tests.factories import PassportFactory

    with pytest.raises(NotACardPass):
        apply(citizen, PassportFactory(person=citizen.person))
    with pytest.raises(UnknownOption):
        apply(citizen, pass_of, ("HKG", "G", "9y9"))
    with pytest.raises(HallRequired):
        apply(citizen, pass_of, channel="hall", hall_code="nowhere")
    apply(citizen, pass_of)
    with pytest.raises(AlreadyApplied):
        apply(citizen, pass_of)


def test_a_double_submission_returns_the_first_application(citizen, pass_of, policies):
    first = apply(citizen, pass_of, key="k-1")
    again = apply(citizen, pass_of, key="k-1")
    assert not again.created
    assert [e.pk for e in again.endorsements] == [e.pk for e in first.endorsements]
    with pytest.raises(IdempotencyKeyReused):
        apply(citizen, pass_of, ("MAC", "G", "1y2"), key="k-1")


def test_officer_rejects_with_a_reason_the_citizen_reads(xian_citizen, policies, reviewer):
    (endorsement,) = apply(xian_citizen, xian_citizen.person.documents.get()).endorsements
    services.endorsement_reject(
        staff=reviewer,
        endorsement=endorsement,
        reason_code="not_eligible",
        reason="Individual travel is not open to residents of Xi'an.",
    )
    endorsement.refresh_from_db()
    assert endorsement.status == S.REJECTED
    assert endorsement.rejection_note.startswith("Individual travel")
    assert Notification.objects.filter(user=xian_citizen, kind="endorsement_rejected").exists()


def test_a_restriction_blocks_approval_and_printing(citizen, pass_of, policies, reviewer, officer):
    (approved,) = apply(citizen, pass_of).endorsements
    restriction = ExitRestrictionFactory(person=citizen.person, placed_by=reviewer)
    services.endorsement_pay(
        actor=officer, endorsement=approved, method="cash", receipt_number="R1"
    )
    with pytest.raises(ExitRestricted):
        services.endorsement_print(actor=officer, endorsement=approved)
    restriction.lifted_at = restriction.placed_at
    restriction.lift_reason = "court order ended"
    restriction.save()
    services.endorsement_print(actor=officer, endorsement=approved)
    approved.refresh_from_db()
    assert approved.status == S.ACTIVE


def test_pay_and_print_twice_change_nothing(citizen, pass_of, policies, officer):
    (endorsement,) = apply(citizen, pass_of).endorsements
    services.endorsement_pay(
        actor=officer, endorsement=endorsement, method="cash", receipt_number="R1"
    )
    services.endorsement_pay(
        actor=officer, endorsement=endorsement, method="cash", receipt_number="R1"
    )
    services.endorsement_print(actor=officer, endorsement=endorsement)
    services.endorsement_print(actor=officer, endorsement=endorsement)
    endorsement.refresh_from_db()
    assert endorsement.status == S.ACTIVE and endorsement.printed_at is not None
    actions = EndorsementEvent.objects.filter(endorsement=endorsement).values_list(
        "action", flat=True
    )
    assert list(actions) == ["apply", "auto_approve", "pay", "print"]
    assert Notification.objects.filter(user=citizen, kind="endorsement_active").exists()


def test_a_kiosk_pays_and_prints_as_the_system(citizen, pass_of, policies):
    (endorsement,) = apply(citizen, pass_of).endorsements
    services.endorsement_pay(
        actor=None, endorsement=endorsement, method="wechat", receipt_number="K1"
    )
    services.endorsement_print(actor=None, endorsement=endorsement)
    assert endorsement.status == S.ACTIVE


def test_printing_before_payment_is_refused(citizen, pass_of, policies, officer):
    (endorsement,) = apply(citizen, pass_of).endorsements
    with pytest.raises(ActionNotAllowed):
        services.endorsement_print(actor=officer, endorsement=endorsement)


def test_a_citizen_cannot_approve_and_an_unbound_account_cannot_apply(policies, pass_of):
    from core.errors import Problem

    unbound = CitizenFactory(person=None, bound_at=None)
    with pytest.raises(Problem):
        apply(unbound, pass_of)
