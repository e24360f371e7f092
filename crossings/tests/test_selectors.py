import datetime as dt

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from crossings.models import Crossing
from crossings.selectors import person_crossings
from documents.tests.factories import HkMacaoPassFactory, PassportFactory

from .factories import CrossingFactory

pytestmark = pytest.mark.django_db


def test_person_crossings_are_the_persons_within_the_period_newest_first():
    # given a person with crossings on two documents, one outside the period, and someone else's
    now = timezone.now()
    passport = PassportFactory()
    card = HkMacaoPassFactory(person=passport.person)
    old = CrossingFactory(document=passport, occurred_at=now - dt.timedelta(days=400))
    recent = CrossingFactory(document=card, occurred_at=now - dt.timedelta(days=3))
    middle = CrossingFactory(document=passport, occurred_at=now - dt.timedelta(days=40))
    CrossingFactory(document=passport, occurred_at=now - dt.timedelta(days=3000))
    CrossingFactory(occurred_at=now - dt.timedelta(days=3))

    # when the last year is read
    found = list(
        person_crossings(passport.person_id, start=now - dt.timedelta(days=365 * 2), end=now)
    )

    # then the person's crossings of the period come newest first, on every document
    assert found == [recent, middle, old]
    assert found[0].port.code and found[0].document.number == card.number


def test_person_crossings_on_one_document(django_assert_num_queries):
    # given crossings on a passport and a card pass
    now = timezone.now()
    passport = PassportFactory()
    card = HkMacaoPassFactory(person=passport.person)
    CrossingFactory(document=passport, occurred_at=now - dt.timedelta(days=5))
    on_card = CrossingFactory(document=card, occurred_at=now - dt.timedelta(days=6))

    # when only the card's are asked for, then one query brings them with port and document
    with django_assert_num_queries(1):
        found = list(
            person_crossings(
                passport.person_id,
                start=now - dt.timedelta(days=30),
                end=now,
                document_id=card.pk,
            )
        )
        assert [(c.pk, c.port.code, c.document.type) for c in found] == [
            (on_card.pk, on_card.port.code, card.type)
        ]


def test_person_crossings_refuses_naive_bounds():
    with pytest.raises(ValueError):
        person_crossings(1, start=dt.datetime(2020, 1, 1), end=timezone.now())


def test_a_person_document_or_port_with_crossings_cannot_be_deleted():
    # given a crossing (the table has no foreign-key constraints in the database: PROTECT is
    # what keeps its rows pointing somewhere)
    crossing = CrossingFactory()

    # when its person, document or port is deleted through the ORM, then it is refused
    for target in (crossing.person, crossing.document, crossing.port):
        with pytest.raises(ProtectedError):
            target.delete()
    assert Crossing.objects.filter(pk=crossing.pk).exists()
