"""Delete one-time codes past any use and sign-in records past their retention (run daily)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from accounts.services.codes import codes_purge
from accounts.services.sign_in import sign_in_records_purge


class Command(BaseCommand):
    help = (
        "Delete one-time codes (and what they were waiting to confirm) older than --days, and "
        "django-axes' sign-in records older than AXES_RETENTION_DAYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=2)

    def handle(self, *args, days: int = 2, **options) -> None:
        count = codes_purge(older_than=dt.timedelta(days=days))
        records = sign_in_records_purge()
        self.stdout.write(f"{count} codes deleted, {records} sign-in records deleted.")
