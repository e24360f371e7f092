"""Event history append-only in the database (core.appendonly)."""

from django.db import migrations

from core.appendonly import append_only


class Migration(migrations.Migration):

    dependencies = [
        ("certificates", "0001_initial"),
    ]

    operations = [
        append_only("certificates_certificateevent"),
    ]
