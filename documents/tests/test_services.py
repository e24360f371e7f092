import datetime as dt
import logging

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation

from core.errors import Problem
from documents.models import Document, DocumentEvent, DocumentStatus, LossReport
from documents.selectors import document_usable
from documents.services import (
    LossDetails,
    document_invalidate,
    document_record,
    document_report_lost,
)
from persons.services import Outcome
from persons.tests.factories import GuardianshipFactory, MinorFactory, PersonFactory

from .factories import (
    CitizenFactory,
    HkMacaoPassFactory,
    PassportFactory,
    UnboundCitizenFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


# report lost ------------------------------------------------------------------------------


def test_report_lost_keeps_when_where_and_how_with_the_event(citizen):
    # given a valid passport
    passport = PassportFactory(person=citizen.person, expires_on=days_from_today(400))
    loss = LossDetails(
        lost_on=dt.date.today() - dt.timedelta(days=1),
        place="  Guangzhou, Baiyun airport ",
        how="lost",
        circumstances="",
    )
    # when it is reported lost with the details
    document_report_lost(user=citizen, document=passport, loss=loss)
    # then the details are kept with the report's event, cleaned
    report = LossReport.objects.get()
    assert report.event.document == passport and report.event.kind == "reported_lost"
    assert (report.place, report.how) == ("Guangzhou, Baiyun airport", "lost")


def test_report_lost_with_a_future_date_changes_nothing(citizen):
    passport = PassportFactory(person=citizen.person, expires_on=days_from_today(400))
    loss = LossDetails(lost_on=dt.date.today() + dt.timedelta(days=3), place="x", how="lost")
    # when the date is in the future, then a 422 names the field and nothing is written
    with pytest.raises(Problem) as raised:
        document_report_lost(user=citizen, document=passport, loss=loss)
    assert raised.value.status == 422 and raised.value.errors[0]["field"] == "lost_on"
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VALID
    assert not DocumentEvent.objects.filter(kind="reported_lost").exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_loss_report_without_place_or_with_an_unknown_how(citizen):
    passport = PassportFactory(person=citizen.person, expires_on=days_from_today(400))
    document_report_lost(user=citizen, document=passport)
    event = DocumentEvent.objects.get(kind="reported_lost")
    for values in ({"place": "", "how": "lost"}, {"place": "here", "how": "eaten"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            LossReport.objects.create(event=event, lost_on=dt.date.today(), **values)


def test_report_lost_is_effective_at_once_and_recorded(citizen, caplog):
    # given
    passport = PassportFactory(person=citizen.person, expires_on=days_from_today(400))
    # when
    with caplog.at_level(logging.INFO):
        document = document_report_lost(user=citizen, document=passport)
    # then
    passport.refresh_from_db()
    assert document.status == passport.status == DocumentStatus.REPORTED_LOST
    assert passport.status_changed_at is not None
    assert not document_usable(passport)
    event = DocumentEvent.objects.get(document=passport, kind=DocumentEvent.Kind.REPORTED_LOST)
    assert (event.from_status, event.to_status) == (DocumentStatus.VALID, "reported_lost")
    assert (event.actor, event.actor_person, event.on_behalf_of) == (
        citizen,
        citizen.person,
        citizen.person,
    )
    # and the log has the number masked only
    assert passport.number not in caplog.text
    assert "reported lost" in caplog.text


def test_reporting_twice_is_a_clear_conflict(citizen):
    passport = PassportFactory(person=citizen.person, expires_on=days_from_today(400))
    document_report_lost(user=citizen, document=passport)
    with translation.override("en"), pytest.raises(Problem) as error:
        document_report_lost(user=citizen, document=passport)
    assert error.value.status == 409
    assert error.value.code == "document_already_reported_lost"
    assert "already been reported lost" in error.value.detail
    assert DocumentEvent.objects.filter(kind="reported_lost").count() == 1


def test_a_retry_with_the_same_idempotency_key_returns_the_first_result(citizen):
    passport = PassportFactory(person=citizen.person, expires_on=days_from_today(400))
    first = document_report_lost(user=citizen, document=passport, idempotency_key="k-1")
    again = document_report_lost(user=citizen, document=passport, idempotency_key="k-1")
    assert first.pk == again.pk and again.status == DocumentStatus.REPORTED_LOST
    assert DocumentEvent.objects.filter(kind="reported_lost").count() == 1
    # the same key for another document is refused
    other = HkMacaoPassFactory(person=citizen.person, expires_on=days_from_today(400))
    with pytest.raises(Problem) as error:
        document_report_lost(user=citizen, document=other, idempotency_key="k-1")
    assert (error.value.status, error.value.code) == (422, "idempotency_key_reused")
    other.refresh_from_db()
    assert other.status == DocumentStatus.VALID


@pytest.mark.parametrize("key", ["x" * 101, "with space", "中文"])
def test_a_bad_idempotency_key_is_refused(citizen, key):
    passport = PassportFactory(person=citizen.person, expires_on=days_from_today(400))
    with pytest.raises(Problem) as error:
        document_report_lost(user=citizen, document=passport, idempotency_key=key)
    assert (error.value.status, error.value.code) == (422, "invalid_idempotency_key")


@pytest.mark.parametrize(
    ("status", "expires_in_days"),
    [(DocumentStatus.INVALIDATED, 400), (DocumentStatus.VALID, -1)],
)
def test_only_a_valid_document_can_be_reported_lost(citizen, status, expires_in_days):
    document = PassportFactory(
        person=citizen.person, status=status, expires_on=days_from_today(expires_in_days)
    )
    with pytest.raises(Problem) as error:
        document_report_lost(user=citizen, document=document)
    assert (error.value.status, error.value.code) == (409, "document_not_valid")


def test_another_persons_document_is_not_found(citizen):
    stranger = PassportFactory(expires_on=days_from_today(400))
    with pytest.raises(Problem) as error:
        document_report_lost(user=citizen, document=stranger)
    assert error.value.status == 404
    stranger.refresh_from_db()
    assert stranger.status == DocumentStatus.VALID


def test_an_unbound_account_cannot_report(citizen):
    document = PassportFactory(expires_on=days_from_today(400))
    with pytest.raises(Problem) as error:
        document_report_lost(user=UnboundCitizenFactory(), document=document)
    assert (error.value.status, error.value.code) == (403, "identity_not_bound")


def test_a_guardian_reports_a_minors_document_and_is_recorded_as_the_actor(citizen):
    # given a minor of the citizen
    child = MinorFactory()
    GuardianshipFactory(guardian=citizen.person, child=child)
    child_pass = HkMacaoPassFactory(person=child, expires_on=days_from_today(400))
    # when
    document_report_lost(user=citizen, document=child_pass)
    # then
    event = DocumentEvent.objects.get(document=child_pass, kind="reported_lost")
    assert event.actor == citizen
    assert event.actor_person == citizen.person
    assert event.on_behalf_of == child


def test_the_child_cannot_act_for_the_guardian():
    # given a minor with an account and their guardian's passport
    guardianship = GuardianshipFactory()
    child_account = CitizenFactory(person=guardianship.child)
    passport = PassportFactory(person=guardianship.guardian, expires_on=days_from_today(400))
    with pytest.raises(Problem) as error:
        document_report_lost(user=child_account, document=passport)
    assert error.value.status == 404


def test_invalidate_and_final_statuses(citizen):
    passport = PassportFactory(person=citizen.person)
    document_invalidate(document=passport, note="cancelled")
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.INVALIDATED
    with pytest.raises(Problem) as error:
        document_invalidate(document=passport)
    assert (error.value.status, error.value.code) == (409, "document_transition_not_allowed")


def test_events_are_append_only(citizen):
    passport = PassportFactory(person=citizen.person)
    document_invalidate(document=passport)
    event = DocumentEvent.objects.get(document=passport)
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentEvent.objects.filter(pk=event.pk).update(note="edited")
    if connection.vendor == "postgresql":
        # (SQLite, the development database, refuses only updates: see the migration)
        with pytest.raises(DatabaseError), transaction.atomic():
            DocumentEvent.objects.filter(pk=event.pk).delete()
    assert DocumentEvent.objects.filter(pk=event.pk, note="").exists()


def test_the_database_allows_one_valid_document_per_type(citizen):
    PassportFactory(person=citizen.person)
    with pytest.raises(IntegrityError), transaction.atomic():
        PassportFactory(person=citizen.person)
    with pytest.raises(IntegrityError), transaction.atomic():
        PassportFactory(status="expired")


# recording from the registry --------------------------------------------------------------


def _record(person, **overrides):
    values = {
        "holder_id_number": person.id_number,
        "type": "passport",
        "number": "E12345678",
        "issued_on": "2020-03-01",
        "expires_on": "2030-02-28",
        "today": TODAY,
    }
    return document_record(**(values | overrides))


def test_record_creates_then_leaves_unchanged_then_updates():
    person = PersonFactory()
    document, outcome = _record(person)
    assert outcome == Outcome.CREATED
    assert document.issuing_authority_zh == "国家移民管理局"
    assert DocumentEvent.objects.get(document=document).kind == DocumentEvent.Kind.RECORDED
    assert _record(person)[1] == Outcome.UNCHANGED
    assert _record(person, expires_on="2030-03-01")[1] == Outcome.UPDATED
    assert Document.objects.count() == 1


def test_a_newer_document_invalidates_the_older_valid_one():
    person = PersonFactory()
    old, _ = _record(person, number="E11111111", issued_on="2012-01-01", expires_on="2022-01-01")
    new, _ = _record(person, number="EA2222222", issued_on="2023-01-01", expires_on="2033-01-01")
    old.refresh_from_db()
    assert (old.status, new.status) == (DocumentStatus.INVALIDATED, DocumentStatus.VALID)
    assert DocumentEvent.objects.filter(document=old, kind="invalidated").exists()
    # an older one recorded afterwards is stored as invalidated
    older, _ = _record(person, number="E00000009", issued_on="2005-01-01", expires_on="2015-01-01")
    assert older.status == DocumentStatus.INVALIDATED
    new.refresh_from_db()
    assert new.status == DocumentStatus.VALID


def test_a_lost_document_stays_lost_when_the_registry_says_valid():
    person = PersonFactory()
    document, _ = _record(person, status="reported_lost")
    assert document.status == DocumentStatus.REPORTED_LOST
    assert _record(person, status="valid")[1] == Outcome.UNCHANGED
    document.refresh_from_db()
    assert document.status == DocumentStatus.REPORTED_LOST


def test_the_registry_can_report_a_valid_document_lost():
    person = PersonFactory()
    document, _ = _record(person)
    assert _record(person, status="reported_lost")[1] == Outcome.UPDATED
    document.refresh_from_db()
    assert document.status == DocumentStatus.REPORTED_LOST


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"type": "visa"}, "type", "invalid_document_type"),
        ({"number": "X12345678"}, "number", "invalid_document_number"),
        ({"type": "hk_macao_pass", "number": "CO1234567"}, "number", "invalid_document_number"),
        ({"issued_on": "2020-02-30"}, "issued_on", "invalid_document_dates"),
        ({"expires_on": "soon"}, "expires_on", "invalid_document_dates"),
        (
            {"issued_on": "2027-01-01", "expires_on": "2037-01-01"},
            "issued_on",
            "invalid_document_dates",
        ),
        ({"expires_on": "2020-03-01"}, "expires_on", "invalid_document_dates"),
        ({"status": "stolen"}, "status", "invalid_document_status"),
        ({"status": "expired"}, "status", "invalid_document_status"),
        ({"holder_id_number": "11010519491231002X"}, "holder_id_number", "person_not_found"),
        ({"holder_id_number": "110105194912310021"}, "holder_id_number", "invalid_id_number"),
    ],
)
def test_record_refuses_bad_rows_naming_the_field(overrides, field, code):
    person = PersonFactory()
    with pytest.raises(Problem) as error:
        _record(person, **overrides)
    assert error.value.errors[0]["field"] == field
    assert error.value.code == code
    assert not Document.objects.exists()


def test_an_expired_status_is_stored_as_valid_and_read_from_the_date():
    person = PersonFactory()
    document, _ = _record(person, status="expired", issued_on="2010-01-01", expires_on="2020-01-01")
    assert document.status == DocumentStatus.VALID
    assert not document_usable(document, TODAY)


def test_a_number_of_another_persons_document_is_refused():
    _record(PersonFactory())
    with pytest.raises(Problem) as error:
        _record(PersonFactory())
    assert error.value.code == "document_number_of_another_person"
