"""The access log refuses UPDATE, DELETE and TRUNCATE in the database, like the event tables
(core.appendonly): PostgreSQL refuses TRUNCATE too (it only refused UPDATE and DELETE), SQLite
refuses DELETE too (it only refused UPDATE). The one exception is a test database, which the
test runner empties between tests.
"""

from django.db import migrations

from core.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0005_accesslog_applications"),
    ]

    operations = [
        append_only("staff_accesslog"),
    ]
