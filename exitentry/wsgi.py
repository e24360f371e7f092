"""WSGI entry point (gunicorn exitentry.wsgi)."""

import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")

application = get_wsgi_application()

# The URLconf, and with it the API's routes and their ~800 schemas, imported now rather than by
# each worker's first request (Django imports it lazily): with gunicorn's preload_app this runs
# once in the master, the workers fork with it and freeze it with the rest (gunicorn_conf.py).
# Profiled in a worker: its first request spent 3 s of CPU importing it.
import_module(settings.ROOT_URLCONF)
