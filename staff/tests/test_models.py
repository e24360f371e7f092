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


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM staff_accesslog WHERE id = %s", "DELETE FROM staff_accesslog", "TRUNCATE"],
)
def test_the_database_refuses_deleting_and_emptying(entry, statement):
    # given an entry; when someone bypasses the ORM to delete it or empty the table
    if statement == "TRUNCATE":
        # SQLite has no TRUNCATE: its "DELETE FROM t" is the same (and is refused by the trigger)
        statement = (
            "TRUNCATE staff_accesslog CASCADE"
            if connection.vendor == "postgresql"
            else "DELETE FROM staff_accesslog"
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk] if "%s" in statement else None)
    # then the row is still there
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_only_the_purge_permission_empties_the_table(entry):
    from core.appendonly import purge_allowed

    with purge_allowed(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM staff_accesslog")
    assert not AccessLog.objects.exists()


def test_new_entries_can_be_added(entry):
    AccessLogFactory(staff=entry.staff, person=entry.person)
    assert AccessLog.objects.count() == 2


def test_str_masks_nothing_it_does_not_show(entry):
    assert entry.person.id_number not in str(entry)
