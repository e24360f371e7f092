"""Serve the embedded site of `make run`: migrate and load the demo data when needed (the first
start), then serve at once, in this process, with DEBUG as configured (`make run` sets it off).

The slower work runs beside the server in a low-priority process: the demo appointment, then
the periodic work of appointments every 5 minutes (the slots of every hall, a batch of halls at
a time; a hall's slots are also made on its first availability query). A second start only
checks that nothing is left to migrate or load, so it serves within a few seconds.
"""

import shlex
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.management.commands.load_demo_accounts import DEMO_CITIZENS
from accounts.models import User
from guide.models import Hall
from staff.demo import DEMO_STAFF

DEMO_COMMANDS = ("load_demo", "load_demo_registry", "load_demo_accounts", "load_demo_staff")
TICK_SECONDS = 300


class Command(BaseCommand):
    help = "Migrate and load the demo data when needed, then serve (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-background",
            action="store_true",
            help="Do not start the background work (demo appointment, slots, periodic work).",
        )
        parser.add_argument(
            "--prepare-only",
            action="store_true",
            help="Migrate and load the demo data when needed, then stop (`make dev`).",
        )

    def handle(
        self, *args: Any, addrport: str, no_background: bool, prepare_only: bool, **options: Any
    ) -> None:
        if settings.PRODUCTION:
            raise CommandError("run_embedded serves the development site only.")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("Migrating the database…")
            call_command("migrate", interactive=False, verbosity=0)
        if self._demo_loaded():
            self.stdout.write("Demo data already loaded (`make demo` loads it again).")
        else:
            self.stdout.write("Loading the demo data (first start only)…")
            for name in DEMO_COMMANDS:
                call_command(name, verbosity=0)
        self._print_logins()
        if prepare_only:
            call_command("load_demo_appointments", verbosity=0)
            return
        background = None if no_background else self._background()
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            if background is not None and background.poll() is None:
                background.terminate()

    @staticmethod
    def _demo_loaded() -> bool:
        phones = [citizen.phone for citizen in DEMO_CITIZENS]
        return (
            Hall.objects.exists()
            and User.objects.filter(phone__in=phones).count() == len(phones)
            and User.objects.filter(username__in=[s.username for s in DEMO_STAFF]).count()
            == len(DEMO_STAFF)
        )

    def _print_logins(self) -> None:
        self.stdout.write("\nDemo citizens (sign in at /accounts/login/):")
        for citizen in DEMO_CITIZENS:
            self.stdout.write(f"  {citizen.phone[3:]}  {citizen.password}  ({citizen.note})")
        self.stdout.write("  one-time codes: `.venv/bin/python manage.py last_code <number>`")
        self.stdout.write("Demo staff (sign in at /staff/login/; the back-office is /admin/):")
        for member in DEMO_STAFF:
            self.stdout.write(f"  {member.username:<20} {member.password}")
        self.stdout.write("  TOTP codes: `.venv/bin/python manage.py totp_code <username>`\n")

    @staticmethod
    def _background() -> subprocess.Popen[bytes]:
        """The demo appointment and its messages, then the periodic work, at low priority."""
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        script = (
            f"{_quote(manage)} load_demo_appointments; "
            f"{_quote(manage)} notifications_tick; "
            f"{_quote(manage)} crossings_tick; "
            f"{_quote(manage)} endorsements_tick; "
            f"exec {_quote(manage)} appointments_tick --every {TICK_SECONDS}"
        )
        return subprocess.Popen(["nice", "-n", "10", "sh", "-c", script])  # noqa: S603, S607


def _quote(argv: list[str]) -> str:
    return " ".join(shlex.quote(part) for part in argv)
