"""The endorsement policy as DOMAIN.md states it (endorsements.policy_seed): facts marked [?]
carry that mark in their note for administrators to confirm."""

from django.db import migrations


def seed(apps, schema_editor):
    from endorsements.policy_seed import rows

    Policy = apps.get_model("endorsements", "EndorsementPolicy")
    for row in rows():
        Policy.objects.update_or_create(
            destination=row["destination"],
            type_code=row["type_code"],
            option_code=row["option_code"],
            effective_from=row["effective_from"],
            defaults=row,
        )


def unseed(apps, schema_editor):
    apps.get_model("endorsements", "EndorsementPolicy").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("endorsements", "0002_events_append_only"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
