"""Print the current TOTP code of a demo staff member (refused for others and in production)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from staff.services import DemoRefused, demo_totp_code


class Command(BaseCommand):
    help = "Print the current sign-in code of a demo staff member (demo accounts only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        try:
            current = demo_totp_code(username=username)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(current.code)
        if current.already_used:
            self.stderr.write(
                f"This code was used already: the next one comes in {current.seconds_left} s."
            )
        else:
            self.stderr.write(f"Valid for about {current.seconds_left} more seconds.")
