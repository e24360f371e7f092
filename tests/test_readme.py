"""The README's walkthroughs, followed literally: the logins and commands it prints work."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()

pytestmark = pytest.mark.django_db(transaction=True)


def _binding_walkthrough() -> dict[str, str]:
    """The README's binding steps: the login, the name and ID number, the `last_code` command."""
    found = re.search(
        r"sign in at `/accounts/login/` as `(?P<phone>1\d{10})` / `(?P<password>[^`]+)`; "
        r"a browser the account\s+has not seen before is asked for a code sent to the account's "
        r"phone: run\s+`(?P<sign_in_command>\.venv/bin/python manage\.py last_code [^`]+)` and "
        r"enter the code it prints[^;]*;\s+"
        r"2\. \"Bind your identity\": name `(?P<name>[^`]+)`, "
        r"ID number `(?P<id_number>\d{17}[\dX])`;\s+"
        r"3\. run `(?P<command>\.venv/bin/python manage\.py last_code [^`]+)`",
        README,
    )
    assert found, "the README no longer describes the binding walkthrough"
    return found.groupdict()


def _run(command: str) -> str:
    """Run a README command (in its own process, as a newcomer would); the code it prints."""
    argv = shlex.split(command)
    assert argv[:2] == [".venv/bin/python", "manage.py"]
    result = subprocess.run(
        [sys.executable, *argv[1:]],
        cwd=settings.BASE_DIR,
        env={"VERIFICATION_OUTBOX_DIR": str(settings.VERIFICATION_OUTBOX_DIR), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    code = result.stdout.strip()
    assert re.fullmatch(r"\d{6}", code)
    return code


@pytest.fixture
def demo(settings, tmp_path) -> None:
    settings.VERIFICATION_OUTBOX_DIR = tmp_path / "outbox"
    settings.VERIFICATION_SMS_GATEWAY = "accounts.gateways.FileGateway"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for command in ("load_demo", "load_demo_registry", "load_demo_accounts"):
        call_command(command, verbosity=0)


def test_the_binding_walkthrough_works_as_written(client, demo):
    steps = _binding_walkthrough()
    # given the README's unbound demo citizen, signing in with the README's password on a
    # browser never seen: asked for the code, which the README's command prints
    response = client.post(
        "/accounts/login/", {"phone": steps["phone"], "password": steps["password"]}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/login/confirm/")
    code = _run(steps["sign_in_command"])
    response = client.post("/accounts/login/confirm/", {"code": code, "confirm": "1"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    # when they bind as the README says
    response = client.post(
        "/accounts/identity/", {"name": steps["name"], "id_number": steps["id_number"]}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/identity/confirm/")
    # and run the README's command for the code (in its own process, as a newcomer would)
    code = _run(steps["command"])
    # then the command prints the code, which binds the account
    response = client.post("/accounts/identity/confirm/", {"code": code})
    assert response.status_code == 302
    user = User.objects.get(phone="+86" + steps["phone"])
    assert user.person is not None and user.person.id_number == steps["id_number"]
