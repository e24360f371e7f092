"""Create a machine credential for a port and print its secret once (it is not stored)."""

from django.core.management.base import BaseCommand, CommandError

from crossings.models import Port
from crossings.services import port_credential_create


class Command(BaseCommand):
    help = "Create a port credential; prints the key id and the secret (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("port", help="the port's code, e.g. SZ-LUOHU")
        parser.add_argument("--label", default="", help="what it is for, e.g. 'gate system 2'")

    def handle(self, *args, port, label, **options):
        found = Port.objects.filter(code=port).first()
        if found is None:
            raise CommandError(f"No port with code {port!r}.")
        credential, secret = port_credential_create(port=found, label=label)
        self.stdout.write(f"port:   {found.code}\nkey id: {credential.key_id}\nsecret: {secret}")
        self.stderr.write("Give the secret to the port now: it cannot be shown again.")
