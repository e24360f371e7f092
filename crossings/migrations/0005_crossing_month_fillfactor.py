"""The months index's rows change in place (count + n, a column no index holds): with room left
on each page PostgreSQL updates them there (HOT), without a new entry in either of its two
indexes. Measured on the bench data: ~5,400 -> ~3,500 buffers and ~600 -> ~50 pages dirtied per
batch of 500 for the months upsert (docs/benchmarks.md "Crossings"). Pages written before this
keep no room until the table is rewritten (VACUUM FULL or pg_repack)."""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE crossings_crossingmonth SET (fillfactor = 80)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE crossings_crossingmonth RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("crossings", "0004_no_db_foreign_keys")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False)]
