"""Messages: the signed-in user's inbox (read/unread) and their channels per kind of message."""

import datetime as dt

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import ConfigDict, Field, StrictInt

from accounts.auth import citizen_auth
from core.api import Page, PageParams, ProblemOut, page_links
from guide.calendar import SHANGHAI

from . import selectors, services
from .kinds import KINDS, kind_label
from .models import Notification, NotificationPreference

router = Router(tags=["messages"], auth=citizen_auth)

MAX_ID = 2**63 - 1
ChannelsChoice = NotificationPreference.Channels


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="One of the kinds of GET me/notification-preferences.")
    kind_label: str
    subject: str
    text: str
    reference: str = Field(description='What it is about: "appointment:<number>", ...')
    created_at: dt.datetime = Field(description="Beijing time.")
    read: bool
    read_at: dt.datetime | None


class InboxPage(Page[NotificationOut]):
    unread: int = Field(description="Unread messages in the whole inbox.")


class InboxParams(PageParams):
    unread: bool = Field(False, description="Only unread messages.")


class MarkReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[StrictInt] | None = Field(
        None, max_length=100, description="The messages to mark read; all unread when left out."
    )


class MarkReadOut(Schema):
    marked: int
    unread: int


class PreferenceOut(Schema):
    kind: str
    label: str
    channels: str = Field(description='"sms", "email" or "both".')


class PreferencesOut(Schema):
    email_confirmed: bool = Field(
        description="Email can be chosen only with a confirmed email address on the account."
    )
    preferences: list[PreferenceOut]


class PreferencesIn(Schema):
    preferences: dict[str, str] = Field(
        description='Kinds to change: {"appointment_reminder": "both", ...}.',
        max_length=len(KINDS),
    )


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(SHANGHAI) if value else None


def _entry(notification: Notification) -> dict:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "kind_label": kind_label(notification.kind),
        "subject": notification.subject,
        "text": notification.text,
        "reference": notification.reference,
        "created_at": _local(notification.created_at),
        "read": notification.read_at is not None,
        "read_at": _local(notification.read_at),
    }


@router.get(
    "/me/notifications",
    response={200: InboxPage, 401: ProblemOut, 422: ProblemOut},
    url_name="my_notifications",
    summary="My messages (inbox), newest first",
)
def my_notifications(request: HttpRequest, params: Query[InboxParams]):
    """The messages sent to the signed-in account (each once, whatever its channels), with
    the number still unread."""
    entries = selectors.inbox_for(user=request.auth, unread_only=params.unread)
    count = entries.count()
    rows = entries[params.offset : params.offset + params.limit]
    return {
        **page_links(request, count=count, limit=params.limit, offset=params.offset),
        "unread": selectors.inbox_unread_count(user=request.auth),
        "results": [_entry(n) for n in rows],
    }


@router.post(
    "/me/notifications/read",
    response={200: MarkReadOut, 401: ProblemOut, 422: ProblemOut},
    url_name="my_notifications_read",
    summary="Mark messages read (all unread ones when no ids are given)",
)
def my_notifications_read(request: HttpRequest, payload: MarkReadIn):
    ids = None if payload.ids is None else [i for i in payload.ids if 0 < i <= MAX_ID]
    marked = services.notifications_mark_read(user=request.auth, ids=ids)
    return {"marked": marked, "unread": selectors.inbox_unread_count(user=request.auth)}


@router.post(
    "/me/notifications/{notification_id}/read",
    response={200: NotificationOut, 401: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    url_name="my_notification_read",
    summary="Mark one message read",
)
def my_notification_read(request: HttpRequest, notification_id: int = Path(..., ge=1, le=MAX_ID)):
    """Anyone else's message (or none) is a 404."""
    found = selectors.notification_get_for(user=request.auth, notification_id=notification_id)
    services.notifications_mark_read(user=request.auth, ids=[found.pk])
    return _entry(selectors.notification_get_for(user=request.auth, notification_id=found.pk))


def _preferences(user) -> dict:
    return {
        "email_confirmed": user.has_confirmed_email,
        "preferences": [
            {"kind": kind, "label": kind_label(kind), "channels": channels}
            for kind, channels in selectors.notification_preferences_get(user=user).items()
        ],
    }


@router.get(
    "/me/notification-preferences",
    response={200: PreferencesOut, 401: ProblemOut},
    url_name="my_notification_preferences",
    summary="How each kind of message reaches me: text message, email or both",
)
def my_notification_preferences(request: HttpRequest):
    return _preferences(request.auth)


@router.put(
    "/me/notification-preferences",
    response={200: PreferencesOut, 401: ProblemOut, 422: ProblemOut},
    url_name="my_notification_preferences_set",
    summary="Choose how kinds of message reach me",
)
def my_notification_preferences_set(request: HttpRequest, payload: PreferencesIn):
    """Kinds left out keep their channels. Email (or both) needs a confirmed email address:
    422 `email_not_confirmed` otherwise; an unknown kind or channel is 422
    `notification_preference_invalid`, with the kind as the field."""
    services.notification_preferences_set(user=request.auth, channels=payload.preferences)
    return _preferences(request.auth)
