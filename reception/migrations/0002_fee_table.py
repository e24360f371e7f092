"""Seed the fee table (policy facts to be confirmed against the current fee notice: they are
data, editable in the back-office, not constants)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

VALID_FROM = dt.date(2019, 4, 1)
FEES = [
    ("passport", Decimal("120.00")),
    ("hk_macao_pass", Decimal("60.00")),
    ("taiwan_permit", Decimal("60.00")),
]
NOTE = "[?] Seeded value: check against the fee notice in force."


def seed(apps, schema_editor):
    Fee = apps.get_model("reception", "Fee")
    for document_type, amount in FEES:
        Fee.objects.get_or_create(
            document_type=document_type,
            kind="",
            valid_from=VALID_FROM,
            defaults={"amount": amount, "note": NOTE},
        )


def unseed(apps, schema_editor):
    Fee = apps.get_model("reception", "Fee")
    for document_type, amount in FEES:
        Fee.objects.filter(
            document_type=document_type, kind="", valid_from=VALID_FROM, amount=amount
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("reception", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
