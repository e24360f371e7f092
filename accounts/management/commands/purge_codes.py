"""Delete one-time codes past any use (run daily)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from accounts.services import codes_purge


class Command(BaseCommand):
    help = "Delete one-time codes (and what they were waiting to confirm) older than --days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=2)

    def handle(self, *args, days: int = 2, **options) -> None:
        count = codes_purge(older_than=dt.timedelta(days=days))
        self.stdout.write(f"{count} codes deleted.")
