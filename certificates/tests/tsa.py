"""A local RFC 3161 timestamp authority for the tests: pyHanko's DummyTimeStamper with the
development PKI's TSA key, served over HTTP on 127.0.0.1 in a thread."""

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import tsp
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from certificates import pki


@contextlib.contextmanager
def local_tsa(pki_dir):
    """Serve a TSA; yields its URL."""
    from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder

    dev = pki.DevPki(pki_dir / pki.KEYS_SUBDIR)
    stamper = DummyTimeStamper(
        tsa_cert=load_cert_from_pemder(str(dev.path(pki.TSA_CERT))),
        tsa_key=load_private_key_from_pemder(str(dev.path(pki.TSA_KEY)), None),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [load_cert_from_pemder(str(dev.path(pki.CA_CERT)))]
        ),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
