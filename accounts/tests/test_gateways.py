import json

import pytest
from django.core import mail
from django.test import override_settings

from accounts.gateways import (
    ConsoleGateway,
    FileGateway,
    GatewayError,
    HttpSmsGateway,
    Message,
    SmtpEmailGateway,
    gateway_for,
)

MESSAGE = Message(
    channel="sms", to="+8613912345678", subject="S", text="Code 123456", purpose="register",
    code="123456",
)  # fmt: skip


def test_file_gateway_writes_one_json_file_per_message(tmp_path):
    gateway = FileGateway(tmp_path)
    gateway.send(MESSAGE)
    gateway.send(Message(channel="sms", to="+8613900000000", subject="S", text="t", code="654321"))
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 2
    assert "13912345678" not in files[0].name
    body = json.loads(files[0].read_text(encoding="utf-8"))
    assert body["to"] == "+8613912345678"
    assert body["text"] == "Code 123456"
    assert gateway.latest_code("+8613912345678") == "123456"
    assert gateway.latest_code("+8613912345678", purpose="reset_password") is None
    assert gateway.latest_code("+8613911111111") is None


def test_file_gateway_reports_an_unwritable_outbox(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(GatewayError, match="outbox"):
        FileGateway(blocker / "outbox").send(MESSAGE)


def test_console_gateway_prints(capsys):
    ConsoleGateway().send(MESSAGE)
    assert "Code 123456" in capsys.readouterr().out


def test_smtp_gateway_uses_django_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    SmtpEmailGateway().send(
        Message(channel="email", to="a@example.com", subject="Your code", text="123456")
    )
    assert mail.outbox[0].to == ["a@example.com"]
    assert mail.outbox[0].subject == "Your code"


def test_smtp_gateway_failure_is_a_gateway_error(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with pytest.raises(GatewayError, match="mail server"):
        SmtpEmailGateway().send(Message(channel="email", to="a@example.com", subject="s", text="t"))


@pytest.fixture
def sink():
    from notifications.sink import Sink

    running = Sink().start()
    yield running
    running.release()
    running.stop()


def test_http_sms_gateway_posts_json_with_the_bearer_token(settings, sink):
    # given the provider's adapter
    settings.SMS_HTTP_URL = sink.url
    settings.SMS_HTTP_TOKEN = "secret-token"
    # when a message with a key is sent twice
    keyed = Message(channel="sms", to="+8613912345678", subject="S", text="Booked", key="41")
    first = HttpSmsGateway().send(keyed)
    again = HttpSmsGateway().send(keyed)
    # then the adapter got the text, the number and the key, and delivered it once
    assert sink.delivered == {"41": {"id": "41", "to": "+8613912345678", "text": "Booked"}}
    assert sink.requests["41"] == 2
    assert first == again == "sink-41"
    assert HttpSmsGateway.honours_key


def test_http_sms_gateway_sends_the_bearer_token():
    from notifications.sink import Sink

    # given an adapter that records the headers
    seen = {}

    class Recording(Sink):
        async def answer(self, method, path, headers, body):
            seen.update(headers)
            return 200, {"message_id": "m-1"}

    sink = Recording().start()
    try:
        with override_settings(SMS_HTTP_URL=sink.url, SMS_HTTP_TOKEN="secret-token"):
            # when
            provider_id = HttpSmsGateway().send(MESSAGE)
    finally:
        sink.stop()
    # then
    assert seen["authorization"] == "Bearer secret-token"
    assert "idempotency-key" not in seen  # a code has no key
    assert provider_id == "m-1"


def test_http_sms_gateway_opens_a_new_connection_when_the_adapter_closed_the_last(settings):
    from notifications.sink import Sink

    # given an adapter that closes every connection after its answer
    sink = Sink(keep_alive=False).start()
    settings.SMS_HTTP_URL = sink.url
    try:
        # when two messages go one after the other (the second finds its connection closed)
        for key in ("1", "2"):
            HttpSmsGateway().send(
                Message(channel="sms", to="+8613912345678", subject="S", text="t", key=key)
            )
    finally:
        sink.stop()
    # then both arrived, once each
    assert set(sink.delivered) == {"1", "2"}
    assert set(sink.requests.values()) == {1}


def test_http_sms_gateway_refusal_is_clear(settings):
    from notifications.sink import Sink

    sink = Sink(fail_first=1, fail_status=500).start()
    settings.SMS_HTTP_URL = sink.url
    try:
        with pytest.raises(GatewayError, match="answered HTTP 500") as caught:
            HttpSmsGateway().send(MESSAGE)
    finally:
        sink.stop()
    assert "13912345678" not in str(caught.value)


def test_http_sms_gateway_timeout_is_clear(settings, monkeypatch, sink):
    # given an adapter that never answers the first message in time
    sink.hold_at = 1
    monkeypatch.setattr("accounts.gateways.SMS_HTTP_TIMEOUT_SECONDS", 0.3)
    settings.SMS_HTTP_URL = sink.url
    # when / then
    keyed = Message(channel="sms", to="+8613912345678", subject="S", text="Booked", key="5")
    with pytest.raises(GatewayError, match=r"did not answer within 0\.3 s") as caught:
        HttpSmsGateway().send(keyed)
    assert "13912345678" not in str(caught.value)


def test_file_gateway_writes_a_keyed_message_once(tmp_path):
    gateway = FileGateway(tmp_path)
    keyed = Message(channel="sms", to="+8613912345678", subject="S", text="Booked", key="7")
    gateway.send(keyed)
    gateway.send(keyed)
    assert [m["key"] for m in gateway.messages()] == ["7"]


def test_smtp_gateway_uses_the_key_as_message_id(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "noreply@exitentry.example"
    provider_id = SmtpEmailGateway().send(
        Message(channel="email", to="a@example.com", subject="s", text="t", key="12")
    )
    assert provider_id == "<notification-12@exitentry.example>"
    assert mail.outbox[0].extra_headers["Message-ID"] == provider_id


def test_http_sms_gateway_without_url(settings):
    settings.SMS_HTTP_URL = ""
    with pytest.raises(GatewayError, match="SMS_HTTP_URL is not set"):
        HttpSmsGateway().send(MESSAGE)


def test_http_sms_gateway_unreachable_for_real(settings):
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/send"
    with pytest.raises(GatewayError, match="unreachable"):
        HttpSmsGateway().send(MESSAGE)


def test_gateways_are_chosen_by_dotted_path(settings):
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.ConsoleGateway"
    settings.VERIFICATION_EMAIL_GATEWAY = "accounts.gateways.SmtpEmailGateway"
    assert isinstance(gateway_for("sms"), ConsoleGateway)
    assert isinstance(gateway_for("email"), SmtpEmailGateway)
