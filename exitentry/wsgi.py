"""WSGI entry point (gunicorn exitentry.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")

application = get_wsgi_application()
