"""Add the endorsement policy rows of DOMAIN.md that are missing (endorsements.policy_seed).

The data migration writes them once; this puts back rows an emptied database lost (the browser
tests' demo data, a database restored without them). Rows that exist are left as administrators
edited them.
"""

from django.core.management.base import BaseCommand

from endorsements.models import EndorsementPolicy
from endorsements.policy_seed import rows


class Command(BaseCommand):
    help = "Add the missing endorsement policy rows (DOMAIN.md's facts, [?] marked in notes)."

    def handle(self, *args, **options) -> None:
        added = 0
        for row in rows():
            keys = ("destination", "type_code", "option_code", "effective_from")
            _policy, created = EndorsementPolicy.objects.get_or_create(
                **{k: row[k] for k in keys},
                defaults={k: v for k, v in row.items() if k not in keys},
            )
            added += created
        self.stdout.write(f"{added} endorsement policy row(s) added")
