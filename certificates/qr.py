"""The QR code's payload: a CWT (COSE_Sign1, ES256) compressed with zlib and encoded in base45
behind a prefix, as the EU digital COVID certificates do (`HC1:` there, `EEC1:` here).

It verifies offline with only the published keys (GET /api/v1/trust/keys): a phone decodes
base45, inflates, checks the COSE signature against the key named by its `kid`, and reads the
claims. The same key signs the revocation list (`revocation_list_token`).

Claims: 1 iss, 6 iat, 4 exp (far: a certificate does not expire, the key's validity bounds it),
5 nbf, and CLAIM_CERTIFICATE (a private-use negative key) with the certificate's statement.
"""

import base64
import datetime as dt
import functools
import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

import base45
import cbor2
import cwt
from cryptography.hazmat.primitives import serialization
from cwt import COSEKey
from django.conf import settings

from . import pki

PREFIX = "EEC1:"
ISSUER = "CN-NIA"
CLAIM_CERTIFICATE = -70001
CLAIM_REVOKED = -70002
_FAR = dt.timedelta(days=365 * 30)
# A zlib bomb in a QR code is small; its output is not allowed to be.
MAX_INFLATED = 16 * 1024
MAX_PAYLOAD = 4096


class PayloadInvalid(Exception):
    """The payload is not ours: malformed, or not signed by a published key. `reason` says."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # malformed, unknown_key, bad_signature


@dataclass(frozen=True)
class CoseKeys:
    private: COSEKey
    public: COSEKey
    kid: str
    public_pem: bytes


def _key_pem() -> bytes:
    if settings.CERTIFICATES_COSE_KEY_FILE:
        return Path(settings.CERTIFICATES_COSE_KEY_FILE).read_bytes()
    crl_url = f"{settings.CERTIFICATES_PUBLIC_URL.rstrip('/')}{pki.CRL_PATH}"
    dev = pki.dev_pki(settings.CERTIFICATES_KEY_DIR, crl_url=crl_url)
    return dev.path(pki.COSE_KEY).read_bytes()


@functools.cache
def _keys_for(pem: bytes) -> CoseKeys:
    private_key = serialization.load_pem_private_key(pem, None)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # The key id is the first 8 bytes of the public key's SHA-256, as the EU DCC does.
    kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:8]).decode().rstrip("=")
    return CoseKeys(
        private=COSEKey.from_pem(pem, alg="ES256", kid=kid),
        public=COSEKey.from_pem(public_pem, alg="ES256", kid=kid),
        kid=kid,
        public_pem=public_pem,
    )


def cose_keys() -> CoseKeys:
    return _keys_for(_key_pem())


def _encode(claims: dict, *, at: dt.datetime) -> str:
    keys = cose_keys()
    iat = int(at.timestamp())
    token = cwt.encode(
        {1: ISSUER, 6: iat, 5: iat - 60, 4: iat + int(_FAR.total_seconds()), **claims},
        keys.private,
    )
    return PREFIX + base45.b45encode(zlib.compress(token, 9)).decode("ascii")


def _raw(text: str) -> bytes:
    text = (text or "").strip()
    if len(text) > MAX_PAYLOAD or not text.startswith(PREFIX):
        raise PayloadInvalid("malformed")
    try:
        compressed = base45.b45decode(text[len(PREFIX) :])
        inflater = zlib.decompressobj()
        token = inflater.decompress(compressed, MAX_INFLATED)
        if inflater.unconsumed_tail:
            raise PayloadInvalid("malformed")
    except (ValueError, zlib.error):
        raise PayloadInvalid("malformed") from None
    return token


def _decode(text: str, public_keys: list[COSEKey]) -> dict:
    token = _raw(text)
    try:
        claims = cwt.decode(token, public_keys)
    except cwt.VerifyError as error:
        reason = "unknown_key" if "kid" in str(error).lower() else "bad_signature"
        raise PayloadInvalid(reason) from None
    except (cwt.DecodeError, ValueError, KeyError, TypeError):
        raise PayloadInvalid("malformed") from None
    if not isinstance(claims, dict) or claims.get(1) != ISSUER:
        raise PayloadInvalid("malformed")
    return claims


def certificate_payload(
    *,
    code: str,
    name_masked: str,
    kind: str,
    period: tuple[dt.date, dt.date] | None,
    record_count: int,
    issued_at: dt.datetime,
    content_sha256: str,
) -> str:
    """The QR text of one certificate."""
    statement = {
        "c": code,
        "k": kind,
        "n": name_masked,
        "r": record_count,
        "h": bytes.fromhex(content_sha256),
    }
    if period:
        statement["p"] = [period[0].isoformat(), period[1].isoformat()]
    return _encode({CLAIM_CERTIFICATE: statement}, at=issued_at)


@dataclass(frozen=True)
class QrStatement:
    code: str
    kind: str
    name_masked: str
    period: tuple[dt.date, dt.date] | None
    record_count: int
    issued_at: dt.datetime
    content_sha256: str
    kid: str


def payload_read(text: str, *, public_keys: list[COSEKey] | None = None) -> QrStatement:
    """Verify and read a QR payload with the published keys only (ours by default)."""
    keys = public_keys if public_keys is not None else [cose_keys().public]
    claims = _decode(text, keys)
    statement = claims.get(CLAIM_CERTIFICATE)
    try:
        period = statement.get("p")
        return QrStatement(
            code=str(statement["c"]),
            kind=str(statement["k"]),
            name_masked=str(statement["n"]),
            period=(dt.date.fromisoformat(period[0]), dt.date.fromisoformat(period[1]))
            if period
            else None,
            record_count=int(statement["r"]),
            issued_at=dt.datetime.fromtimestamp(int(claims[6]), dt.UTC),
            content_sha256=bytes(statement["h"]).hex(),
            kid=cose_keys().kid if public_keys is None else "",
        )
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        raise PayloadInvalid("malformed") from None


def revocation_list_token(*, codes: list[str], at: dt.datetime) -> str:
    """The revoked codes as a signed CWT (same key, same encoding), issued `at`."""
    return _encode({CLAIM_REVOKED: sorted(codes)}, at=at)


def revocation_list_read(text: str, *, public_keys: list[COSEKey]) -> tuple[dt.datetime, list]:
    claims = _decode(text, public_keys)
    return dt.datetime.fromtimestamp(int(claims[6]), dt.UTC), list(claims.get(CLAIM_REVOKED, []))


def public_jwk() -> dict:
    """The COSE key's public half as a JWK (RFC 7517), with its kid."""
    numbers = serialization.load_pem_public_key(cose_keys().public_pem).public_numbers()

    def b64(value: int) -> str:
        return base64.urlsafe_b64encode(value.to_bytes(32, "big")).decode().rstrip("=")

    return {
        "kty": "EC",
        "crv": "P-256",
        "alg": "ES256",
        "use": "sig",
        "kid": cose_keys().kid,
        "x": b64(numbers.x),
        "y": b64(numbers.y),
    }


def public_cose_key() -> str:
    """The COSE key's public half as a COSE_Key (CBOR), base64url."""
    cose_key = {k: v for k, v in cose_keys().public.to_dict().items() if k != -4}  # -4: d
    return base64.urlsafe_b64encode(cbor2.dumps(cose_key)).decode().rstrip("=")
