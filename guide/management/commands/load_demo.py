"""Load the demo data of the service guide: regions, services, sample halls and guides.

Idempotent: records are matched by their codes and updated in place. Without --force the
command does nothing when the sample halls are already there, so `make run` can call it at
every start.
"""

import csv
import json
import math
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from guide.models import Hall
from guide.regions import gbt2260_regions
from guide.services import guide_upsert, hall_upsert, regions_load, services_load

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
# Development and demo only: the command refuses to create it in production.
DEMO_ADMIN = ("admin", "exitentry-demo-admin")


class Command(BaseCommand):
    help = "Load demo regions, services, sample halls and guides (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Reload even if present.")
        parser.add_argument(
            "--halls",
            type=int,
            default=0,
            help="Top up with synthetic sample halls until there are this many (benchmarks).",
        )

    def handle(self, *args, force: bool = False, halls: int = 0, **options) -> None:
        from guide.demo.generate import demo_halls

        self._demo_administrator()
        if Hall.objects.filter(is_sample=True).exists() and not force and not halls:
            self.stdout.write("Demo data already loaded (use --force to reload).")
            self._print_logins()
            return
        city_names = self._city_names()
        written = regions_load(rows=gbt2260_regions(), names_en=city_names)
        services_load()
        rows = demo_halls()
        with transaction.atomic():
            for row in rows:
                hall_upsert(data=row, is_sample=True)
        extra = self._synthetic(rows, halls - len(rows)) if halls > len(rows) else []
        with transaction.atomic():
            for row in extra:
                hall_upsert(data=row, is_sample=True)
        guides = json.loads((DEMO_DIR / "guides.json").read_text(encoding="utf-8"))
        with transaction.atomic():
            for data in guides:
                guide_upsert(data=data)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {written} regions written, {len(rows) + len(extra)} halls, "
                f"{len(guides)} guides."
            )
        )
        self._print_logins()

    def _demo_administrator(self) -> None:
        """A back-office login for the demo; never in production."""
        if settings.PRODUCTION:
            return
        User = get_user_model()
        if not User.objects.filter(username=DEMO_ADMIN[0]).exists():
            User.objects.create_superuser(DEMO_ADMIN[0], password=DEMO_ADMIN[1])

    def _print_logins(self) -> None:
        if settings.PRODUCTION:
            return
        self.stdout.write(
            f"Demo logins: back-office /admin/ user {DEMO_ADMIN[0]!r} password {DEMO_ADMIN[1]!r}"
        )

    @staticmethod
    def _city_names() -> dict[str, str]:
        with (DEMO_DIR / "cities.csv").open(encoding="utf-8") as f:
            return {row["region_code"]: row["name_en"] for row in csv.DictReader(f)}

    @staticmethod
    def _synthetic(rows: list[dict], count: int) -> list[dict]:
        """More sample halls near the demo ones, for load tests (codes start with S)."""
        rng = random.Random(3000)
        extra = []
        for n in range(count):
            base = rows[n % len(rows)]
            distance, bearing = rng.uniform(1, 15), rng.uniform(0, 2 * math.pi)
            lat = base["latitude"] + distance / 111.0 * math.cos(bearing)
            lng = base["longitude"] + distance / (
                111.0 * math.cos(math.radians(base["latitude"]))
            ) * math.sin(bearing)
            extra.append(
                base
                | {
                    "code": f"S{n + 1:05d}",
                    "name_zh": f"{base['name_zh']}(样例分点{n + 1})",
                    "name_en": f"{base['name_en']} (sample branch {n + 1})",
                    "latitude": round(lat, 6),
                    "longitude": round(lng, 6),
                }
            )
        return extra
