"""Event history append-only in the database (core.appendonly)."""

from django.db import migrations

from core.appendonly import append_only


class Migration(migrations.Migration):

    dependencies = [
        ("endorsements", "0001_initial"),
    ]

    operations = [
        append_only("endorsements_endorsementevent"),
    ]
