import pytest
from django.db import DatabaseError, connection, transaction

from staff.models import AccessLog, AppendOnlyError

from .factories import AccessLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    return AccessLogFactory()


def test_an_entry_cannot_be_saved_again(entry):
    entry.reason = "Something else entirely"
    with pytest.raises(AppendOnlyError):
        entry.save()
    entry.refresh_from_db()
    assert entry.reason != "Something else entirely"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AccessLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(reason="rewritten history"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["reason"]),
        lambda qs: qs.update_or_create(pk=qs.get().pk, defaults={"reason": "rewritten"}),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create"],
)
def test_querysets_refuse_changes(entry, change):
    with pytest.raises(AppendOnlyError):
        change(AccessLog.objects.filter(pk=entry.pk))
    assert AccessLog.objects.get(pk=entry.pk).reason == entry.reason


def test_the_database_refuses_an_update_by_raw_sql(entry):
    # given an entry; when someone bypasses the ORM
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE staff_accesslog SET reason = %s WHERE id = %s", ["rewritten", entry.pk]
        )

    # then the row is unchanged
    assert AccessLog.objects.get(pk=entry.pk).reason == entry.reason


def test_the_database_refuses_deleting_an_entry(entry):
    # PostgreSQL refuses DELETE always; SQLite refuses it outside a test database (whose
    # tables the test runner empties between tests): the trigger is there with that condition.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute("DELETE FROM staff_accesslog WHERE id = %s", [entry.pk])
            assert AccessLog.objects.filter(pk=entry.pk).exists()
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                ["staff_accesslog_no_delete"],
            )
            assert "RAISE(ABORT" in cursor.fetchone()[0]


def test_the_access_log_has_the_append_only_triggers(entry):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["staff_accesslog"],
            )
            wanted = {"staff_accesslog_no_update", "staff_accesslog_no_delete"}
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                ["staff_accesslog"],
            )
            wanted = {"staff_accesslog_append_only", "staff_accesslog_no_truncate"}
        assert wanted <= {row[0] for row in cursor.fetchall()}


def test_new_entries_can_be_added(entry):
    AccessLogFactory(staff=entry.staff, person=entry.person)
    assert AccessLog.objects.count() == 2


def test_str_masks_nothing_it_does_not_show(entry):
    assert entry.person.id_number not in str(entry)
