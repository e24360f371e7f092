"""core.rawsql: fixed SELECTs returning model instances or converted values."""

import datetime as dt

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from core.rawsql import Part, RawInsert, RawSelect, RawStatement
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


def test_insert_writes_the_row_as_save_would_with_defaults_and_json():
    # given an unsaved appointment event (auto "at", JSON data) and a notification
    from accounts.tests.factories import UserFactory
    from appointments.models import AppointmentEvent
    from appointments.tests.factories import AppointmentFactory
    from notifications.models import Notification

    appointment = AppointmentFactory()
    user = UserFactory()
    event = AppointmentEvent(
        appointment=appointment,
        kind="booked",
        to_status="booked",
        actor=user,
        data={"slot": 7, "note": "中文"},
    )
    # when it is inserted
    saved = RawInsert(AppointmentEvent).save(event)
    # then it has its key and state, and the database holds what the ORM would have written
    assert saved is event and event.pk and not event._state.adding
    stored = AppointmentEvent.objects.get(pk=event.pk)
    assert stored.data == {"slot": 7, "note": "中文"} and stored.actor_id == user.pk
    assert stored.at == event.at and stored.at.tzinfo is not None
    # and a second insert gets a new key; ORM defaults (status, created_at) are applied
    notification = RawInsert(Notification).save(
        Notification(user=user, channel="sms", kind="k", text="t")
    )
    stored = Notification.objects.get(pk=notification.pk)
    assert stored.status == Notification.Status.QUEUED and stored.created_at is not None


def test_insert_refuses_a_model_with_save_signals():
    # the guide's hall has history and directory receivers: skipping them would lose data
    from guide.models import Hall

    with pytest.raises(TypeError):
        RawInsert(Hall).save(Hall())


def test_insert_breaking_a_constraint_raises_integrity_error():
    from django.db import IntegrityError, transaction

    from appointments.models import AppointmentEvent

    with pytest.raises(IntegrityError), transaction.atomic():
        RawInsert(AppointmentEvent).save(
            AppointmentEvent(appointment_id=2**40, kind="booked", to_status="booked")
        )


def test_statement_returns_the_rows_it_changed():
    # given two documents of a person
    person = PersonFactory()
    PassportFactory(person=person)
    HkMacaoPassFactory(person=person)
    statement = RawStatement(
        "UPDATE documents_document SET issuing_authority_en = %s WHERE person_id = %s"
    )
    # when / then
    assert statement.execute(["Changed", person.pk]) == 2
    assert statement.execute(["Changed", 2**40]) == 0
    assert set(
        Document.objects.filter(person=person).values_list("issuing_authority_en", flat=True)
    ) == {"Changed"}
