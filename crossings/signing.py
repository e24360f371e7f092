"""Signed requests of the port systems (docs/api.md "Port API").

A port signs each request with HMAC-SHA256 over

    METHOD \\n PATH \\n TIMESTAMP \\n NONCE \\n hex(SHA-256(body))

with the secret of one of its credentials, and sends X-Port-Key, X-Port-Timestamp (Unix
seconds), X-Port-Nonce and X-Port-Signature (hex). The server refuses a timestamp more than
PORT_SIGNATURE_MAX_AGE seconds away and a nonce seen before (kept in the cache for twice that
window). Secrets are not stored: each is derived from the credential's salt with the server's
PORT_CREDENTIAL_KEY, so verification works and a copy of the database signs nothing.
"""

import base64
import hashlib
import hmac
import re
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from core.rawsql import Part, RawSelect

from .errors import KeyUnknown, RequestReplayed, RequestStale, SignatureInvalid, SignatureMissing
from .models import Port, PortCredential

KEY_HEADER = "X-Port-Key"
TIMESTAMP_HEADER = "X-Port-Timestamp"
NONCE_HEADER = "X-Port-Nonce"
SIGNATURE_HEADER = "X-Port-Signature"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")


def _master_key() -> bytes:
    if settings.PORT_CREDENTIAL_KEY:
        return settings.PORT_CREDENTIAL_KEY.encode()
    # Domain-separated from every other use of SECRET_KEY.
    return hmac.new(
        settings.SECRET_KEY.encode(), b"exitentry.crossings.port-credential-key", hashlib.sha256
    ).digest()


def credential_secret(key_id: str, salt: str) -> str:
    """The secret of a credential, derived again from its key id and salt."""
    digest = hmac.new(
        _master_key(), f"port-credential\0{key_id}\0{salt}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_key_id() -> str:
    return "pk_" + secrets.token_urlsafe(18)


def new_salt() -> str:
    return secrets.token_hex(32)


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join(
        [method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]
    ).encode()


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The X-Port-Signature value: what a port computes (and the tests and the bench)."""
    message = string_to_sign(method, path, timestamp, nonce, body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    *, key_id: str, secret: str, method: str, path: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """Headers of a signed request, as a port sends them."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = secrets.token_urlsafe(18)
    return {
        KEY_HEADER: key_id,
        TIMESTAMP_HEADER: stamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: sign(secret, method, path, stamp, nonce, body),
    }


# Every batch reads its credential: fixed SQL, prepared (the ORM compiled this query each time:
# ~1 ms of a batch's ~11 ms of Python, bench/crossings_profile.py).
_ACTIVE_CREDENTIAL = RawSelect(
    [Part(PortCredential, "c"), Part(Port, "p")],
    "FROM crossings_portcredential c JOIN crossings_port p ON p.id = c.port_id "
    "WHERE c.key_id = %s AND c.revoked_at IS NULL AND p.active",
)


def _active_credential(key_id: str) -> PortCredential | None:
    rows = _ACTIVE_CREDENTIAL.rows([key_id])
    if not rows:
        return None
    credential, port = rows[0]
    credential.port = port
    return credential


def _header(request: HttpRequest, name: str, pattern: re.Pattern) -> str:
    value = request.headers.get(name, "")
    if not pattern.match(value):
        raise SignatureMissing(name)
    return value


def verify_request(request: HttpRequest, body: bytes) -> PortCredential:
    """The active credential that signed this request, or a 401 problem saying what is wrong.

    The nonce is remembered only once the signature is good, so that nobody without a secret
    can fill the cache."""
    key_id = _header(request, KEY_HEADER, _KEY_ID)
    stamp = _header(request, TIMESTAMP_HEADER, _TIMESTAMP)
    nonce = _header(request, NONCE_HEADER, _NONCE)
    signature = _header(request, SIGNATURE_HEADER, _SIGNATURE)
    max_age = settings.PORT_SIGNATURE_MAX_AGE
    if abs(time.time() - int(stamp)) > max_age:
        raise RequestStale(max_age)
    credential = _active_credential(key_id)
    if credential is None:
        raise KeyUnknown()
    secret = credential_secret(credential.key_id, credential.salt)
    expected = sign(secret, request.method, request.path, stamp, nonce, body)
    if not hmac.compare_digest(expected, signature.lower()):
        raise SignatureInvalid()
    # add() is atomic (SET NX on Redis): of two requests with one nonce, one passes.
    if not cache.add(f"crossings:nonce:{key_id}:{nonce}", 1, timeout=2 * max_age):
        raise RequestReplayed()
    return credential
