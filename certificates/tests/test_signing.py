"""The signature itself: B-LT offline, B-LTA with a local TSA, pdfsig's opinion, keys from
files and from a PKCS#11 token (SoftHSM2), and the development PKI made once under races."""

import asyncio
import io
import os
import shutil
import subprocess
import threading

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from reportlab.pdfgen import canvas

from certificates import pki, signing

from .tsa import local_tsa


def a_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 800, "Entry/exit record certificate")
    page.showPage()
    page.save()
    return buffer.getvalue()


def sign(pdf: bytes | None = None) -> bytes:
    return signing.pdf_sign(pdf or a_pdf(), reason="test", location="Beijing")


def offline_status(signed: bytes, pki_dir):
    """Validate with nothing but the root: no fetching, revocation data required."""
    root = x509.load_pem_x509_certificate((pki_dir / pki.KEYS_SUBDIR / pki.CA_CERT).read_bytes())
    from asn1crypto import x509 as asn1_x509

    trust = asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
    reader = PdfFileReader(io.BytesIO(signed))
    # Only what the file carries (its DSS: chain and CRLs) and the root.
    context = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {"trust_roots": [trust], "allow_fetching": False, "revocation_mode": "hard-fail"}
    )
    return reader, signing.outside_event_loop(
        validate_pdf_signature,
        reader.embedded_signatures[0],
        signer_validation_context=context,
        ts_validation_context=context,
    )


def pdfsig(signed: bytes, tmp_path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout


def test_b_lt_embeds_chain_and_crl_and_validates_offline(certificate_keys):
    # when
    signed = sign()
    # then the DSS holds the CRL, and validation needs nothing else than the root
    reader, status = offline_status(signed, certificate_keys)
    dss = reader.root["/DSS"]
    assert "/CRLs" in dss and "/Certs" in dss
    assert status.intact and status.valid and status.trusted
    assert status.modification_level.name == "LTA_UPDATES"


def test_pdfsig_reports_the_signature_valid(tmp_path):
    # when
    out = pdfsig(sign(), tmp_path)
    # then
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Exit-Entry Administration" in out
    assert "ETSI.CAdES.detached" in out  # PAdES


def test_pdfsig_reports_a_changed_byte_invalid(tmp_path):
    # given
    signed = bytearray(sign())
    at = bytes(signed).index(b"/Producer") + 3
    signed[at] ^= 0x01
    # when
    out = pdfsig(bytes(signed), tmp_path)
    # then
    assert "Signature is Valid." not in out


def test_b_lta_with_a_local_timestamp_authority(settings, certificate_keys, tmp_path):
    # given a TSA
    signing.signing_material()  # the development PKI, with its TSA key
    with local_tsa(certificate_keys) as url:
        settings.CERTIFICATES_TSA_URL = url
        signing.signing_material_reset()
        # when
        signed = sign()
    # then: a signature timestamp, the DSS, and a document timestamp over it
    reader, status = offline_status(signed, certificate_keys)
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    kinds = [s.sig_object.get("/Type") for s in reader.embedded_signatures]
    assert "/DocTimeStamp" in kinds
    assert status.trusted and status.modification_level.name == "LTA_UPDATES"
    assert signing.pdf_signature_check(signed).problem is None
    assert "Signature is Valid." in pdfsig(signed, tmp_path)


def test_key_from_pem_files_and_from_pkcs12(settings, certificate_keys):
    # given the development key as files, as an operator would configure them
    dev = certificate_keys / pki.KEYS_SUBDIR
    signing.signing_material()
    settings.CERTIFICATES_SIGNER = "files"
    settings.CERTIFICATES_KEY_FILE = str(dev / pki.SIGNER_KEY)
    settings.CERTIFICATES_CERT_FILE = str(dev / pki.SIGNER_CERT)
    settings.CERTIFICATES_CHAIN_FILE = str(dev / pki.CA_CERT)
    settings.CERTIFICATES_CRL_FILES = [str(dev / pki.CRL)]
    signing.signing_material_reset()
    # when
    from_pem = sign()
    bundle = certificate_keys / "signer.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer",
            serialization.load_pem_private_key((dev / pki.SIGNER_KEY).read_bytes(), None),
            x509.load_pem_x509_certificate((dev / pki.SIGNER_CERT).read_bytes()),
            None,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    settings.CERTIFICATES_KEY_FILE = str(bundle)
    settings.CERTIFICATES_KEY_PASSPHRASE = "secret"
    signing.signing_material_reset()
    from_p12 = sign()
    # then
    for signed in (from_pem, from_p12):
        _reader, status = offline_status(signed, certificate_keys)
        assert status.valid and status.trusted


SOFTHSM_MODULE = os.environ.get("SOFTHSM2_MODULE", "/usr/lib/softhsm/libsofthsm2.so")


def test_key_on_a_pkcs11_token(settings, certificate_keys, tmp_path, monkeypatch):
    # given a SoftHSM2 token holding the signing key (scripts/ensure_softhsm.sh installs it)
    dev = certificate_keys / pki.KEYS_SUBDIR
    signing.signing_material()
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    util = shutil.which("softhsm2-util")
    assert util, "softhsm2-util missing: run scripts/ensure_softhsm.sh"
    run = {"check": True, "capture_output": True, "env": {**os.environ, "SOFTHSM2_CONF": str(conf)}}
    subprocess.run(
        [
            util,
            "--init-token",
            "--free",
            "--label",
            "exitentry",
            "--pin",
            "1234",
            "--so-pin",
            "12345678",
        ],
        **run,
    )
    subprocess.run(
        [
            util,
            "--import",
            str(dev / pki.SIGNER_KEY),
            "--token",
            "exitentry",
            "--label",
            "signer",
            "--id",
            "01",
            "--pin",
            "1234",
        ],
        **run,
    )
    settings.CERTIFICATES_SIGNER = "pkcs11"
    settings.CERTIFICATES_PKCS11_MODULE = SOFTHSM_MODULE
    settings.CERTIFICATES_PKCS11_TOKEN = "exitentry"
    settings.CERTIFICATES_PKCS11_PIN = "1234"
    settings.CERTIFICATES_PKCS11_KEY_LABEL = "signer"
    settings.CERTIFICATES_CERT_FILE = str(dev / pki.SIGNER_CERT)
    settings.CERTIFICATES_CHAIN_FILE = str(dev / pki.CA_CERT)
    settings.CERTIFICATES_CRL_FILES = [str(dev / pki.CRL)]
    signing.signing_material_reset()
    # when
    signed = sign()
    # then
    _reader, status = offline_status(signed, certificate_keys)
    assert status.valid and status.trusted
    signing.signing_material_reset()


def test_development_pki_is_made_once_under_concurrent_first_use(tmp_path):
    # given
    base = tmp_path / "keys"
    results, errors = [], []

    def first_use():
        try:
            results.append(pki.dev_pki(base, crl_url="http://localhost/trust/ca.crl"))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    # when
    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: one CA, the same for everyone, no half-made directories left
    assert not errors
    assert len({r.directory for r in results}) == 1
    assert sorted(p.name for p in base.iterdir() if p.is_dir()) == [pki.KEYS_SUBDIR]
    first = (base / pki.KEYS_SUBDIR / pki.CA_CERT).read_bytes()
    pki.dev_pki(base, crl_url="http://localhost/trust/ca.crl")
    assert (base / pki.KEYS_SUBDIR / pki.CA_CERT).read_bytes() == first


def test_signing_and_validating_work_where_an_event_loop_is_running(certificate_keys):
    # given a thread whose event loop is running (an ASGI server, Playwright's sync API)
    async def inside_a_running_loop():
        signed = sign()
        return signed, signing.pdf_signature_check(signed)

    results = []
    # (a thread of its own: the test process may already run Playwright's loop)
    worker = threading.Thread(target=lambda: results.append(asyncio.run(inside_a_running_loop())))
    # when a certificate is signed and checked there
    worker.start()
    worker.join()
    # then it is signed and found intact (pyHanko's asyncio.run moved to a worker thread)
    signed, check = results[0]
    assert signed.startswith(b"%PDF")
    assert check.problem is None, check
