"""Run the periodic work of appointments: make slots, mark missed ones, tell seat alerts."""

import time

from django.core.management.base import BaseCommand

from appointments import services, slots
from guide.directory import get_directory

# Halls whose slots are made in one transaction: short enough that a booking on the embedded
# SQLite database never waits long for the write lock while the slots of 500 halls are made.
HALLS_PER_BATCH = 20


class Command(BaseCommand):
    help = "Make the coming days' slots, mark missed appointments, tell waiting seat alerts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days ahead to make slots for (default: release days + 1).",
        )
        parser.add_argument(
            "--every",
            type=float,
            default=None,
            metavar="SECONDS",
            help="Run again every SECONDS until stopped (the embedded server of `make run`).",
        )

    def handle(self, *args, days=None, every=None, **options):
        while True:
            self._tick(days)
            if every is None:
                return
            time.sleep(every)

    def _tick(self, days: int | None) -> None:
        halls = [hall.id for hall in get_directory().halls]
        made = 0
        for start in range(0, len(halls), HALLS_PER_BATCH):
            made += slots.slots_generate(
                hall_ids=halls[start : start + HALLS_PER_BATCH], days_ahead=days
            )
        missed = services.appointments_mark_no_shows()
        told = services.seat_watches_check()
        self.stdout.write(
            f"{made} slots made, {missed} appointments marked missed, {told} seat alerts told",
            ending="\n",
        )
        self.stdout.flush()
