"""Endorsements' application numbers go into the one table of application numbers
(applications.ApplicationNumber, applications 0005), which keeps a number to one application of
either kind. An endorsement whose number a document application already holds gets a new one
(same format: its date of applying, Beijing time, and eight random digits)."""

import datetime as dt
import secrets

from django.db import migrations

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
BATCH = 5000


def record_endorsement_numbers(apps, schema_editor):
    Endorsement = apps.get_model("endorsements", "Endorsement")
    ApplicationNumber = apps.get_model("applications", "ApplicationNumber")
    rows = Endorsement.objects.order_by("pk").values_list("pk", "application_number", "applied_at")
    for start in range(0, rows.count(), BATCH):
        chunk = list(rows[start : start + BATCH])
        taken = set(
            ApplicationNumber.objects.filter(
                number__in=[number for _pk, number, _at in chunk]
            ).values_list("number", flat=True)
        )
        batch = []
        for pk, number, applied_at in chunk:
            if number in taken:  # a document application's: draw a free one
                day = applied_at.astimezone(SHANGHAI)
                while (
                    number in taken
                    or ApplicationNumber.objects.filter(number=number).exists()
                    or Endorsement.objects.filter(application_number=number).exists()
                ):
                    number = f"{day:%y%m%d}{secrets.randbelow(10**8):08d}"
                Endorsement.objects.filter(pk=pk).update(application_number=number)
            taken.add(number)
            batch.append(
                ApplicationNumber(number=number, kind="endorsement", allocated_at=applied_at)
            )
        ApplicationNumber.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("endorsements", "0006_application_number_unique"),
        ("applications", "0005_application_numbers"),
    ]

    operations = [
        migrations.RunPython(record_endorsement_numbers, migrations.RunPython.noop),
    ]
