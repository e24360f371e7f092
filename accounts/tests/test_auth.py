"""Bearer tokens as every API request reads them (accounts.auth.token_user)."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.auth import (
    LAST_USED_RESOLUTION,
    TokenAuth,
    token_hash,
    token_new_key,
    token_user,
)
from accounts.models import ApiToken

from .factories import BoundUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_token(user, **fields) -> tuple[ApiToken, str]:
    prefix, secret, key = token_new_key()
    token = ApiToken.objects.create(
        user=user,
        name="phone",
        prefix=prefix,
        key_hash=token_hash(secret),
        expires_at=fields.pop("expires_at", timezone.now() + dt.timedelta(days=30)),
        **fields,
    )
    return token, key


def test_a_valid_key_gives_its_user_with_the_bound_person_in_one_query(
    django_assert_num_queries,
):
    # given a bound citizen's token, used a moment ago
    user = BoundUserFactory()
    token, key = make_token(user, last_used_at=timezone.now())
    # when
    with django_assert_num_queries(1):
        found = token_user(key)
        # then the user, their person and the token come with that one query
        assert found.pk == user.pk
        assert found.person.pk == user.person.pk
        assert found.person.birth_date == user.person.birth_date
        assert found.api_token.pk == token.pk
        assert found.api_token.expires_at == token.expires_at


def test_an_unbound_user_has_no_person_and_no_query_for_it(django_assert_num_queries):
    _token, key = make_token(UserFactory(), last_used_at=timezone.now())
    with django_assert_num_queries(1):
        found = token_user(key)
        assert found.person is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # wrong secret
        lambda key: "nosuch." + key.partition(".")[2],  # unknown prefix
        lambda key: key.partition(".")[0],  # no secret
        lambda key: "",
        lambda key: key + "x" * 200,  # oversized
    ],
)
def test_a_wrong_key_gives_nobody(mangle):
    _token, key = make_token(BoundUserFactory())
    assert token_user(mangle(key)) is None


def test_revoked_expired_and_deactivated_give_nobody():
    now = timezone.now()
    _t, revoked = make_token(BoundUserFactory(), revoked_at=now)
    _t, expired = make_token(BoundUserFactory(), expires_at=now - dt.timedelta(seconds=1))
    inactive_user = BoundUserFactory(is_active=False)
    _t, inactive = make_token(inactive_user)
    assert [token_user(k) for k in (revoked, expired, inactive)] == [None, None, None]


def test_last_used_is_written_once_per_resolution():
    # given a token last used longer ago than the resolution
    old = timezone.now() - LAST_USED_RESOLUTION - dt.timedelta(seconds=5)
    token, key = make_token(BoundUserFactory(), last_used_at=old)
    # when it is used twice
    token_user(key)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    token_user(key)
    # then it was written by the first use only
    assert first > old
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_last_used_written_on_its_own_or_in_a_transaction_leaves_the_settings_alone():
    on_postgresql = connection.vendor == "postgresql"
    before = _synchronous_commit() if on_postgresql else ""
    # given two tokens last used longer ago than the resolution
    old = timezone.now() - LAST_USED_RESOLUTION - dt.timedelta(seconds=5)
    first, first_key = make_token(BoundUserFactory(), last_used_at=old)
    second, second_key = make_token(BoundUserFactory(), last_used_at=old)
    # when one is used on its own (autocommit: on PostgreSQL the update does not wait for the
    # WAL flush) and the other inside a transaction (the plain update)
    assert token_user(first_key) is not None
    with transaction.atomic():
        assert token_user(second_key) is not None
        inside = _synchronous_commit() if on_postgresql else ""
    # then both are written, and neither changed the connection's commit setting
    assert ApiToken.objects.get(pk=first.pk).last_used_at > old
    assert ApiToken.objects.get(pk=second.pk).last_used_at > old
    if on_postgresql:
        assert inside == before
        assert _synchronous_commit() == before


@pytest.mark.parametrize(
    ("header", "found"),
    [
        ("Bearer {key}", True),
        ("bearer {key}", True),  # the scheme is case-insensitive (RFC 9110)
        ("BEARER {key}", True),
        ("Basic {key}", False),
        ("Bearer", False),
        ("Bearer ", False),
        ("{key}", False),
        ("", False),
    ],
)
def test_the_authorization_header_is_read_as_ninjas_http_bearer_reads_it(rf, header, found):
    # given a bound citizen's token and a request carrying some Authorization header
    user = BoundUserFactory()
    _token, key = make_token(user, last_used_at=timezone.now())
    request = rf.get("/api/v1/me", HTTP_AUTHORIZATION=header.format(key=key))
    # when the API's bearer authentication reads it
    result = TokenAuth()(request)
    # then only the Bearer scheme with the key finds the user
    assert (result is not None and result.pk == user.pk) is found


def test_a_request_without_the_header_is_not_authenticated(rf):
    assert TokenAuth()(rf.get("/api/v1/me")) is None
