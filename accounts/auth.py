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
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from core.errors import Problem
from core.rawsql import Part, RawSelect, RawStatement
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


def token_user(key: str):
    """Return the active user a bearer key belongs to, or None."""
    prefix, _sep, secret = (key or "").partition(".")
    if not prefix or not secret or len(key) > 200:
        return None
    rows = _TOKEN_SELECT.rows([prefix])
    if not rows:
        return None
    token, user, person = rows[0]
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


# Bearer token first (apps), then the website's session cookie (CSRF-checked on writes).
citizen_auth = [TokenAuth(), SessionAuth()]


def require_bound(user) -> None:
    """Refuse personal data to an account not yet bound to a person (real-name binding)."""
    if not getattr(user, "person_id", None):
        raise Problem(
            status=403,
            code="identity_not_bound",
            detail=_("Bind your account to your identity first (real-name binding)."),
        )
