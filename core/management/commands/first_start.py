"""Prepare the embedded site of `make run`: migrate, and load the demo data on the first start only.

Slots are not made here: `make run` serves at once and makes them in the background
(`appointments_tick --every`), and a hall's slots are also made on its first availability query.
"""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from guide.models import Hall

DEMO_COMMANDS = (
    "load_demo",
    "load_demo_registry",
    "load_demo_accounts",
    "load_demo_staff",
    "load_demo_appointments",
)
# The last demo account the commands create: when it exists, the demo data is loaded.
DEMO_MARKER_PHONE = "+8613800000002"


class Command(BaseCommand):
    help = "Migrate, and load the demo data unless it is loaded already (development only)."

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("first_start is for the embedded development site only.")
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        if Hall.objects.exists() and User.objects.filter(phone=DEMO_MARKER_PHONE).exists():
            self.stdout.write("Demo data already loaded (`make demo` loads it again).")
            # Prints the logins again; books a new demo appointment once the last one is over.
            for name in ("load_demo_accounts", "load_demo_staff", "load_demo_appointments"):
                call_command(name, verbosity=options["verbosity"])
        else:
            for name in DEMO_COMMANDS:
                call_command(name, verbosity=options["verbosity"])
        self.stdout.write(f"Ready in {time.monotonic() - started:.1f} s.")
