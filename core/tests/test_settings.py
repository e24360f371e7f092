"""The production mode refuses insecure settings, and passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECURE_ENV = {
    "EXITENTRY_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-tests-only-" + "x" * 30,
    "ALLOWED_HOSTS": "exitentry.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/exitentry_prod_check",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "CERTIFICATES_SIGNER": "pkcs11",
}


def run(args: list[str], extra: dict[str, str]) -> subprocess.CompletedProcess:
    # Only the machine's environment: not what the settings read, nor what other tests set
    # (the browser tests allow async-unsafe calls, which check --deploy rightly refuses).
    ignored = {
        *SECURE_ENV,
        "DEBUG",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "VERIFICATION_SMS_GATEWAY",
        "VERIFICATION_EMAIL_GATEWAY",
        "CELERY_TASK_ALWAYS_EAGER",
        "CERTIFICATES_EMBEDDED_SIGNER_IN_PRODUCTION",
    }
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = run(["check", "--deploy", "--fail-level", "WARNING"], SECURE_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_settings():
    result = run(["check"], {"EXITENTRY_ENV": "production"})
    assert result.returncode != 0
    for what in ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"]:
        assert what in result.stderr


def test_production_refuses_debug_and_sqlite():
    result = run(
        ["check"], SECURE_ENV | {"DEBUG": "true", "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}
    )
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr
    assert "PostgreSQL" in result.stderr


def test_the_example_environment_file_starts_the_embedded_mode():
    # given every value of .env.example in the environment, as if copied to .env
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _sep, value = line.partition("=")
            values[key.strip()] = value.strip()
    values["DATABASE_URL"] = "sqlite:///:memory:"
    # when the settings are read
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "assert s.SECRET_KEY, 'empty secret key'; "
        "assert s.CELERY_TASK_ALWAYS_EAGER, 'tasks not in-process'; "
        "assert not s.SECURE_SSL_REDIRECT, 'https redirect in development'; print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in values}, **values},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then the embedded mode starts as without the file
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok" in result.stdout


def test_production_refuses_the_development_gateways_and_eager_tasks():
    # given production settings naming the file gateway and in-process tasks
    result = run(
        ["check"],
        SECURE_ENV
        | {
            "VERIFICATION_SMS_GATEWAY": "accounts.gateways.FileGateway",
            "VERIFICATION_EMAIL_GATEWAY": "accounts.gateways.ConsoleGateway",
            "CELERY_TASK_ALWAYS_EAGER": "true",
        },
    )
    # then it does not start, and says why
    assert result.returncode != 0
    assert "VERIFICATION_SMS_GATEWAY must be a real gateway" in result.stderr
    assert "VERIFICATION_EMAIL_GATEWAY must be a real gateway" in result.stderr
    assert "CELERY_TASK_ALWAYS_EAGER must be off" in result.stderr


def test_production_refuses_the_embedded_certificate_signer():
    # given production settings that leave certificates to the development CA
    result = run(["check"], SECURE_ENV | {"CERTIFICATES_SIGNER": "embedded"})
    # then it does not start, and says why
    assert result.returncode != 0
    assert "CERTIFICATES_SIGNER must be files or pkcs11" in result.stderr
    # and the benchmarks' explicit permission lets it start
    allowed = run(
        ["check"],
        SECURE_ENV
        | {"CERTIFICATES_SIGNER": "embedded", "CERTIFICATES_EMBEDDED_SIGNER_IN_PRODUCTION": "true"},
    )
    assert allowed.returncode == 0, allowed.stderr


def _conn_max_age(value: str | None) -> subprocess.CompletedProcess:
    extra = SECURE_ENV if value is None else SECURE_ENV | {"CONN_MAX_AGE": value}
    code = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    return run(["shell", "--no-imports", "-c", code], extra)


def test_postgresql_connections_are_kept_until_they_fail_by_default():
    # given production settings with no CONN_MAX_AGE
    # when the settings are read
    result = _conn_max_age(None)
    # then connections are persistent without an age limit (a renewal stalls a request)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"


def test_conn_max_age_takes_seconds_or_none_and_refuses_anything_else():
    # given an age in seconds, "none", or nonsense
    # when the settings are read
    # then seconds and "none" are taken, the rest refused with a message naming the setting
    assert _conn_max_age("600").stdout.strip() == "600"
    assert _conn_max_age("None").stdout.strip() == "None"
    for bad in ("soon", "-5"):
        result = _conn_max_age(bad)
        assert result.returncode != 0
        assert "CONN_MAX_AGE must" in result.stderr
