"""The embedded mode's keys: a development CA, the PDF signing key it certifies, a timestamping
key for tests, the CA's CRL and the QR code's COSE key, made on first use under one directory.

Idempotent and safe when several processes start at once: an exclusive file lock around the
check-and-create, and the files are written to a temporary directory that is renamed into place
in one step, so a reader sees all the files or none.
"""

import datetime as dt
import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_KEY = "ca.key.pem"
CA_CERT = "ca.cert.pem"
SIGNER_KEY = "signer.key.pem"
SIGNER_CERT = "signer.cert.pem"
TSA_KEY = "tsa.key.pem"
TSA_CERT = "tsa.cert.pem"
COSE_KEY = "cose.key.pem"
CRL = "ca.crl.pem"
KEYS_SUBDIR = "pki"

# Where the CRL is said to be published (in the signing certificate); the site serves it there.
CRL_PATH = "/trust/ca.crl"


@dataclass(frozen=True)
class DevPki:
    directory: Path

    def path(self, name: str) -> Path:
        return self.directory / name


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "exitentry (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _issue(
    *,
    ca_key,
    ca_cert: x509.Certificate,
    key,
    common_name: str,
    now: dt.datetime,
    days: int,
    usage: x509.KeyUsage,
    eku: list | None,
    crl_url: str,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(ca_key, hashes.SHA256())


def _usage(*, signing: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def crl_issue(*, ca_key, ca_cert: x509.Certificate, now: dt.datetime, days: int = 30) -> bytes:
    """A CRL of the CA revoking nothing, valid `days` days (PEM)."""
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=days))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.PEM)


def _create(directory: Path, *, crl_url: str) -> None:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("exitentry development root CA"))
        .issuer_name(_name("exitentry development root CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(ca=True), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    files: dict[str, bytes] = {CA_KEY: _pem_key(ca_key), CA_CERT: _pem_cert(ca_cert)}
    for key_file, cert_file, name, eku, signing in (
        (SIGNER_KEY, SIGNER_CERT, "Exit-Entry Administration (development)", None, True),
        (TSA_KEY, TSA_CERT, "exitentry development TSA", [ExtendedKeyUsageOID.TIME_STAMPING], 0),
    ):
        # The TSA key is RSA: pyHanko's test timestamper (DummyTimeStamper) signs only with RSA.
        key = (
            rsa.generate_private_key(65537, 2048)
            if eku
            else ec.generate_private_key(ec.SECP256R1())
        )
        cert = _issue(
            ca_key=ca_key,
            ca_cert=ca_cert,
            key=key,
            common_name=name,
            now=now,
            days=365 * 10,
            usage=_usage(signing=bool(signing)),
            eku=eku,
            crl_url=crl_url,
        )
        files[key_file], files[cert_file] = _pem_key(key), _pem_cert(cert)
    files[COSE_KEY] = _pem_key(ec.generate_private_key(ec.SECP256R1()))
    files[CRL] = crl_issue(ca_key=ca_key, ca_cert=ca_cert, now=now)
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = directory / name
        path.write_bytes(data)
        if name.endswith(".key.pem"):
            path.chmod(0o600)


def dev_pki(base: Path, *, crl_url: str) -> DevPki:
    """The development PKI under `base`, made now if it does not exist yet."""
    target = Path(base) / KEYS_SUBDIR
    if (target / CRL).is_file():
        return DevPki(target)
    Path(base).mkdir(parents=True, exist_ok=True)
    with open(Path(base) / ".pki.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (target / CRL).is_file():  # another process may have made it meanwhile
                staging = Path(tempfile.mkdtemp(prefix=".pki-", dir=base))
                try:
                    _create(staging, crl_url=crl_url)
                    os.rename(staging, target)
                finally:
                    shutil.rmtree(staging, ignore_errors=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return DevPki(target)


def crl_refresh(pki: DevPki, *, min_days_left: int = 7) -> None:
    """Issue the development CA's CRL again when it is about to go stale (embedded mode only)."""
    crl = x509.load_pem_x509_crl(pki.path(CRL).read_bytes())
    now = dt.datetime.now(dt.UTC)
    if crl.next_update_utc and crl.next_update_utc - now > dt.timedelta(days=min_days_left):
        return
    ca_key = serialization.load_pem_private_key(pki.path(CA_KEY).read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate(pki.path(CA_CERT).read_bytes())
    data = crl_issue(ca_key=ca_key, ca_cert=ca_cert, now=now)
    staging = pki.path(CRL + ".tmp")
    staging.write_bytes(data)
    os.replace(staging, pki.path(CRL))
