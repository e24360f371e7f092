import json
from unittest import mock

import pytest
import requests
from django.core import mail

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


def test_http_sms_gateway_posts_json_with_the_bearer_token(settings):
    settings.SMS_HTTP_URL = "https://sms.example/send"
    settings.SMS_HTTP_TOKEN = "secret-token"
    with mock.patch("accounts.gateways.requests.post") as post:
        post.return_value.status_code = 202
        HttpSmsGateway().send(MESSAGE)
    post.assert_called_once_with(
        "https://sms.example/send",
        json={"to": "+8613912345678", "text": "Code 123456"},
        headers={"Authorization": "Bearer secret-token"},
        timeout=5,
    )


@pytest.mark.parametrize(
    ("effect", "status", "reason"),
    [
        (requests.ConnectionError("refused"), None, "unreachable"),
        (requests.Timeout("slow"), None, "did not answer within 5 s"),
        (None, 500, "answered HTTP 500"),
    ],
)
def test_http_sms_gateway_errors_are_clear(settings, effect, status, reason):
    settings.SMS_HTTP_URL = "https://sms.example/send"
    with mock.patch("accounts.gateways.requests.post") as post:
        post.side_effect = effect
        post.return_value.status_code = status
        with pytest.raises(GatewayError, match=reason) as caught:
            HttpSmsGateway().send(MESSAGE)
    assert "13912345678" not in str(caught.value)


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
