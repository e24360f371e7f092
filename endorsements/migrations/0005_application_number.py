"""Endorsements get an application number in the applications' format (14 digits: date of
applying in Beijing time and eight random digits) for the anonymous progress lookup; existing
rows are backfilled from their applied_at. Made unique and required in 0006."""

import datetime as dt
import secrets

from django.db import migrations, models

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def backfill(apps, schema_editor):
    Endorsement = apps.get_model("endorsements", "Endorsement")
    Application = apps.get_model("applications", "Application")
    taken: set[str] = set()
    for endorsement in Endorsement.objects.filter(application_number__isnull=True).only(
        "pk", "applied_at"
    ):
        day = endorsement.applied_at.astimezone(SHANGHAI)
        while True:
            number = f"{day:%y%m%d}{secrets.randbelow(10**8):08d}"
            if number in taken or Application.objects.filter(number=number).exists():
                continue
            break
        taken.add(number)
        Endorsement.objects.filter(pk=endorsement.pk).update(application_number=number)


class Migration(migrations.Migration):
    dependencies = [
        ("endorsements", "0004_idempotency"),
        ("applications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="endorsement",
            name="application_number",
            field=models.CharField(
                max_length=14, null=True, verbose_name="application number"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
