"""PAdES signatures of the certificates with pyHanko, and their validation.

Each certificate is signed PAdES B-LT: the signer's chain and the CA's revocation data (CRLs, or
OCSP answers when fetched) go into the document security store, so the file still validates
offline years later. With a timestamp authority (CERTIFICATES_TSA_URL) the signature gets a
signature timestamp and the file a document timestamp over the DSS: B-LTA.

Where the key comes from (CERTIFICATES_SIGNER):
- "embedded": a development CA and signing key, made on first use (certificates.pki);
- "files": a PEM key (or a PKCS#12 bundle) with its certificate and chain;
- "pkcs11": a key on a PKCS#11 token (an HSM; SoftHSM2 in the tests).

The material is loaded once per process (`signing_material`); `signing_material_reset` drops it
(tests, key rotation).
"""

import asyncio
import concurrent.futures
import datetime as dt
import io
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from . import pki

SIGNATURE_FIELD = "AuthoritySignature"
logger = logging.getLogger(__name__)
# Bytes reserved for the signature container: the CMS with the signer's chain (EC keys: about
# 2 kB), and with a TSA its timestamp token and the TSA's chain (RSA: about 5 kB more).
RESERVED = 8192
RESERVED_WITH_TSA = 20480
# A thread's signing validation context is rebuilt after this long (its notion of "now").
CONTEXT_SECONDS = 600
# The signing material is loaded again this long before its CRLs' next update (embedded mode
# issues a fresh CRL then; file mode reads the files again, which the operator keeps current).
CRL_MARGIN = dt.timedelta(days=7)


class _FetchingOff(logging.Filter):
    """pyHanko warns on every signature that revocation data is embedded without fetching: that
    is what the embedded and file modes intend (the CA's CRLs are given), so the warning goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_FetchingOff())


def _load_certs(path: str | Path) -> list[asn1_x509.Certificate]:
    data = Path(path).read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, True)]
    return [asn1_x509.Certificate.load(data)]


def _load_crls(paths) -> list[asn1_crl.CertificateList]:
    crls = []
    for path in paths:
        data = Path(path).read_bytes()
        if pem.detect(data):
            crls += [asn1_crl.CertificateList.load(der) for _t, _h, der in pem.unarmor(data, True)]
        else:
            crls.append(asn1_crl.CertificateList.load(data))
    return crls


@dataclass
class SigningMaterial:
    """What signing needs: the signer, its chain up to the root, revocation data, a TSA."""

    signer: signers.Signer
    signing_cert: asn1_x509.Certificate
    chain: list[asn1_x509.Certificate]  # the CAs above the signing certificate, root last
    crls: list[asn1_crl.CertificateList]
    fetch: bool
    timestamper: timestamps.TimeStamper | None = None
    tsa_chain: list[asn1_x509.Certificate] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    local: threading.local = field(default_factory=threading.local)

    @property
    def stale(self) -> bool:
        """Whether one of its CRLs is close to its next update (time to load them again)."""
        now = dt.datetime.now(dt.UTC)
        return any(
            crl["tbs_cert_list"]["next_update"].native - CRL_MARGIN < now
            for crl in self.crls
            if crl["tbs_cert_list"]["next_update"].native
        )

    @property
    def roots(self) -> list[asn1_x509.Certificate]:
        return [c for c in self.chain if c.self_signed] or self.chain[-1:]

    def signing_context(self) -> ValidationContext:
        """The signing validation context of this thread, kept between signatures: it caches
        the chain it built and the CRLs it checked (about a third of a signature's time)."""
        context, made = getattr(self.local, "context", (None, 0.0))
        if context is None or time.monotonic() - made > CONTEXT_SECONDS:
            context = self.validation_context(for_signing=True)
            self.local.context = (context, time.monotonic())
        return context

    def validation_context(self, *, for_signing: bool) -> ValidationContext:
        """Trust in our own root; the CRLs we hold; fetching only when configured."""
        return ValidationContext(
            trust_roots=self.roots,
            other_certs=[c for c in self.chain + self.tsa_chain if not c.self_signed],
            crls=self.crls,
            allow_fetching=self.fetch and for_signing,
            revocation_mode="require" if for_signing else "soft-fail",
        )


def _embedded() -> SigningMaterial:
    crl_url = f"{settings.CERTIFICATES_PUBLIC_URL.rstrip('/')}{pki.CRL_PATH}"
    dev = pki.dev_pki(settings.CERTIFICATES_KEY_DIR, crl_url=crl_url)
    pki.crl_refresh(dev)
    chain = _load_certs(dev.path(pki.CA_CERT))
    signer = signers.SimpleSigner.load(
        str(dev.path(pki.SIGNER_KEY)),
        str(dev.path(pki.SIGNER_CERT)),
        ca_chain_files=(str(dev.path(pki.CA_CERT)),),
    )
    return SigningMaterial(
        signer=signer,
        signing_cert=signer.signing_cert,
        chain=chain,
        crls=_load_crls([dev.path(pki.CRL)]),
        fetch=False,
    )


def _files() -> SigningMaterial:
    key_file = settings.CERTIFICATES_KEY_FILE
    if not key_file:
        raise ImproperlyConfigured("CERTIFICATES_KEY_FILE is needed with CERTIFICATES_SIGNER=files")
    passphrase = settings.CERTIFICATES_KEY_PASSPHRASE.encode() or None
    chain_files = [settings.CERTIFICATES_CHAIN_FILE] if settings.CERTIFICATES_CHAIN_FILE else []
    if key_file.lower().endswith((".p12", ".pfx")):
        signer = signers.SimpleSigner.load_pkcs12(
            key_file, ca_chain_files=chain_files or None, passphrase=passphrase
        )
    else:
        if not settings.CERTIFICATES_CERT_FILE:
            raise ImproperlyConfigured("CERTIFICATES_CERT_FILE is needed with a PEM key")
        signer = signers.SimpleSigner.load(
            key_file,
            settings.CERTIFICATES_CERT_FILE,
            ca_chain_files=chain_files or None,
            key_passphrase=passphrase,
        )
    if signer is None:
        raise ImproperlyConfigured(f"the signing key in {key_file} could not be loaded")
    chain = [c for path in chain_files for c in _load_certs(path)]
    return SigningMaterial(
        signer=signer,
        signing_cert=signer.signing_cert,
        chain=chain,
        crls=_load_crls(settings.CERTIFICATES_CRL_FILES),
        fetch=settings.CERTIFICATES_FETCH_REVOCATION,
    )


def _pkcs11() -> SigningMaterial:
    from pyhanko.sign import pkcs11

    if not (settings.CERTIFICATES_PKCS11_MODULE and settings.CERTIFICATES_PKCS11_KEY_LABEL):
        raise ImproperlyConfigured(
            "CERTIFICATES_PKCS11_MODULE and CERTIFICATES_PKCS11_KEY_LABEL are needed with "
            "CERTIFICATES_SIGNER=pkcs11"
        )
    session = pkcs11.open_pkcs11_session(
        settings.CERTIFICATES_PKCS11_MODULE,
        token_criteria=pkcs11.TokenCriteria(label=settings.CERTIFICATES_PKCS11_TOKEN or None),
        user_pin=settings.CERTIFICATES_PKCS11_PIN or None,
    )
    chain = (
        _load_certs(settings.CERTIFICATES_CHAIN_FILE) if settings.CERTIFICATES_CHAIN_FILE else []
    )
    signing_cert = None
    if settings.CERTIFICATES_CERT_FILE:  # else the certificate is read from the token
        signing_cert = _load_certs(settings.CERTIFICATES_CERT_FILE)[0]
    signer = pkcs11.PKCS11Signer(
        session,
        key_label=settings.CERTIFICATES_PKCS11_KEY_LABEL,
        signing_cert=signing_cert,
        ca_chain=chain,
        # Hash in Python, sign the digest on the token: tokens (SoftHSM2 among them) do not all
        # offer the combined ECDSA-with-SHA256 mechanism.
        use_raw_mechanism=True,
    )
    return SigningMaterial(
        signer=signer,
        signing_cert=signer.signing_cert,
        chain=chain,
        crls=_load_crls(settings.CERTIFICATES_CRL_FILES),
        fetch=settings.CERTIFICATES_FETCH_REVOCATION,
    )


def _load() -> SigningMaterial:
    mode = settings.CERTIFICATES_SIGNER
    loaders = {"embedded": _embedded, "files": _files, "pkcs11": _pkcs11}
    if mode not in loaders:
        raise ImproperlyConfigured(f"CERTIFICATES_SIGNER must be one of {sorted(loaders)}")
    material = loaders[mode]()
    if settings.CERTIFICATES_TSA_URL:
        material.timestamper = timestamps.HTTPTimeStamper(settings.CERTIFICATES_TSA_URL)
        if settings.CERTIFICATES_TSA_CHAIN_FILE:
            material.tsa_chain = _load_certs(settings.CERTIFICATES_TSA_CHAIN_FILE)
        if settings.CERTIFICATES_SIGNER == "embedded":  # the test TSA's certificate
            dev = pki.DevPki(Path(settings.CERTIFICATES_KEY_DIR) / pki.KEYS_SUBDIR)
            material.tsa_chain += _load_certs(dev.path(pki.TSA_CERT))
    return material


_material: SigningMaterial | None = None
_material_lock = threading.Lock()


def signing_material() -> SigningMaterial:
    """The signing material of this process, loaded on first use."""
    global _material
    if _material is None or _material.stale:
        with _material_lock:
            if _material is None or _material.stale:
                _material = _load()
    return _material


def signing_material_reset() -> None:
    global _material
    with _material_lock:
        _material = None


def pdf_sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    """`pdf` signed PAdES B-LT (B-LTA with a timestamp authority) by the authority."""
    material = signing_material()
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        embed_validation_info=True,
        validation_context=material.signing_context(),
        use_pades_lta=material.timestamper is not None,
    )
    # A PKCS#11 session is not to be shared between threads.
    lock = material.lock if settings.CERTIFICATES_SIGNER == "pkcs11" else _NoLock()
    reserved = RESERVED_WITH_TSA if material.timestamper else RESERVED
    with lock:
        try:
            out = _sign(pdf, meta, material, bytes_reserved=reserved)
        except SigningError:  # a longer chain than expected: let pyHanko measure it
            logger.warning(
                "signature larger than %d bytes; signing with pyHanko's estimate", reserved
            )
            out = _sign(pdf, meta, material, bytes_reserved=None)
    return out.getvalue()


def outside_event_loop(fn, /, *args, **kwargs):
    """Call one of pyHanko's synchronous functions. They run their coroutines with asyncio.run(),
    which refuses a thread whose event loop is running (an ASGI server; a test process driving
    Chromium through Playwright): there the call runs in a short-lived worker thread instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def _sign(pdf: bytes, meta, material: SigningMaterial, *, bytes_reserved: int | None):
    return outside_event_loop(
        signers.sign_pdf,
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        meta,
        signer=material.signer,
        timestamper=material.timestamper,
        # Room for the CMS blob, stated: otherwise pyHanko signs once more to measure it.
        bytes_reserved=bytes_reserved,
    )


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@dataclass(frozen=True)
class SignatureCheck:
    """What the signature of an uploaded file says. `problem` is None when it is sound."""

    problem: str | None  # unreadable, unsigned, altered, appended_edit, untrusted
    signed_at: object = None
    signer: str = ""
    modification_level: str = ""
    coverage: str = ""
    timestamped: bool = False


def pdf_signature_check(data: bytes) -> SignatureCheck:
    """Validate the authority's signature in `data` with pyHanko, offline.

    An edit appended after signing shows as a modification level above LTA updates (new DSS
    entries and document timestamps are what B-LTA itself appends); a changed byte as a
    signature that is no longer intact.
    """
    material = signing_material()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        return SignatureCheck(problem="unreadable")
    ours = [s for s in signatures if s.field_name == SIGNATURE_FIELD]
    if not ours:
        return SignatureCheck(problem="unsigned")
    signature = ours[0]
    try:
        # The file's own chain and CRLs (its DSS) with our root: what an offline reader has.
        context = DocumentSecurityStore.read_dss(reader).as_validation_context(
            {
                "trust_roots": material.roots,
                "crls": material.crls,
                "allow_fetching": False,
                "revocation_mode": "soft-fail",
            }
        )
    except Exception:
        context = material.validation_context(for_signing=False)
    try:
        status = outside_event_loop(
            validate_pdf_signature,
            signature,
            signer_validation_context=context,
            ts_validation_context=context,
        )
    except Exception:
        return SignatureCheck(problem="altered")
    level = status.modification_level
    details = {
        "signed_at": status.signer_reported_dt,
        "signer": status.signing_cert.subject.human_friendly,
        "modification_level": level.name.lower() if level else "",
        "coverage": status.coverage.name.lower() if status.coverage else "",
        "timestamped": status.timestamp_validity is not None,
    }
    if not status.intact or not status.valid:
        return SignatureCheck(problem="altered", **details)
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return SignatureCheck(problem="altered", **details)
    if level is None or level > ModificationLevel.LTA_UPDATES or not status.docmdp_ok:
        return SignatureCheck(problem="appended_edit", **details)
    if not status.trusted:
        return SignatureCheck(problem="untrusted", **details)
    return SignatureCheck(problem=None, **details)
