"""How API callers prove who they are: bearer tokens (apps, mini-programs) or the session cookie
(the website, with CSRF). Every citizen endpoint uses `citizen_auth`."""

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from core.api import DeferredAuth
from core.errors import Problem
from core.rawsql import Part, RawSelect, RawStatement, Subquery
from persons.models import Person

from .errors import AccountsError
from .models import ApiToken, User

TOKEN_PREFIX_BYTES = 6
TOKEN_SECRET_BYTES = 32
# Refresh "last used" at most this often, so that reads do not write on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_new_key() -> tuple[str, str, str]:
    """Return (prefix, secret, the key the client keeps: 'prefix.secret')."""
    prefix = secrets.token_urlsafe(TOKEN_PREFIX_BYTES)
    secret = secrets.token_urlsafe(TOKEN_SECRET_BYTES)
    return prefix, secret, f"{prefix}.{secret}"


# Every API request of an app runs this: one fixed SQL query for the token, its user and the
# user's bound person (core.rawsql, measured in docs/benchmarks.md "My documents").
_TOKEN_SELECT = RawSelect(
    [Part(ApiToken, "t"), Part(User, "u"), Part(Person, "p")],
    "FROM accounts_apitoken t"
    " JOIN accounts_user u ON u.id = t.user_id"
    " LEFT JOIN persons_person p ON p.id = u.person_id"
    " WHERE t.prefix = %s",
)

_TOKEN_USED = RawStatement("UPDATE accounts_apitoken SET last_used_at = %s WHERE id = %s")
# The same on PostgreSQL when it is a transaction of its own (autocommit): its commit does not
# wait for the WAL to reach the disk (synchronous_commit off for this one transaction, set in
# the statement itself). "Last used" is bookkeeping read at the resolution of days (the idle
# expiry); a crash of the database may lose the last moment's such updates, never a token, a
# revocation or anything else. In the benchmarks' traffic (each token's last use spread over
# the past five minutes) about one request in 15 writes it, and waited for an fsync before.
_TOKEN_USED_NO_WAIT = RawStatement(
    "WITH no_wait AS (SELECT set_config('synchronous_commit', 'off', true))"
    " UPDATE accounts_apitoken SET last_used_at = %s FROM no_wait WHERE id = %s"
)


def _token_used(token_id: int, now) -> None:
    own_transaction = connection.vendor == "postgresql" and not connection.in_atomic_block
    statement = _TOKEN_USED_NO_WAIT if own_transaction else _TOKEN_USED
    statement.execute([connection.ops.adapt_datetimefield_value(now), token_id])


def _key_parts(key: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed bearer key, else None."""
    prefix, _sep, secret = (key or "").partition(".")
    if not prefix or not secret or len(key) > 200:
        return None
    return prefix, secret


def _token_checked(row: tuple | None, secret: str):
    """The active user of a token row (token, user, person) read by its prefix, if `secret` is
    its secret and the token is live; else None. Notes the token's use."""
    if row is None:
        return None
    token, user, person = row
    if not hmac.compare_digest(token.key_hash, token_hash(secret)):
        return None
    user.person = person  # None when unbound: no query on `user.person`
    token.user = user
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    # Idle: a token unused for API_TOKEN_IDLE_DAYS stops working (a lost phone's app).
    if (token.last_used_at or token.created_at) <= now - dt.timedelta(
        days=settings.API_TOKEN_IDLE_DAYS
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        _token_used(token.pk, now)
    token.user.api_token = token
    return token.user


def token_user(key: str):
    """Return the active user a bearer key belongs to, or None."""
    parts = _key_parts(key)
    if parts is None:
        return None
    rows = _TOKEN_SELECT.rows([parts[0]])
    return _token_checked(rows[0] if rows else None, parts[1])


# The token of a PendingToken as the first branch of its endpoint's RawUnion (a union's branch
# needs an order; a prefix is unique), and its person's id as a subquery for the other branches.
# Only the fields the checks and those endpoints read: every row of a union carries a column
# for each branch's fields (measured: the whole three models made the one statement as costly
# as the two). Any other field is read on first use (the ORM's deferred fields).
TOKEN_BRANCH = (
    RawSelect(
        [
            Part(
                ApiToken,
                "t",
                only=("id", "key_hash", "created_at", "last_used_at", "expires_at", "revoked_at"),
            ),
            Part(
                User,
                "u",
                only=("id", "is_active", "is_staff", "is_superuser", "person_id", "language"),
            ),
            Part(Person, "p", only=("id",)),
        ],
        _TOKEN_SELECT.rest,
        order_by="t.id",
    ),
    "",
)
_PERSON_OF_PREFIX = (
    "SELECT u.person_id FROM accounts_apitoken t"
    " JOIN accounts_user u ON u.id = t.user_id WHERE t.prefix = %s"
)


class PendingToken(DeferredAuth):
    """`request.auth` of an endpoint of `citizen_auth_pending` called with a well-formed bearer
    key, before anything has been read: such an endpoint reads the token in the same statement
    as its data (one round trip instead of two, docs/benchmarks.md "One statement a request").

    Its reads ask for the data of `person()` (the token's person, worked out by the database)
    with `TOKEN_BRANCH` first, then pass that branch's rows to `accept`: the user when the key
    is good, and nothing read is used otherwise. Any other use calls `resolve`. Both leave the
    user in `request.auth`, as citizen_auth would have.
    """

    __slots__ = ("key", "prefix", "request", "secret")

    def __init__(self, request: HttpRequest, key: str, prefix: str, secret: str) -> None:
        self.request, self.key, self.prefix, self.secret = request, key, prefix, secret

    def person(self) -> Subquery:
        """The id of the token's user's person, as a parameter of a RawUnion."""
        return Subquery(_PERSON_OF_PREFIX, (self.prefix,))

    def accept(self, token_rows: list[tuple]):
        """The user, given TOKEN_BRANCH's rows read with the data, or None if the key is not
        good (then the caller must `resolve`, which may still find a signed-in session)."""
        row = TOKEN_BRANCH[0].instances(token_rows[0], deferred=True) if token_rows else None
        user = _token_checked(row, self.secret)
        if user is not None:
            self.request.auth = user
        return user

    def resolve(self):
        """The user as citizen_auth finds it: the token, else the website's session; else the
        request is refused (401)."""
        user = token_user(self.key) or SessionAuth()(self.request)
        if not user:
            raise AuthenticationError()
        self.request.auth = user
        return user


def signed_in(auth):
    """The user of `request.auth`, a PendingToken resolved."""
    return auth.resolve() if isinstance(auth, PendingToken) else auth


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` from POST auth/token."""

    def __call__(self, request: HttpRequest):
        # As ninja's HttpBearer, reading the one header from META: `request.headers` would
        # build a dict of every header first, on every request of an app.
        scheme, _sep, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not key:
            return None
        return self.authenticate(request, key)

    def authenticate(self, request: HttpRequest, token: str):
        return token_user(token)


def csrf_failed() -> Problem:
    return Problem(
        status=403,
        code=AccountsError.CSRF_FAILED,
        detail=_("This request lacks its security token. Reload the page and try again."),
    )


def require_csrf(request: HttpRequest) -> None:
    """Refuse a write that comes without the CSRF token (for endpoints that start a session)."""
    if check_csrf(request) is not None:
        raise csrf_failed()


class SessionAuth(APIKeyCookie):
    """The website's session cookie; writes must carry the CSRF token.

    Unlike ninja's django_auth, the CSRF check applies only to a signed-in session: a request
    without a session answers 401 (sign in), not 403, and the refusal is a problem with the
    stable code `csrf_failed`.
    """

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(settings.SESSION_COOKIE_NAME)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if not key or user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False):
            require_csrf(request)
        return user


class PendingTokenAuth(TokenAuth):
    """TokenAuth that reads nothing yet: a well-formed key becomes a PendingToken."""

    def authenticate(self, request: HttpRequest, token: str):
        parts = _key_parts(token)
        return None if parts is None else PendingToken(request, token, *parts)


# Bearer token first (apps), then the website's session cookie (CSRF-checked on writes).
citizen_auth = [TokenAuth(), SessionAuth()]
# The same for the reads that take the token with their data (PendingToken): GETs only, so
# that no write runs before its caller is known.
citizen_auth_pending = [PendingTokenAuth(), SessionAuth()]


def require_bound(user) -> None:
    """Refuse personal data to an account not yet bound to a person (real-name binding)."""
    if not getattr(user, "person_id", None):
        raise Problem(
            status=403,
            code="identity_not_bound",
            detail=_("Bind your account to your identity first (real-name binding)."),
        )
