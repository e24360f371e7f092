"""core.rawsql: fixed SELECTs returning model instances or converted values."""

import datetime as dt

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from core.rawsql import Part, RawSelect
from documents.models import Document
from documents.tests.factories import HkMacaoPassFactory, PassportFactory
from persons.models import Person
from persons.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

PERSON_DOCUMENTS = RawSelect(
    [Part(Person, "p"), Part(Document, "d")],
    "FROM persons_person p LEFT JOIN documents_document d ON d.person_id = p.id"
    " WHERE p.id IN (%s, %s) ORDER BY p.id, d.id",
)
DOCUMENT_DATES = RawSelect(
    [Part(Document, "d", only=("expires_on", "id", "status_changed_at"))],
    "FROM documents_document d WHERE d.person_id = %s ORDER BY d.id",
)


def test_rows_are_instances_and_none_for_the_empty_side_of_a_left_join():
    # given a person with two documents and one with none
    holder, empty = PersonFactory(), PersonFactory()
    first = PassportFactory(person=holder)
    second = HkMacaoPassFactory(person=holder)
    # when
    rows = PERSON_DOCUMENTS.rows([holder.pk, empty.pk])
    # then each row is (person, document), the second person's document None
    assert [(p.pk, d and d.pk) for p, d in rows] == [
        (holder.pk, first.pk),
        (holder.pk, second.pk),
        (empty.pk, None),
    ]
    person, document = rows[0]
    assert person == holder and person.birth_date == holder.birth_date
    assert isinstance(document.issued_on, dt.date) and document.issued_on == first.issued_on
    assert document.number == first.number
    assert not document._state.adding and document._state.db == "default"


def test_values_of_some_fields_in_their_order_with_the_orm_conversions():
    document = PassportFactory(status_changed_at=dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC))
    [(expires_on, pk, changed)] = DOCUMENT_DATES.values([document.person_id])
    assert (expires_on, pk) == (document.expires_on, document.pk)
    assert isinstance(expires_on, dt.date)
    assert changed == dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    assert changed.tzinfo is not None  # aware, on SQLite too


def test_instances_need_every_field():
    with pytest.raises(TypeError):
        DOCUMENT_DATES.rows([1])


def test_each_thread_prepares_on_its_own_connection():
    # given a select used in this thread, then in another one (gthread workers)
    import threading

    person = PersonFactory()
    PassportFactory(person=person)
    DOCUMENT_DATES.values([person.pk])
    found = []

    def other_thread():
        try:
            found.append(DOCUMENT_DATES.values([person.pk]))
        finally:
            connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    # then each thread's connection got its own preparation, with the same answer
    assert found == [DOCUMENT_DATES.values([person.pk])]
    assert connections["default"] in DOCUMENT_DATES._prepared


def test_queries_are_logged_readably_and_prepared_on_postgresql_otherwise():
    person = PersonFactory()
    # given queries being logged (DEBUG, tests counting queries): the SQL text is kept
    with CaptureQueriesContext(connection) as logged:
        DOCUMENT_DATES.values([person.pk])
    assert "FROM documents_document d WHERE d.person_id" in logged.captured_queries[0]["sql"]
    # when not logged, on PostgreSQL the select becomes a prepared statement of the connection
    DOCUMENT_DATES.values([person.pk])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            statements = [row[0] for row in cursor.fetchall()]
        assert any("FROM documents_document d WHERE d.person_id" in s for s in statements)
    else:
        assert connection.vendor == "sqlite"
