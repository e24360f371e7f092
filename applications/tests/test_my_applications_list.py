"""GET /api/v1/me/applications on its fast path (applications.selectors.applications_page_for,
one query, the answer built in its schema's shape): the same applications
in the same order as applications_for, a fixed number of queries, and exactly the body that
validates against the published schema."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.auth import token_hash, token_new_key
from accounts.models import ApiToken
from applications.api import ApplicationOut, EndorsementApplicationOut, MyApplicationsPage
from applications.models import Application
from applications.selectors import applications_for, applications_page_for, my_applications_page
from core.api import encode_json
from documents.tests.factories import CitizenFactory, HkMacaoPassFactory
from endorsements.selectors import endorsement_applications_for
from endorsements.tests.factories import EndorsementFactory
from persons.tests.factories import GuardianshipFactory, MinorFactory, PersonFactory

from .accepted import accepted_application

pytestmark = pytest.mark.django_db
LIST = "/api/v1/me/applications"


def bearer(user) -> dict:
    prefix, secret, key = token_new_key()
    ApiToken.objects.create(
        user=user,
        name="test phone",
        prefix=prefix,
        key_hash=token_hash(secret),
        expires_at=timezone.now() + dt.timedelta(days=1),
        last_used_at=timezone.now(),  # no "last used" write during the test
    )
    return {"authorization": f"Bearer {key}"}


@pytest.fixture
def family():
    """A citizen with two applications (passport, pass), a minor with one, and an adult child
    (18 or over: no longer acted for) with one."""
    citizen = CitizenFactory()
    minor = MinorFactory()
    GuardianshipFactory(guardian=citizen.person, child=minor)
    grown = PersonFactory(birth_date=dt.date(2000, 1, 1))
    GuardianshipFactory(guardian=citizen.person, child=grown)
    accepted_application(citizen.person, document_type="passport")
    accepted_application(citizen.person, document_type="hk_macao_pass")
    accepted_application(minor)
    accepted_application(grown)
    return citizen, minor, grown


def test_the_page_is_applications_for_cut_at_offset_and_limit(family):
    # given
    citizen, minor, grown = family
    expected = list(applications_for(user=citizen))
    # when each window is read
    for offset in range(0, 5):
        for limit in (1, 2, 20):
            count, page = applications_page_for(user=citizen, limit=limit, offset=offset)
            # then the count and the rows are those of the ORM's queryset
            assert count == len(expected) == 3
            assert [a.number for a in page] == [a.number for a in expected[offset : offset + limit]]
    assert grown.pk not in {a.person_id for a in expected}
    assert minor.pk in {a.person_id for a in expected}


def test_the_page_comes_with_its_related_rows(family):
    citizen, _minor, _grown = family
    _count, page = applications_page_for(user=citizen, limit=20, offset=0)
    with CaptureQueriesContext(connection) as queries:
        for application in page:
            assert application.person.id_number and application.hall.code
            assert application.service.code
            assert application.appointment.number
    assert queries.captured_queries == []


def test_the_list_runs_a_fixed_number_of_queries(client, family):
    # given the citizen's token, and then two more applications of the minor
    citizen, minor, _grown = family
    headers = bearer(citizen)
    client.get(LIST, headers=headers)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST, headers=headers).status_code == 200
    accepted_application(minor, document_type="taiwan_permit")
    accepted_application(citizen.person, document_type="taiwan_permit")
    # when
    with CaptureQueriesContext(connection) as more:
        response = client.get(LIST, headers=headers)
    # then the token with the applications and the endorsements: one query, whatever their
    # number
    assert response.json()["count"] == 5
    assert len(few.captured_queries) == len(more.captured_queries) == 1


def test_my_applications_page_reads_both_kinds_in_one_query(family):
    # given the family's applications and two endorsement applications, one of the minor's
    citizen, minor, _grown = family
    mine = EndorsementFactory(
        document=HkMacaoPassFactory(person=citizen.person), applied_by=citizen
    )
    theirs = EndorsementFactory(document=HkMacaoPassFactory(person=minor), applied_by=citizen)
    # when the first page is read
    with CaptureQueriesContext(connection) as queries:
        count, page, endorsements = my_applications_page(user=citizen, limit=2, offset=0)
    # then one query gives what the two reads give apart, in their order
    assert len(queries.captured_queries) == 1
    expected_count, expected_page = applications_page_for(user=citizen, limit=2, offset=0)
    assert (count, [a.pk for a in page]) == (expected_count, [a.pk for a in expected_page])
    assert [e.pk for e in endorsements] == [
        e.pk for e in endorsement_applications_for(user=citizen)
    ]
    assert {e.pk for e in endorsements} == {mine.pk, theirs.pk}
    # and what the answer shows of them needs no further query
    with CaptureQueriesContext(connection) as more:
        for application in page:
            assert application.person.name and application.person.id_number
            assert application.hall.name and application.hall.phone and application.hall.address_en
            assert application.service.name
        for endorsement in endorsements:
            assert endorsement.person.name and endorsement.policy.pk
    assert more.captured_queries == []


def test_my_applications_page_lists_endorsements_on_the_first_page_only(family):
    citizen, _minor, _grown = family
    EndorsementFactory(document=HkMacaoPassFactory(person=citizen.person), applied_by=citizen)
    count, page, endorsements = my_applications_page(user=citizen, limit=2, offset=2)
    assert (count, len(page), endorsements) == (3, 1, [])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_list_is_its_schema_in_order(client, family, language):
    citizen, _minor, _grown = family
    response = client.get(
        LIST + "?limit=2&offset=1", headers=bearer(citizen) | {"accept-language": language}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    MyApplicationsPage.model_validate(body)
    assert list(body) == list(MyApplicationsPage.model_fields)
    assert list(body["results"][0]) == list(ApplicationOut.model_fields)
    assert body["count"] == 3 and len(body["results"]) == 2
    assert body["previous"] and body["next"] is None


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_body_is_exactly_what_validation_against_its_schema_gives(client, family, language):
    # given the family's applications (one mailed, with its tracking number) and an endorsement
    # application of the citizen's, with a fee and a hall
    citizen, _minor, _grown = family
    mailed = applications_for(user=citizen).first()
    Application.objects.filter(pk=mailed.pk).update(
        delivery="mail", delivery_address="深圳市福田区 1 号", carrier="EMS", tracking_number="E1"
    )
    EndorsementFactory(document=HkMacaoPassFactory(person=citizen.person), applied_by=citizen)

    # when the first page is read (the endorsements come with it)
    response = client.get(LIST, headers=bearer(citizen) | {"accept-language": language})

    # then the body is, byte for byte, what ninja renders after validating it
    assert response.status_code == 200
    body = response.json()
    validated = MyApplicationsPage.model_validate(body).model_dump()
    assert response.content == encode_json(validated)
    assert list(body["endorsements"][0]) == list(EndorsementApplicationOut.model_fields)
    assert len(body["results"]) == 3 and len(body["endorsements"]) == 1


def test_an_unbound_or_anonymous_user_has_none(family):
    from django.contrib.auth.models import AnonymousUser

    assert applications_page_for(user=AnonymousUser(), limit=20, offset=0) == (0, [])
