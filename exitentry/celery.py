"""Celery application: background work in production; eager (in-process) in the embedded mode."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")

app = Celery("exitentry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
