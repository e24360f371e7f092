"""Endpoints that read the bearer token in the same statement as their data
(accounts.auth.PendingToken, citizen_auth_pending): My crossings and My applications. The
caller must be known (401) and bound (403) before anything is answered, exactly as with
citizen_auth, and the answer must be the same as when the token is read on its own."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.auth import token_hash, token_new_key
from accounts.models import ApiToken
from applications.tests.accepted import accepted_application
from crossings.tests.factories import CrossingFactory
from documents.tests.factories import CitizenFactory, PassportFactory
from persons.tests.factories import GuardianshipFactory, MinorFactory

from .factories import UserFactory

pytestmark = pytest.mark.django_db

CROSSINGS = "/api/v1/me/crossings"
APPLICATIONS = "/api/v1/me/applications"
ENDPOINTS = [CROSSINGS, APPLICATIONS]


def token_for(user, **fields) -> tuple[ApiToken, str]:
    prefix, secret, key = token_new_key()
    fields.setdefault("expires_at", timezone.now() + dt.timedelta(days=1))
    fields.setdefault("last_used_at", timezone.now())
    token = ApiToken.objects.create(
        user=user, name="phone", prefix=prefix, key_hash=token_hash(secret), **fields
    )
    return token, key


def bearer(key: str) -> dict:
    return {"authorization": f"Bearer {key}"}


@pytest.fixture
def citizen():
    """A bound citizen with crossings on a passport and an accepted application."""
    user = CitizenFactory()
    passport = PassportFactory(person=user.person)
    now = timezone.now()
    for days in (3, 40, 400):
        CrossingFactory(document=passport, occurred_at=now - dt.timedelta(days=days))
    accepted_application(user.person)
    return user


def problem_code(response) -> str:
    return response.json()["code"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_good_token_is_read_with_the_data_in_one_statement(client, citizen, url):
    # given the citizen's token
    _token, key = token_for(citizen)
    client.get(url, headers=bearer(key))  # the first request of a connection may prepare
    # when they read the list
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=bearer(key))
    # then one statement answers it, and it lists their records
    assert response.status_code == 200
    assert len(queries.captured_queries) == 1
    body = response.json()
    assert (body["crossings"] if url == CROSSINGS else body["results"]) != []


@pytest.mark.parametrize("url", ENDPOINTS)
def test_the_answer_is_the_same_as_with_the_website_s_session(client, citizen, url):
    # given the citizen's token, and the same citizen signed in on the website
    _token, key = token_for(citizen)
    by_token = client.get(url, headers=bearer(key))
    # when the list is read with the session (the token read apart, by the middleware)
    client.force_login(citizen)
    by_session = client.get(url)
    # then both answers are the same
    assert by_token.status_code == by_session.status_code == 200
    assert by_token.content == by_session.content


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("case", ["wrong_secret", "revoked", "expired", "inactive", "unknown"])
def test_a_bad_token_is_refused_and_nothing_of_the_data_is_answered(client, citizen, url, case):
    # given a token of the citizen that is not good, in one of several ways
    token, key = token_for(citizen)
    if case == "wrong_secret":
        key = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    elif case == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    elif case == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    elif case == "inactive":
        type(citizen).objects.filter(pk=citizen.pk).update(is_active=False)
    else:
        key = "nosuchpr." + key.partition(".")[2]
    # when it is used
    response = client.get(url, headers=bearer(key))
    # then the request is refused as unauthenticated, with no record in the answer
    assert response.status_code == 401
    assert problem_code(response) == "not_authenticated"
    assert citizen.person.id_number not in response.content.decode()
    assert "crossings" not in response.json() and "results" not in response.json()


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_bad_token_falls_back_to_the_website_s_session_as_before(client, citizen, url):
    # given the citizen signed in on the website, and a stale bearer key in the same request
    client.force_login(citizen)
    _token, key = token_for(citizen, revoked_at=timezone.now())
    # when the list is read
    response = client.get(url, headers=bearer(key))
    # then the session answers, as citizen_auth does (token first, then the session)
    assert response.status_code == 200


@pytest.mark.parametrize("url", ENDPOINTS)
def test_an_unbound_account_is_told_to_bind_first(client, url):
    # given a good token of an account not bound to a person
    _token, key = token_for(UserFactory())
    # when it reads the list
    response = client.get(url, headers=bearer(key))
    # then it is told to bind its identity
    assert response.status_code == 403
    assert problem_code(response) == "identity_not_bound"


@pytest.mark.parametrize(
    "url", [f"{CROSSINGS}?limit=abc", f"{APPLICATIONS}?limit=abc", f"{CROSSINGS}?start=1990-01-01"]
)
def test_an_unknown_caller_with_bad_input_is_told_401_not_422(client, citizen, url):
    # given a revoked token
    _token, key = token_for(citizen, revoked_at=timezone.now())
    # when it asks with input that is not valid
    response = client.get(url, headers=bearer(key))
    # then the caller is refused first
    assert response.status_code == 401
    # and a good token with the same input gets the clear 422
    _token, good = token_for(citizen)
    assert client.get(url, headers=bearer(good)).status_code == 422


def test_a_good_token_still_notes_its_last_use(client, citizen):
    # given a token last used an hour ago
    token, key = token_for(citizen, last_used_at=timezone.now() - dt.timedelta(hours=1))
    # when the records are read with it
    assert client.get(CROSSINGS, headers=bearer(key)).status_code == 200
    # then its last use is now
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)


def test_a_minor_s_records_and_a_later_page_read_the_token_on_its_own(client, citizen):
    # given the citizen is guardian of a minor with a crossing
    minor = MinorFactory()
    GuardianshipFactory(guardian=citizen.person, child=minor)
    CrossingFactory(document=PassportFactory(person=minor))
    _token, key = token_for(citizen)
    # when they read the minor's records, and the second page of their applications
    minors = client.get(f"{CROSSINGS}?person={minor.pk}", headers=bearer(key))
    later = client.get(f"{APPLICATIONS}?offset=1", headers=bearer(key))
    # then both are answered, through the token read first
    assert minors.status_code == 200 and minors.json()["relation"] == "minor"
    assert len(minors.json()["crossings"]) == 1
    assert later.status_code == 200 and later.json()["count"] == 1
