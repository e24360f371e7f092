"""PostgreSQL: documents found by (type, number) without visiting the table.

A port's batch of 500 crossings looks up each event's document by (type, number) and needs only
its id and holder (crossings.services, the ingestion statement). The unique constraint's index
has the key but not those columns, so each lookup also read the table's page: 12 -> 7 µs a
document with this index (index-only scans), ~2.5 ms of PostgreSQL CPU a batch
(docs/benchmarks.md "Crossings"). INCLUDE is PostgreSQL's: SQLite, the embedded mode, keeps the
unique constraint's index only.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS documents_document_number_cover"
    " ON documents_document (type, number) INCLUDE (id, person_id)"
)
DROP = "DROP INDEX IF EXISTS documents_document_number_cover"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("documents", "0006_loss_report")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
