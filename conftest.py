"""Fixtures shared by every app's tests."""

import logging
import re

import pytest
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from guide.directory import _Holder

# Property tests run on a shared 2-core machine: no per-example deadline (time is measured by
# the benchmarks, not by tests).
hypothesis_settings.register_profile("exitentry", deadline=None)
hypothesis_settings.load_profile("exitentry")

# A resident ID number with a valid check character, anywhere in a log message.
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def _is_id_number(text: str) -> bool:
    from persons.idnumbers import id_check_character

    return id_check_character(text[:17]) == text[17].upper()


class _PersonalNumberWatch(logging.Handler):
    """Collect every log message of the test run that holds a full, valid ID number."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:
            return
        if record.exc_text:
            message += record.exc_text
        for match in _ID_CANDIDATE.findall(message):
            if _is_id_number(match):
                self.leaks.append(f"{record.name}: {message[:200]}")


_watch = _PersonalNumberWatch()


@pytest.fixture(autouse=True)
def _no_id_numbers_in_logs():
    """Fail any test during which a full ID number reached a log (PIPL: never log them)."""
    root = logging.getLogger()
    if _watch not in root.handlers:  # Django's logging set-up replaces the root handlers
        root.handlers.insert(0, _watch)  # first: before any filter masks the message
    before = len(_watch.leaks)
    yield
    leaked = _watch.leaks[before:]
    assert not leaked, "full ID numbers were logged:\n" + "\n".join(leaked)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a database file rather than in memory: concurrency tests run real
    threads with real transactions, which an in-memory shared-cache database cannot serve
    (it answers "table is locked" at once instead of waiting for the writer)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture
def admin_client(client, db):
    """A superuser administrator signed in with a verified second factor, as the back-office
    requires (replaces pytest-django's fixture of the same name)."""
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from staff.models import Role, StaffRole

    user = get_user_model().objects.create_superuser("root", password="a-long-test-password-1")
    StaffRole.objects.create(user=user, role=Role.ADMINISTRATOR)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture(autouse=True)
def _answers_match_openapi(request, monkeypatch):
    """Every answer of /api/v1 a test client receives validates against the OpenAPI document
    (tests/openapi_answers.py); `@pytest.mark.no_openapi_check` for a test that breaks the
    contract on purpose."""
    if request.node.get_closest_marker("no_openapi_check"):
        return
    from django.test.client import Client

    from tests.openapi_answers import check_answer

    original = Client.request

    def checked(self, **request_env):
        response = original(self, **request_env)
        check_answer(response.request, response)
        return response

    monkeypatch.setattr(Client, "request", checked)


@pytest.fixture(autouse=True)
def _outbox_per_test(settings, tmp_path_factory):
    """Messages written by the development gateway (codes, and notifications the relay sends
    after commit) go to a directory of the test's own, never to var/outbox."""
    settings.VERIFICATION_OUTBOX_DIR = tmp_path_factory.mktemp("outbox")


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    """Each test starts with an empty cache and no hall directory from an earlier test."""
    settings.GUIDE_DIRECTORY_CHECK_SECONDS = 0
    settings.ENDORSEMENT_POLICY_CHECK_SECONDS = 0
    settings.MAP_TILE_URL = ""
    cache.clear()
    _Holder.directory = None
    # A test client's request leaves its language active in the thread (LocaleMiddleware
    # activates, nothing deactivates): the next test in the worker would run in it.
    translation.deactivate()
    yield
    translation.deactivate()
    _Holder.directory = None
