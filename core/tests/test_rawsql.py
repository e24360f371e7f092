"""core.rawsql: fixed SELECTs returning model instances or converted values."""

import datetime as dt
import json
from collections import Counter

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from core.rawsql import (
    Part,
    RawGuardedInsert,
    RawInsert,
    RawSelect,
    RawStatement,
    RawUnion,
    Subquery,
    _inline,
    _slot_type,
)
from documents.models import Document
from documents.tests.factories import HkMacaoPassFactory, PassportFactory, TaiwanPermitFactory
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


def test_deferred_rows_make_the_partial_parts_as_only_does():
    # given a document, read with its person whole and only some of its own fields, which
    # are named out of the model's order
    document = PassportFactory(status_changed_at=dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC))
    select = RawSelect(
        [Part(Person, "p"), Part(Document, "d", only=("number", "id", "status_changed_at"))],
        "FROM persons_person p JOIN documents_document d ON d.person_id = p.id WHERE p.id = %s",
    )
    # when
    [(person, partial)] = select.rows([document.person_id], deferred=True)
    # then the selected fields are there, converted, without a query; the others are deferred
    with CaptureQueriesContext(connection) as queries:
        assert person.pk == document.person_id and not person.get_deferred_fields()
        assert (partial.pk, partial.number) == (document.pk, document.number)
        assert partial.status_changed_at == document.status_changed_at
    assert queries.captured_queries == []
    assert {"expires_on", "issued_on"} <= partial.get_deferred_fields()
    assert partial.expires_on == document.expires_on  # a deferred field costs a query


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


def test_queries_are_logged_readably_and_prepared_by_psycopg_on_postgresql():
    person = PersonFactory()
    # given queries being logged (DEBUG, tests counting queries): the SQL text is kept
    with CaptureQueriesContext(connection) as logged:
        DOCUMENT_DATES.values([person.pk])
    assert "FROM documents_document d WHERE d.person_id" in logged.captured_queries[0]["sql"]
    # when run again, on PostgreSQL psycopg makes the select a prepared statement of the
    # connection (server_side_binding and prepare_threshold, the settings' OPTIONS)
    DOCUMENT_DATES.values([person.pk])
    DOCUMENT_DATES.values([person.pk])
    if connection.vendor == "postgresql":
        options = connection.settings_dict["OPTIONS"]
        assert options["server_side_binding"] is True and options["prepare_threshold"] <= 1
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


# -- RawGuardedInsert ----------------------------------------------------------------------------


def _guarded():
    from appointments.models import Appointment, AppointmentEvent
    from notifications.models import Notification

    return RawGuardedInsert(
        "UPDATE appointments_slot SET booked = booked + 1 WHERE id = %s AND booked < capacity",
        [Appointment, AppointmentEvent, Notification],
        links={(1, "appointment"): 0},
    )


def _rows(slot, user, *, number="GUARDED00001", idempotency_key=None):
    from appointments.models import Appointment, AppointmentEvent
    from notifications.models import Notification
    from persons.tests.factories import PersonFactory

    appointment = Appointment(
        number=number,
        person=PersonFactory(),
        booked_by=user,
        document_type="passport",
        kind="first",
        details={"contact_phone": "+8613800000000", "note": "中文"},
        hall=slot.hall,
        service=slot.service,
        slot=slot,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        idempotency_key=idempotency_key,
    )
    event = AppointmentEvent(kind="booked", to_status="booked", actor=user, data={"slot": 1})
    notification = Notification(user=user, channel="sms", kind="appointment_booked", text="t")
    return [appointment, event, notification]


def test_guarded_insert_writes_every_row_linked_when_the_guard_changes_one():
    from accounts.tests.factories import UserFactory
    from appointments.models import Appointment, AppointmentEvent
    from appointments.tests.factories import SlotFactory
    from notifications.models import Notification

    # given a time with a seat left
    slot, user = SlotFactory(capacity=1, booked=0), UserFactory()
    appointment, event, notification = rows = _rows(slot, user)
    # when the seat is taken with the rows
    assert _guarded().save([slot.pk], rows) is True
    # then the seat is taken, each row is saved with its key, the event points to the appointment
    slot.refresh_from_db()
    assert slot.booked == 1
    assert all(obj.pk and not obj._state.adding for obj in rows)
    stored = Appointment.objects.get(pk=appointment.pk)
    assert stored.details == {"contact_phone": "+8613800000000", "note": "中文"}
    assert stored.created_at == appointment.created_at and stored.created_at.tzinfo is not None
    assert AppointmentEvent.objects.get(pk=event.pk).appointment_id == appointment.pk
    assert event.appointment is appointment
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.QUEUED


def test_an_insert_without_a_guard_writes_every_row_linked_in_one_statement():
    from django.db import IntegrityError

    from accounts.tests.factories import UserFactory
    from appointments.models import Appointment, AppointmentEvent
    from appointments.tests.factories import SlotFactory
    from notifications.models import Notification

    models_ = [Appointment, AppointmentEvent, Notification]
    unguarded = RawGuardedInsert(None, models_, links={(1, "appointment"): 0})
    slot, user = SlotFactory(capacity=1, booked=1), UserFactory()
    # when rows are written without a guard (here, even with no seat left: nothing is checked)
    rows = _rows(slot, user, idempotency_key="k0")
    with CaptureQueriesContext(connection) as queries:
        assert unguarded.save([], rows) is True
    # then every row is saved, linked, and the slot is untouched; one statement on PostgreSQL
    appointment, event, notification = rows
    assert AppointmentEvent.objects.get(pk=event.pk).appointment_id == appointment.pk
    assert Notification.objects.filter(pk=notification.pk).exists()
    slot.refresh_from_db()
    assert slot.booked == 1
    if connection.vendor == "postgresql":
        assert len(queries.captured_queries) == 1
    # and a broken constraint writes none of them
    with pytest.raises(IntegrityError):
        unguarded.save([], _rows(slot, user, number="GUARDED00009", idempotency_key="k0"))
    assert Appointment.objects.filter(slot=slot).count() == 1
    assert AppointmentEvent.objects.count() == 1


def test_guarded_insert_writes_nothing_when_the_guard_changes_nothing():
    from accounts.tests.factories import UserFactory
    from appointments.models import Appointment, AppointmentEvent
    from appointments.tests.factories import SlotFactory
    from notifications.models import Notification

    slot, user = SlotFactory(capacity=1, booked=1), UserFactory()
    before = Appointment.objects.count(), AppointmentEvent.objects.count()
    assert _guarded().save([slot.pk], _rows(slot, user)) is False
    assert (Appointment.objects.count(), AppointmentEvent.objects.count()) == before
    assert not Notification.objects.filter(user=user).exists()


def test_guarded_insert_breaking_a_constraint_leaves_the_guard_undone():
    from django.db import IntegrityError

    from accounts.tests.factories import UserFactory
    from appointments.models import Appointment
    from appointments.tests.factories import SlotFactory

    # given a first booking under an Idempotency-Key
    slot, user = SlotFactory(capacity=5, booked=0), UserFactory()
    _guarded().save([slot.pk], _rows(slot, user, idempotency_key="k1"))
    # when a second one with the same key (unique per booker) is written
    with pytest.raises(IntegrityError):
        _guarded().save([slot.pk], _rows(slot, user, number="GUARDED00002", idempotency_key="k1"))
    # then its seat was given back with it
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Appointment.objects.filter(slot=slot).count() == 1


def test_guarded_insert_breaking_a_constraint_inside_a_transaction_leaves_it_usable():
    from django.db import IntegrityError, transaction

    from accounts.tests.factories import UserFactory
    from appointments.models import Appointment
    from appointments.tests.factories import SlotFactory

    slot, user = SlotFactory(capacity=5, booked=0), UserFactory()
    # given a caller's transaction holding a first booking under a key
    with transaction.atomic():
        _guarded().save([slot.pk], _rows(slot, user, idempotency_key="k2"))
        # when a second one with the same key breaks the unique constraint
        with pytest.raises(IntegrityError):
            _guarded().save(
                [slot.pk], _rows(slot, user, number="GUARDED00003", idempotency_key="k2")
            )
        # then the transaction still answers (the caller looks up the winner) and keeps its work
        assert Appointment.objects.filter(slot=slot, idempotency_key="k2").count() == 1
    slot.refresh_from_db()
    assert slot.booked == 1


def test_guarded_insert_refuses_a_value_too_long_instead_of_cutting_it():
    from django.db import DataError, IntegrityError

    from accounts.tests.factories import UserFactory
    from appointments.tests.factories import SlotFactory

    slot = SlotFactory(capacity=5, booked=0)
    rows = _rows(slot, UserFactory(), number="X" * 300)
    if connection.vendor == "sqlite":  # no length limit there: kept whole, not cut
        assert _guarded().save([slot.pk], rows)
        rows[0].refresh_from_db()
        assert rows[0].number == "X" * 300
        return
    with pytest.raises((DataError, IntegrityError)):
        _guarded().save([slot.pk], rows)
    slot.refresh_from_db()
    assert slot.booked == 0


def test_guarded_insert_checks_its_links_and_signals():
    from appointments.models import Appointment, AppointmentEvent
    from guide.models import Hall

    with pytest.raises(TypeError):  # the event's appointment is not the hall
        RawGuardedInsert(
            "UPDATE x SET y = 1", [Hall, AppointmentEvent], links={(1, "appointment"): 0}
        )
    with pytest.raises(TypeError):  # a row can point only to an earlier one
        RawGuardedInsert(
            "UPDATE x SET y = 1", [AppointmentEvent, Appointment], links={(0, "appointment"): 1}
        )
    with pytest.raises(TypeError):  # Hall has save signals
        RawGuardedInsert("UPDATE x SET y = 1", [Hall]).save([], [Hall()])


def test_guarded_insert_writes_plain_values_as_the_fields_would_convert_them():
    # given instances of models with every kind of field the hot writes use: texts, numbers,
    # booleans, dates, aware datetimes, decimals, JSON and foreign keys
    from core.rawsql import _as_is_types, _json_value
    from endorsements.tests.factories import EndorsementFactory

    endorsement = EndorsementFactory.build(document=HkMacaoPassFactory())
    endorsement.type_code = 5  # an int in a CharField: the field makes it "5"
    person = PersonFactory.build()

    # when each field's value is read for the row's JSON, with and without the shortcut
    for obj in (endorsement, person, PassportFactory()):
        shortcut = [f for f in obj._meta.concrete_fields if _as_is_types(f)]
        assert len(shortcut) >= 3
        for field in shortcut:
            fast = _json_value(field, obj, connection, False, _as_is_types(field))
            slow = _json_value(field, obj, connection, False, ())

            # then the row's JSON holds the same text (psycopg's Int2 is an int: "1" either way)
            assert json.dumps(fast) == json.dumps(slow), field.name
    assert (
        _json_value(
            endorsement._meta.get_field("type_code"), endorsement, connection, False, (str,)
        )
        == "5"
    )
    assert _as_is_types(endorsement._meta.get_field("document")) == (int,)
    assert _as_is_types(endorsement._meta.get_field("valid_from")) == ()


# RawUnion: several selects in one round trip

PERSONS_BY_NAME = RawSelect(
    [Part(Person, "p")], "FROM persons_person p WHERE p.id IN (%s, %s)", order_by="p.id DESC"
)
DOCUMENTS_NEWEST = RawSelect(
    [Part(Document, "d", only=("expires_on", "id", "status_changed_at"))],
    "FROM documents_document d WHERE d.person_id = %s",
    order_by="d.expires_on DESC, d.id",
)


def test_a_union_gives_each_branch_its_rows_in_its_order_in_one_statement():
    # given two persons and three documents of the first, one with a time to convert
    first, second = PersonFactory(), PersonFactory()
    changed_at = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    old = PassportFactory(person=first, expires_on=dt.date(2030, 1, 1))
    new = HkMacaoPassFactory(
        person=first, expires_on=dt.date(2035, 1, 1), status_changed_at=changed_at
    )
    other = PassportFactory(person=second)
    union = RawUnion([(PERSONS_BY_NAME, ""), (DOCUMENTS_NEWEST, "LIMIT %s")])
    # when read in one statement, the documents limited to 5
    with CaptureQueriesContext(connection) as queries:
        persons, documents = union.values([[first.pk, second.pk], [first.pk, 5]])
    # then one statement, the persons in their order as whole rows, the documents' values
    # newest first with the ORM's conversions, and nothing of the other person's
    assert len(queries) == 1
    assert [PERSONS_BY_NAME.instances(row)[0].pk for row in persons] == [second.pk, first.pk]
    assert documents == [
        (dt.date(2035, 1, 1), new.pk, changed_at),
        (dt.date(2030, 1, 1), old.pk, old.status_changed_at),
    ]
    assert documents[0][2].tzinfo is not None
    assert other.pk not in {row[1] for row in documents}


def test_a_union_branch_may_be_empty_and_its_tail_limits_it():
    person = PersonFactory()
    for factory, year in (
        (PassportFactory, 2030),
        (HkMacaoPassFactory, 2031),
        (TaiwanPermitFactory, 2032),
    ):
        factory(person=person, expires_on=dt.date(year, 6, 1))
    union = RawUnion([(PERSONS_BY_NAME, ""), (DOCUMENTS_NEWEST, "LIMIT %s")])
    # when no person matches and two documents are asked for
    persons, documents = union.values([[0, 0], [person.pk, 2]])
    # then
    assert persons == []
    assert [row[0] for row in documents] == [dt.date(2032, 6, 1), dt.date(2031, 6, 1)]


def test_a_union_branch_needs_its_order():
    with pytest.raises(TypeError):
        RawUnion([(DOCUMENT_DATES, "")])


def test_a_subquery_parameter_is_worked_out_by_the_database_in_the_same_statement():
    # given two persons, the second with documents, and a union asking for the documents of
    # "the person whose id number is X" (a value only the database knows)
    first, second = PersonFactory(), PersonFactory()
    passport = PassportFactory(person=second, expires_on=dt.date(2031, 1, 1))
    union = RawUnion([(PERSONS_BY_NAME, ""), (DOCUMENTS_NEWEST, "LIMIT %s")])
    whose = Subquery(
        "SELECT p.id FROM persons_person p WHERE p.id_number = %s", (second.id_number,)
    )
    # when it is read, the subquery for one of the persons and for the documents' owner
    with CaptureQueriesContext(connection) as queries:
        persons, documents = union.values([[first.pk, whose], [whose, 5]])
    # then one statement gives the same rows as with the id itself
    assert len(queries) == 1
    assert [PERSONS_BY_NAME.instances(row)[0].pk for row in persons] == [second.pk, first.pk]
    assert [row[1] for row in documents] == [passport.pk]
    assert (persons, documents) == tuple(union.values([[first.pk, second.pk], [second.pk, 5]]))
    # and a subquery that finds nothing finds no rows, as a NULL would
    nobody = Subquery("SELECT p.id FROM persons_person p WHERE p.id_number = %s", ("none",))
    assert union.values([[nobody, nobody], [nobody, 5]]) == [[], []]


def test_inlining_keeps_literal_percent_signs_and_counts_the_parameters():
    inner = Subquery("SELECT %s", (1,))
    assert _inline("SELECT %s, '100%%' WHERE x = %s", [inner, 2]) == (
        "SELECT (SELECT %s), '100%%' WHERE x = %s"
    )
    with pytest.raises(TypeError):
        _inline("SELECT %s", [inner, 2])
    with pytest.raises(TypeError):
        _inline("SELECT %s, %s", [inner])


def test_a_union_shares_columns_of_a_type_between_branches():
    # given a union of persons (whole rows) and three of a document's fields
    union = RawUnion([(PERSONS_BY_NAME, ""), (DOCUMENTS_NEWEST, "LIMIT %s")])
    person = PersonFactory()
    PassportFactory(person=person)
    # when it is read
    with CaptureQueriesContext(connection) as queries:
        persons, documents = union.values([[person.pk, person.pk], [person.pk, 5]])
    # then each row is as wide as the persons' columns plus what the documents have of a type
    # the persons lack, not the two branches' columns side by side
    first_branch = queries[0]["sql"].split(" UNION ALL ")[0]
    width = first_branch.count(" AS u") - 2  # u_branch and u_n
    persons_kinds = Counter(
        _slot_type(f.db_type(connection)) for f in PERSONS_BY_NAME.parts[0].fields
    )
    documents_kinds = Counter(
        _slot_type(f.db_type(connection)) for f in DOCUMENTS_NEWEST.parts[0].fields
    )
    assert width == sum((persons_kinds | documents_kinds).values())
    assert width < len(PERSONS_BY_NAME.parts[0].fields) + len(DOCUMENTS_NEWEST.parts[0].fields)
    # and each branch still reads its own values
    assert PERSONS_BY_NAME.instances(persons[0])[0] == person
    assert len(documents) == 1
