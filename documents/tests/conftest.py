import pytest

from .factories import CitizenFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def citizen(db):
    """A bound citizen (an adult of Luohu) without documents."""
    return CitizenFactory()


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


@pytest.fixture
def stepped_up(settings, tmp_path, django_capture_on_commit_callbacks):
    """Confirm it is you, as a client does: ask for the code, read it, confirm it.

    `stepped_up(client, user, headers)`; the headers carry the bearer token (or none: the
    client's session)."""
    from accounts.gateways import FileGateway

    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.FileGateway"
    settings.VERIFICATION_OUTBOX_DIR = tmp_path / "outbox"

    def run(client, user, headers=None):
        headers = headers or {}
        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post("/api/v1/me/step-up", headers=headers)
        assert sent.status_code == 202, sent.content
        code = FileGateway(settings.VERIFICATION_OUTBOX_DIR).latest_code(user.phone, "step_up")
        confirmed = client.post(
            "/api/v1/me/step-up/confirm",
            {"code": code},
            content_type="application/json",
            headers=headers,
        )
        assert confirmed.status_code == 204, confirmed.content

    return run
