"""Run the periodic work of endorsements once: active endorsements past their last valid day
become expired (endorsements.services.endorsements_expire; Celery beat runs it in production,
endorsements.tasks.expire)."""

from django.core.management.base import BaseCommand

from endorsements import services


class Command(BaseCommand):
    help = "Expire the active endorsements whose validity has ended."

    def handle(self, *args, **options) -> None:
        expired = services.endorsements_expire()
        self.stdout.write(f"{expired} endorsements expired")
