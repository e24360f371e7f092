"""Run the periodic work of notifications once: queue tomorrow's reminders, deliver what is due
(retries included). Celery beat does this in production; cron it for a long-running embedded
server."""

from django.core.management.base import BaseCommand

from notifications.relay import relay_run
from notifications.reminders import appointment_reminders_queue


class Command(BaseCommand):
    help = "Queue tomorrow's appointment reminders and deliver every due notification."

    def handle(self, *args, **options):
        reminded = appointment_reminders_queue()
        result = relay_run()
        self.stdout.write(
            f"{reminded} reminders queued; {result.sent} sent, {result.retried} to retry, "
            f"{result.failed} failed, {result.in_doubt} found in doubt"
        )
