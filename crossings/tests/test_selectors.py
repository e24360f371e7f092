import datetime as dt
import random

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from core.dates import SHANGHAI
from crossings.models import Crossing
from crossings.selectors import crossings_page_for, earliest_day, person_crossings
from documents.tests.factories import CitizenFactory, HkMacaoPassFactory, PassportFactory

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


def _all_pages(user, **query) -> list[int]:

    seen, before = [], None
    while True:
        page = crossings_page_for(user=user, before=before, **query)
        seen += [c.pk for c in page.crossings]
        if page.next_cursor is None:
            return seen
        before = page.next_cursor


def test_pages_are_exactly_the_persons_crossings_in_every_shape():
    # given crossings over many months on three documents (an old passport among them), some at
    # the very edges of a UTC month (the partitions' months), and someone else's
    user = CitizenFactory()
    person = user.person
    old_passport = PassportFactory(person=person, status="invalidated")
    passport = PassportFactory(person=person)
    card = HkMacaoPassFactory(person=person)
    documents = [old_passport, passport, card]
    rnd = random.Random(12)
    now = timezone.now()
    moments = [now - dt.timedelta(days=rnd.uniform(1, 3600)) for _ in range(60)]
    edge = now.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    edge -= dt.timedelta(days=200)
    edge = edge.replace(day=1)
    moments += [edge, edge - dt.timedelta(microseconds=1), edge, edge + dt.timedelta(days=31)]
    for moment in moments:
        CrossingFactory(document=rnd.choice(documents), occurred_at=moment)
    CrossingFactory(occurred_at=now - dt.timedelta(days=5))  # someone else's

    # when they are read a page at a time in every shape: limits, documents, periods
    today, month = timezone.localdate(), dt.timedelta(days=40)
    periods = [
        (None, None),
        (earliest_day(), today),
        (edge.astimezone(SHANGHAI).date(), (edge + month).astimezone(SHANGHAI).date()),
        (today - dt.timedelta(days=900), today - dt.timedelta(days=300)),
    ]
    for limit in (1, 3, 20, 100):
        for document in [None, *documents]:
            for start, end in periods:
                seen = _all_pages(
                    user,
                    limit=limit,
                    start=start,
                    end=end,
                    document_id=document and document.pk,
                )

                # then each page holds what one ORM query over the same bounds gives
                low = dt.datetime.combine(start or earliest_day(), dt.time.min, tzinfo=SHANGHAI)
                high = dt.datetime.combine(
                    (end or today) + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI
                )
                expected = list(
                    person_crossings(
                        person.pk, start=low, end=high, document_id=document and document.pk
                    ).values_list("pk", flat=True)
                )
                assert seen == expected, (limit, document, start, end)
    first = crossings_page_for(user=user, limit=100)
    assert {c.document_id for c in first.crossings} == {d.pk for d in documents}
    assert {d.pk for d in first.documents} == {d.pk for d in documents}


def test_a_page_is_one_query_however_many_months_it_reads(django_assert_num_queries):
    # given crossings in 40 different months
    user = CitizenFactory()
    card = HkMacaoPassFactory(person=user.person)
    now = timezone.now()
    for month in range(40):
        CrossingFactory(document=card, occurred_at=now - dt.timedelta(days=31 * month + 2))
    user.person

    # when a page of 30 is read, then documents, page and endorsements come in one statement
    with django_assert_num_queries(1):
        page = crossings_page_for(user=user, limit=30)
    assert len(page.crossings) == 30 and page.next_cursor
