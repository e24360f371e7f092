import datetime as dt

import pytest

from core.errors import Problem
from documents.models import DocumentStatus
from documents.selectors import (
    document_display_status,
    document_get_for,
    document_mrz,
    document_number_for,
    document_usable,
    documents_for,
    documents_of_person,
)
from persons.tests.factories import GuardianshipFactory, MinorFactory, PersonFactory

from .factories import (
    CitizenFactory,
    HkMacaoPassFactory,
    PassportFactory,
    TaiwanPermitFactory,
    UnboundCitizenFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def family():
    """A bound guardian with a minor child; each holds documents."""
    user = CitizenFactory()
    child = MinorFactory(name_zh="王小明")
    GuardianshipFactory(guardian=user.person, child=child)
    return user, child


def test_documents_for_the_citizen_then_each_minor(family):
    # given
    user, child = family
    passport = PassportFactory(person=user.person)
    child_pass = HkMacaoPassFactory(person=child)
    # and a document of a stranger
    PassportFactory()
    # when
    groups = documents_for(user=user, today=TODAY)
    # then
    assert [(g.person, g.is_self) for g in groups] == [(user.person, True), (child, False)]
    assert [v.document for v in groups[0].documents] == [passport]
    assert [v.document for v in groups[1].documents] == [child_pass]
    # the holder and the guardian see numbers in full
    assert groups[1].documents[0].number == child_pass.number


def test_not_for_an_adult_child_nor_for_the_children_of_others(family):
    # given a child of the user who is now an adult, and a minor of another guardian
    user, _child = family
    adult_child = PersonFactory(birth_date=dt.date(2000, 1, 1))
    GuardianshipFactory(guardian=user.person, child=adult_child)
    HkMacaoPassFactory(person=adult_child)
    others = GuardianshipFactory()
    other_pass = HkMacaoPassFactory(person=others.child)
    # when
    groups = documents_for(user=user, today=TODAY)
    # then
    assert adult_child not in [g.person for g in groups]
    with pytest.raises(Problem) as error:
        document_get_for(user=user, document_id=other_pass.pk, today=TODAY)
    assert error.value.status == 404


def test_minors_without_documents_youngest_last_and_the_18th_birthday(family):
    # given a minor with no document, one born later, and one who turns 18 on TODAY
    user, child = family
    PassportFactory(person=user.person)
    younger = MinorFactory(birth_date=child.birth_date + dt.timedelta(days=400))
    GuardianshipFactory(guardian=user.person, child=younger)
    HkMacaoPassFactory(person=younger)
    eighteen_today = PersonFactory(birth_date=dt.date(2008, 11, 25))
    GuardianshipFactory(guardian=user.person, child=eighteen_today)
    seventeen = PersonFactory(birth_date=dt.date(2008, 11, 26))
    GuardianshipFactory(guardian=user.person, child=seventeen)
    # when
    groups = documents_for(user=user, today=TODAY)
    # then the same persons, in the same order, as persons_acting_for
    from persons.selectors import persons_acting_for

    assert [g.person for g in groups] == persons_acting_for(user=user, today=TODAY)
    assert [g.person for g in groups] == [user.person, seventeen, child, younger]
    assert [len(g.documents) for g in groups] == [1, 0, 0, 1]
    # and each document knows its holder without a query
    assert groups[3].documents[0].document.person is groups[3].person


def test_a_citizen_without_documents_gets_their_own_empty_group(citizen):
    groups = documents_for(user=citizen, today=TODAY)
    assert [(g.person, g.is_self, g.documents) for g in groups] == [(citizen.person, True, [])]


def test_unbound_and_anonymous_users_act_for_nobody():
    from django.contrib.auth.models import AnonymousUser

    PassportFactory()
    assert documents_for(user=UnboundCitizenFactory(), today=TODAY) == []
    assert documents_for(user=AnonymousUser(), today=TODAY) == []


def test_derived_status_days_left_and_expiring_soon(citizen):
    person = citizen.person
    # given a passport expiring today, a pass expiring in 7 months, a permit expired yesterday
    passport = PassportFactory(
        person=person, issued_on=dt.date(2016, 11, 26), expires_on=dt.date(2026, 11, 25)
    )
    hk = HkMacaoPassFactory(person=person, issued_on=TODAY, expires_on=dt.date(2027, 6, 25))
    tw = TaiwanPermitFactory(
        person=person, issued_on=dt.date(2016, 11, 25), expires_on=dt.date(2026, 11, 24)
    )
    # when
    views = {v.document.pk: v for v in documents_for(user=citizen, today=TODAY)[0].documents}
    # then: valid through its expiry date, with 0 days left and the warning
    assert views[passport.pk].display_status == DocumentStatus.VALID
    assert views[passport.pk].days_left == 0
    assert views[passport.pk].expiring_soon
    assert views[hk.pk].days_left == 212 and not views[hk.pk].expiring_soon
    assert views[tw.pk].display_status == DocumentStatus.EXPIRED
    assert views[tw.pk].days_left is None and not views[tw.pk].expiring_soon
    assert not views[tw.pk].usable and not views[tw.pk].can_report_lost
    # documents sorted by type: passport, pass, permit
    assert list(views) == [passport.pk, hk.pk, tw.pk]


def test_six_months_boundary(citizen):
    # expires 2027-05-25 is exactly 6 months after TODAY: not "under 6 months"
    at_six = PassportFactory(person=citizen.person, expires_on=dt.date(2027, 5, 25))
    view = document_get_for(user=citizen, document_id=at_six.pk, today=TODAY)
    assert not view.expiring_soon
    view = document_get_for(user=citizen, document_id=at_six.pk, today=TODAY + dt.timedelta(1))
    assert view.expiring_soon


@pytest.mark.parametrize(
    ("status", "expires_on", "usable"),
    [
        (DocumentStatus.VALID, TODAY, True),
        (DocumentStatus.VALID, TODAY - dt.timedelta(days=1), False),
        (DocumentStatus.REPORTED_LOST, dt.date(2030, 1, 1), False),
        (DocumentStatus.INVALIDATED, dt.date(2030, 1, 1), False),
    ],
)
def test_document_usable(status, expires_on, usable):
    document = PassportFactory(status=status, expires_on=expires_on)
    assert document_usable(document, TODAY) is usable
    assert (document_display_status(document, TODAY) == DocumentStatus.VALID) is usable


def test_one_access_check_for_a_single_document(family):
    user, child = family
    mine, childs, strangers = (
        PassportFactory(person=user.person),
        HkMacaoPassFactory(person=child),
        PassportFactory(),
    )
    assert document_get_for(user=user, document_id=mine.pk, today=TODAY).document == mine
    assert document_get_for(user=user, document_id=childs.pk, today=TODAY).document == childs
    for document_id in (strangers.pk, 0, -1, 10**30):
        with pytest.raises(Problem) as error:
            document_get_for(user=user, document_id=document_id, today=TODAY)
        assert error.value.status == 404
        assert error.value.code == "document_not_found"


def test_documents_for_uses_two_queries_whatever_the_number_of_documents(
    family, django_assert_num_queries
):
    # given a guardian with two minors and several documents each
    user, child = family
    second = MinorFactory()
    GuardianshipFactory(guardian=user.person, child=second)
    for person in (user.person, child, second):
        PassportFactory(person=person)
        HkMacaoPassFactory(person=person)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user.pk)  # as the auth middleware loads it
    # when / then: the bound person, then the family with its documents
    with django_assert_num_queries(2):
        groups = documents_for(user=user, today=TODAY)
        for group in groups:
            for view in group.documents:
                assert view.document.person.name_zh
    assert sum(len(g.documents) for g in groups) == 6


def test_numbers_are_masked_for_everyone_but_holder_and_guardians(family):
    user, child = family
    childs = HkMacaoPassFactory(person=child, number="CA1234567")
    stranger = CitizenFactory()
    assert document_number_for(user=user, document=childs) == "CA1234567"
    assert document_number_for(user=stranger, document=childs) == "C******67"
    assert [v.number for v in documents_of_person(person=child, today=TODAY)] == ["C******67"]


def test_mrz_of_a_passport_and_of_card_passes(citizen):
    person = citizen.person
    person.name_pinyin = "Wang Jianguo"
    passport = PassportFactory(person=person, number="EA1234567")
    hk = HkMacaoPassFactory(person=person, number="CA1234567")
    tw = TaiwanPermitFactory(person=person, number="L12345678")
    lines = document_mrz(passport)
    assert [len(line) for line in lines] == [44, 44]
    assert lines[0].startswith("P<CHNWANG<<JIANGUO<")
    assert lines[1].startswith("EA1234567")
    assert document_mrz(hk)[0].startswith("CSCHNCA1234567")
    assert document_mrz(tw)[0].startswith("CDCHNL12345678")
    assert document_mrz(tw)[2].startswith("WANG<<JIANGUO<")
