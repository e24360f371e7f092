"""Run the periodic work of crossings once: partitions made ahead, those past retention dropped
(on SQLite: rows past retention deleted). Celery beat does this daily in production."""

from django.core.management.base import BaseCommand

from crossings.partitions import maintain_partitions


class Command(BaseCommand):
    help = "Make the coming months' crossings partitions and drop those past retention."

    def handle(self, *args, **options):
        done = maintain_partitions()
        self.stdout.write(
            f"{len(done.created)} partitions created, {len(done.dropped)} dropped, "
            f"{done.deleted_rows} rows past retention deleted"
        )
