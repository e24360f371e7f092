import pytest
from django.test import Client

from documents.tests.factories import CitizenFactory
from documents.tests.test_api import bearer, problem
from notifications import services
from notifications.kinds import KINDS
from notifications.models import Notification, NotificationPreference

from .factories import ConfirmedEmailCitizenFactory

pytestmark = pytest.mark.django_db
INBOX = "/api/v1/me/notifications"
PREFERENCES = "/api/v1/me/notification-preferences"


def queue(user, n: int = 1, kind: str = "appointment_booked"):
    return [
        services.notification_queue(user=user, kind=kind, subject=f"S{i}", text=f"T{i}")
        for i in range(n)
    ]


def test_the_inbox_is_paginated_newest_first_with_the_unread_count(client):
    # given 3 messages to me (one sent by two channels) and 1 to someone else
    me = ConfirmedEmailCitizenFactory()
    NotificationPreference.objects.create(user=me, kind="seat_available", channels="both")
    first, second = queue(me, 2)
    third = services.notification_queue(user=me, kind="seat_available", subject="S", text="T")
    queue(CitizenFactory())
    # when
    page = client.get(INBOX, {"limit": 2}, headers={**bearer(me), "accept-language": "en"})
    # then
    assert page.status_code == 200
    body = page.json()
    assert (body["count"], body["unread"]) == (3, 3)
    assert [r["id"] for r in body["results"]] == [third.pk, second.pk]
    assert body["results"][0]["kind_label"] == "A watched time has a free seat"
    assert body["results"][0]["created_at"].endswith("+08:00")
    assert body["next"] and body["previous"] is None
    rest = client.get(body["next"], headers=bearer(me)).json()
    assert [r["id"] for r in rest["results"]] == [first.pk]


def test_marking_read_one_then_all(client):
    me = CitizenFactory()
    one, two, three = queue(me, 3)
    headers = bearer(me)
    # when one is marked read
    answer = client.post(f"{INBOX}/{one.pk}/read", headers=headers)
    assert answer.status_code == 200 and answer.json()["read"] is True
    # then the unread filter and the count agree
    unread = client.get(INBOX, {"unread": "true"}, headers=headers).json()
    assert unread["unread"] == 2 and {r["id"] for r in unread["results"]} == {two.pk, three.pk}
    # when all are marked read
    answer = client.post(f"{INBOX}/read", data={}, content_type="application/json", headers=headers)
    assert answer.json() == {"marked": 2, "unread": 0}


def test_someone_elses_message_is_not_found(client):
    mine, theirs = queue(CitizenFactory())[0], queue(CitizenFactory())[0]
    headers = bearer(mine.user)
    problem(client.post(f"{INBOX}/{theirs.pk}/read", headers=headers), 404, "not_found")
    # an id beyond any database id is refused as invalid, like every bounded id of the API
    problem(client.post(f"{INBOX}/{2**70}/read", headers=headers), 422)
    problem(client.post(f"{INBOX}/-1/read", headers=headers), 422)
    # and marking by ids leaves their message alone
    answer = client.post(
        f"{INBOX}/read", {"ids": [theirs.pk]}, content_type="application/json", headers=headers
    )
    assert answer.json()["marked"] == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize("body", ["[null, null]", "[]", '"all"', "7", '{"ids": [1], "all": true}'])
def test_marking_read_with_a_body_that_is_not_the_schema_marks_nothing(client, body):
    # given two unread messages
    me = CitizenFactory()
    queue(me, 2)
    # when the body is not an object with only `ids`
    answer = client.post(
        f"{INBOX}/read", data=body, content_type="application/json", headers=bearer(me)
    )
    # then it is refused, and nothing was marked read
    assert answer.status_code in (400, 422)
    assert answer["Content-Type"].startswith("application/problem+json")
    assert Notification.objects.filter(user=me, read_at__isnull=True).count() == 2


def test_the_inbox_needs_a_signed_in_account():
    problem(Client().get(INBOX), 401)
    problem(Client().get(PREFERENCES), 401)


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"unread": "maybe"}]
)
def test_bad_paging_is_a_422(client, query):
    problem(client.get(INBOX, query, headers=bearer(CitizenFactory())), 422)


def test_preferences_are_read_and_changed(client):
    # given
    me = ConfirmedEmailCitizenFactory()
    headers = bearer(me)
    # when
    before = client.get(PREFERENCES, headers=headers).json()
    changed = client.put(
        PREFERENCES,
        {"preferences": {"appointment_reminder": "both"}},
        content_type="application/json",
        headers=headers,
    )
    # then
    assert before["email_confirmed"] is True
    assert [p["kind"] for p in before["preferences"]] == list(KINDS)
    assert {p["channels"] for p in before["preferences"]} == {"sms"}
    assert changed.status_code == 200
    chosen = {p["kind"]: p["channels"] for p in changed.json()["preferences"]}
    assert chosen["appointment_reminder"] == "both" and chosen["appointment_booked"] == "sms"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"preferences": {"appointment_reminder": "email"}}, "email_not_confirmed"),
        ({"preferences": {"nope": "sms"}}, "notification_preference_invalid"),
        ({"preferences": {"appointment_reminder": "pigeon"}}, "notification_preference_invalid"),
        ({"preferences": "sms"}, None),
        ({}, None),
    ],
)
def test_bad_preferences_are_a_422(client, body, code):
    me = CitizenFactory()
    answer = client.put(PREFERENCES, body, content_type="application/json", headers=bearer(me))
    problem(answer, 422, code)
    assert not NotificationPreference.objects.exists()


def test_the_inbox_reads_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    # given a signed-in citizen with many messages
    me = CitizenFactory()
    client.force_login(me)
    queue(me, 30)
    client.get(INBOX)  # the session and the user, once
    # when / then: session, user, count, page, unread count, whatever the number of messages
    with django_assert_max_num_queries(5):
        assert len(client.get(INBOX).json()["results"]) == 20
