"""Import persons, documents and guardianships from a CSV or JSON file (see persons.importing).

Every row is checked and written on its own; rejected rows are listed with their row number and
reason, and the import goes on. Safe to run again: rows are matched by ID or document number.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from persons.importing import ImportFileError, read_rows, registry_import


class Command(BaseCommand):
    help = "Import the population registry (persons, documents, guardianships) from CSV or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A .csv or .json file.")

    def handle(self, *args, file: Path, **options) -> None:
        try:
            rows = read_rows(file)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        report = registry_import(
            rows, on_reject=lambda reject: self.stderr.write(f"rejected: {reject}")
        )
        style = self.style.WARNING if report.rejects else self.style.SUCCESS
        self.stdout.write(style(report.summary()))
