"""Where messages go (one-time codes and the notifications relay): pluggable gateways chosen
by dotted path in the settings.

VERIFICATION_SMS_GATEWAY and VERIFICATION_EMAIL_GATEWAY name a class with a `send(message)`
method that returns the provider's message id ("" when it gives none). Development and tests
use FileGateway (one JSON file per message in VERIFICATION_OUTBOX_DIR; `manage.py last_code
<phone>` reads the latest code); production uses HttpSmsGateway for SMS and SmtpEmailGateway
for email, and refuses FileGateway and ConsoleGateway (settings).

A message may carry a de-duplication key (`Message.key`, the notification's id): a gateway that
`honours_key` hands it to the provider so that sending the same message twice (a relay that
died after sending and before recording it) reaches the person once.
"""

import http.client
import json
import logging
import socket
import threading
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

from .phones import mask_email, mask_phone

logger = logging.getLogger(__name__)

SMS_HTTP_TIMEOUT_SECONDS = 5


class GatewayError(RuntimeError):
    """The message could not be handed over; str() says why (without the recipient's number)."""


@dataclass(frozen=True)
class Message:
    """One message to one recipient, already written in the recipient's language."""

    channel: str  # "sms" or "email" (VerificationCode.Channel)
    to: str  # E.164 mobile number or email address
    subject: str
    text: str
    purpose: str = ""
    # The code itself, kept apart from the text only so the development outbox can be read by
    # tests and `last_code`; production gateways never store or log it.
    code: str = ""
    language: str = ""
    # The provider's de-duplication key: the notification's id (empty for one-time codes).
    key: str = ""

    @property
    def masked_to(self) -> str:
        return mask_email(self.to) if self.channel == "email" else mask_phone(self.to)


class Gateway:
    """Hand one message over for delivery and return the provider's message id ("" if none);
    raise GatewayError when that is not possible."""

    # Whether sending a message twice with the same key reaches the person once.
    honours_key = False

    def send(self, message: Message) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class FileGateway(Gateway):
    """Write each message as a JSON file in VERIFICATION_OUTBOX_DIR (development and tests).

    A message with a key is written once: the file is named after the key, and a second send
    with that key leaves the first file as it is.
    """

    honours_key = True

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory or settings.VERIFICATION_OUTBOX_DIR)

    def send(self, message: Message) -> str:
        sent_at = timezone.now()
        # The file name holds no personal data.
        if message.key:
            name = f"message-{message.key}.json"
        else:
            name = f"{sent_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
        path = self.directory / name
        body = {**asdict(message), "sent_at": sent_at.isoformat()}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if message.key and path.exists():
                return name  # sent before: the key makes the second send a no-op
            path.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
        except OSError as exc:
            raise GatewayError(f"cannot write to the outbox: {exc.strerror}") from exc
        logger.info(
            "Message (%s) for %s written to the outbox",
            message.purpose or "notification",
            message.masked_to,
        )
        return name

    def messages(self, to: str | None = None) -> list[dict]:
        """The messages in the outbox, oldest first (for `to` only, if given)."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.glob("*.json"):
            try:
                body = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if to is None or body.get("to") == to:
                found.append(body)
        found.sort(key=lambda body: body.get("sent_at") or "")
        return found

    def latest_code(self, to: str, purpose: str | None = None) -> str | None:
        """The code of the newest message to `to` (of that purpose, if given)."""
        for body in reversed(self.messages(to)):
            if body.get("code") and (purpose is None or body.get("purpose") == purpose):
                return body["code"]
        return None


class ConsoleGateway(Gateway):
    """Print the message on standard output (a developer's terminal)."""

    def send(self, message: Message) -> str:
        print(f"[{message.channel} to {message.to}] {message.subject}\n{message.text}\n")
        return ""


class SmtpEmailGateway(Gateway):
    """Send email through Django's mail settings (EMAIL_URL).

    The key becomes the Message-ID, so a mail resent after a crash can be recognised as the
    same mail; mail servers do not drop it, though (honours_key is False).
    """

    def send(self, message: Message) -> str:
        headers = {}
        if message.key:
            domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "exitentry.invalid"
            headers["Message-ID"] = f"<notification-{message.key}@{domain}>"
        mail = EmailMessage(
            message.subject,
            message.text,
            settings.DEFAULT_FROM_EMAIL,
            [message.to],
            headers=headers,
        )
        try:
            mail.send(fail_silently=False)
        except Exception as exc:  # smtplib, socket and backend errors alike
            raise GatewayError(
                f"the mail server refused or is unreachable: {type(exc).__name__}"
            ) from exc
        return headers.get("Message-ID", "")


_connections = threading.local()


class _Unreachable(Exception):
    """No answer from the adapter (refused, reset, timed out); str() names the cause."""


def _post_json(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, bytes]:
    """POST over a connection kept open per thread and per host (http.client: one write for
    the headers and the body, and no per-request proxy or environment lookups, which cost more
    than the request itself at a thousand messages a second)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Unreachable("not an http(s) URL")
    key = (parts.scheme, parts.hostname, parts.port)
    pool = getattr(_connections, "pool", None)
    if pool is None:
        pool = _connections.pool = {}
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    for attempt in (1, 2):
        connection = pool.get(key)
        reused = connection is not None
        if connection is None:
            kind = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            connection = pool[key] = kind(parts.hostname, parts.port, timeout=timeout)
            try:
                connection.connect()
                # http.client writes the headers and the body separately: without this, Nagle's
                # algorithm may hold the body until the headers are acknowledged.
                connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError as exc:
                connection.close()
                pool.pop(key, None)
                raise _Unreachable(
                    "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
                ) from exc
        elif connection.sock is not None:
            connection.sock.settimeout(timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        except TimeoutError as exc:
            connection.close()
            pool.pop(key, None)
            raise _Unreachable("timeout") from exc
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            pool.pop(key, None)
            # A connection the adapter closed while idle fails at once: try a fresh one, once.
            if reused and attempt == 1:
                continue
            raise _Unreachable(type(exc).__name__) from exc
    raise _Unreachable("no answer")  # pragma: no cover - the loop returns or raises


class HttpSmsGateway(Gateway):
    """POST {"id", "to", "text"} as JSON with a bearer token to SMS_HTTP_URL (the SMS
    provider's adapter); any answer other than 2xx, or no answer within 5 seconds, is an error.

    The key goes as `id` and as the Idempotency-Key header: the adapter answers a repeated key
    with the first answer and does not send again. A JSON answer's `message_id` (or `id`) is
    the provider's message id.
    """

    honours_key = True

    def send(self, message: Message) -> str:
        url = settings.SMS_HTTP_URL
        if not url:
            raise GatewayError("SMS_HTTP_URL is not set: no SMS can be sent")
        headers = {
            "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
            "Content-Type": "application/json",
        }
        body = {"to": message.to, "text": message.text}
        if message.key:
            headers["Idempotency-Key"] = message.key
            body["id"] = message.key
        payload = json.dumps(body, ensure_ascii=False).encode()
        try:
            status, content = _post_json(url, payload, headers, SMS_HTTP_TIMEOUT_SECONDS)
        except _Unreachable as exc:
            if str(exc) == "timeout":
                raise GatewayError(
                    f"the SMS service at {url} did not answer within {SMS_HTTP_TIMEOUT_SECONDS:g} s"
                ) from exc
            raise GatewayError(f"the SMS service at {url} is unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise GatewayError(f"the SMS service at {url} answered HTTP {status}")
        try:
            answer = json.loads(content or b"null")
        except ValueError:
            return ""
        if not isinstance(answer, dict):
            return ""
        return str(answer.get("message_id") or answer.get("id") or "")[:100]


def gateway_for(channel: str) -> Gateway:
    """The gateway the settings name for a channel ("sms" or "email")."""
    path = (
        settings.VERIFICATION_EMAIL_GATEWAY
        if channel == "email"
        else settings.VERIFICATION_SMS_GATEWAY
    )
    return import_string(path)()


def outbox_latest_code(to: str, purpose: str | None = None) -> str | None:
    """The latest code written to the development outbox for `to` (tests, `last_code`)."""
    return FileGateway().latest_code(to, purpose)
