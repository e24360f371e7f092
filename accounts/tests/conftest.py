import pytest

from accounts.gateways import FileGateway

from .factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _accounts_settings(settings, tmp_path):
    """Fast hashing, an outbox per test, and the axes settings the project asks for."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VERIFICATION_OUTBOX_DIR = tmp_path / "outbox"
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.FileGateway"
    settings.VERIFICATION_EMAIL_GATEWAY = "accounts.gateways.FileGateway"
    settings.AXES_CLIENT_STR_CALLABLE = "accounts.lockout.client_str"
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _devices_known(request, monkeypatch):
    """Every device is known to every account here (these tests are about other things), unless
    the test is marked `new_device` (accounts/tests/test_new_device.py)."""
    if request.node.get_closest_marker("new_device") is None:
        from accounts.services import devices

        monkeypatch.setattr(devices, "device_known", lambda **kwargs: True)


@pytest.fixture
def outbox(settings):
    return FileGateway(settings.VERIFICATION_OUTBOX_DIR)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (code delivery) of the block: `with committed(): ...`."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def citizen(db):
    return UserFactory()


@pytest.fixture
def password():
    return PASSWORD
