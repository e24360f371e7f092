"""Load the synthetic demo registry: the fixed demo persons (persons.demo.fixed) and generated
persons across the provinces, with documents and families, through the import services.

Idempotent: persons are matched by ID number and documents by number, so running it again in
the same month changes nothing (document dates are relative to the current month). Needs the
regions of `manage.py load_demo`.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from guide.calendar import SHANGHAI
from guide.models import Region
from persons.demo.fixed import fixed_records
from persons.demo.generate import SEED, demo_records
from persons.importing import SECTIONS, Row, registry_import

DEFAULT_PERSONS = 400


class Command(BaseCommand):
    help = "Load the synthetic demo registry (persons, documents, guardianships); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--persons",
            type=int,
            default=DEFAULT_PERSONS,
            help="How many generated persons besides the fixed ones (10000 for the benchmark).",
        )
        parser.add_argument("--seed", type=int, default=SEED)

    def handle(self, *args, persons: int, seed: int, **options) -> None:
        if persons < 0:
            raise CommandError("--persons must be 0 or more")
        counties = list(
            Region.objects.filter(level=Region.Level.COUNTY).values_list("code", flat=True)
        )
        if not counties or not Region.objects.filter(code__in=["440303", "110105"]).count() == 2:
            raise CommandError("The regions are missing: run `manage.py load_demo` first.")
        anchor = dt.datetime.now(SHANGHAI).date().replace(day=1)
        rows = _rows(fixed_records(anchor))
        if persons:
            rows += _rows(
                demo_records(persons=persons, anchor=anchor, seed=seed, counties=counties)
            )
        report = registry_import(
            rows, on_reject=lambda reject: self.stderr.write(f"rejected: {reject}")
        )
        style = self.style.WARNING if report.rejects else self.style.SUCCESS
        self.stdout.write(style(f"Demo registry (synthetic, not real persons): {report.summary()}"))


def _rows(records: dict[str, list]) -> list[Row]:
    """Rows in import order: persons, then documents, then guardianships."""
    return [
        Row(number=index, kind=kind, data=data, section=section)
        for section, kind in SECTIONS.items()
        for index, data in enumerate(records.get(section, []), start=1)
    ]
