"""Revoke a port credential by its key id."""

from django.core.management.base import BaseCommand, CommandError

from crossings.models import PortCredential
from crossings.services import port_credential_revoke


class Command(BaseCommand):
    help = "Revoke a port credential: requests signed with it are refused from now on."

    def add_arguments(self, parser):
        parser.add_argument("key_id")

    def handle(self, *args, key_id, **options):
        credential = PortCredential.objects.filter(key_id=key_id).first()
        if credential is None:
            raise CommandError(f"No credential {key_id!r}.")
        port_credential_revoke(credential=credential)
        self.stdout.write(f"revoked {credential.key_id} of {credential.port.code}")
