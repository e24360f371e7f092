"""Run the periodic work of appointments once: make slots, mark missed ones, tell seat alerts."""

from django.core.management.base import BaseCommand

from appointments import services


class Command(BaseCommand):
    help = "Make the coming days' slots, mark missed appointments, tell waiting seat alerts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days ahead to make slots for (default: release days + 1).",
        )

    def handle(self, *args, days=None, **options):
        made = services.slots_generate(days_ahead=days)
        missed = services.appointments_mark_no_shows()
        told = services.seat_watches_check()
        self.stdout.write(
            f"{made} slots made, {missed} appointments marked missed, {told} seat alerts told"
        )
