"""Print the latest one-time code sent to a number or address (development outbox only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.gateways import outbox_latest_code
from accounts.phones import InvalidPhone, phone_clean


class Command(BaseCommand):
    help = "Print the latest code written to the development outbox for a mobile number or email."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", help="Mobile number (13912345678) or email address.")
        parser.add_argument("--purpose", help="register, reset_password, bind_identity, ...")

    def handle(self, *args, destination: str, purpose: str | None = None, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("The outbox exists only outside production.")
        to = destination.strip()
        if "@" not in to:
            try:
                to = phone_clean(to)
            except InvalidPhone as exc:
                raise CommandError(str(exc)) from None
        code = outbox_latest_code(to, purpose)
        if code is None:
            raise CommandError(
                f"No code in {settings.VERIFICATION_OUTBOX_DIR} for this destination."
            )
        self.stdout.write(code)
