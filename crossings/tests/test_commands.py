import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crossings import signing
from crossings.models import PortCredential

pytestmark = pytest.mark.django_db


def test_create_prints_the_secret_once_and_stores_only_the_salt(port):
    # when a credential is made for the port
    out = io.StringIO()
    call_command("port_credential_create", "SZ-LUOHU", "--label", "gate 2", stdout=out)

    # then the secret printed is the one verification derives, and it is not in the database
    lines = dict(line.split(": ", 1) for line in out.getvalue().strip().splitlines())
    credential = PortCredential.objects.get(key_id=lines["key id"].strip())
    assert signing.credential_secret(credential.key_id, credential.salt) == lines["secret"]
    stored = [str(v) for v in PortCredential.objects.values_list().get(pk=credential.pk)]
    assert lines["secret"] not in stored

    # when it is revoked
    call_command("port_credential_revoke", credential.key_id, stdout=io.StringIO())
    credential.refresh_from_db()
    assert credential.revoked_at is not None


def test_commands_refuse_unknown_ports_and_keys(db):
    with pytest.raises(CommandError):
        call_command("port_credential_create", "NOPE", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("port_credential_revoke", "pk_unknown", stdout=io.StringIO())


def test_crossings_tick_runs(db):
    out = io.StringIO()
    call_command("crossings_tick", stdout=out)
    assert "partitions created" in out.getvalue()
