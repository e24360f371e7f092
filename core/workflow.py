"""One workflow mechanism for every record that has a status (appointments, applications,
documents; later endorsements).

A workflow is data: a TextChoices status, one table of the actions each status allows (who may
take each, the new status, whether a reason is required, which message it sends), and one
function, `Workflow.apply`, that applies an action. Nothing else assigns a status.

`apply` runs inside the caller's transaction and refuses to run outside one; it locks the row
(SELECT ... FOR UPDATE), checks the action against the current status and the actor, writes the
status with `update_fields`, appends the event (who, when, from, to, action, reason, note) and
queues the action's message, all in that transaction: either everything happens or nothing.

`apply_many` does the same for many records in a few statements (for system actions that send
no message, e.g. the endorsements a batch of border crossings used up).
`available_actions(obj, actor)` reads the same table, so a page, the API or the back-office
never offers an action that `apply` would refuse. A refused action raises
`core.errors.ActionNotAllowed` (409, listing the allowed actions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .errors import ActionNotAllowed, OutsideTransaction, ReasonRequired

Who = Callable[[Any, Any], bool]


def anyone(obj: Any, actor: Any) -> bool:
    """Any actor, including the system (no actor)."""
    return True


def system(obj: Any, actor: Any) -> bool:
    """Only the system: periodic tasks and services acting on their own (no actor)."""
    return actor is None


@dataclass(frozen=True)
class Action:
    """One action of a workflow: its name, who may take it, the status it leads to (None: the
    status stays, e.g. a reassignment), whether a reason is required and the kind of message it
    sends to the person concerned (None: no message)."""

    name: str
    to: str | None
    who: Who = anyone
    reason_required: bool = False
    message: str | None = None
    label: Any = ""

    def target(self, current: str) -> str:
        return current if self.to is None else self.to


@dataclass(frozen=True)
class Step:
    """What `apply` hands to the workflow's event writer and message maker."""

    obj: Any
    action: Action
    from_status: str
    to_status: str
    actor: Any
    reason: str
    note: str
    data: dict[str, Any]
    at: dt.datetime

    def event_fields(self) -> dict[str, Any]:
        """The columns every event table of the form (action, from_status, status, actor,
        reason code, note, data, at) takes from a step: the reason code comes from
        `data["reason_code"]` (at most 32 characters), the note is the reason or the note."""
        return {
            "action": self.action.name,
            "from_status": self.from_status,
            "status": self.to_status,
            "actor": self.actor,
            "reason": str(self.data.get("reason_code", ""))[:32],
            "note": (self.reason or self.note)[:500],
            "data": {k: v for k, v in self.data.items() if k != "reason_code"},
            "at": self.at,
        }


@dataclass
class Workflow:
    """A status workflow over one model. See the module's docstring.

    - `table`: status -> the actions it allows, in the order pages offer them;
    - `event`: builds the (unsaved) event row of a Step; `apply` saves it;
    - `notify`: queues the message of a Step whose action names one (inside the transaction);
    - `subject`: how refusals name the record ("application"), lazily translated.
    """

    name: str
    model: type[models.Model]
    table: Mapping[str, tuple[Action, ...]]
    event: Callable[[Step], models.Model]
    subject: Callable[[], str]
    notify: Callable[[Step], None] | None = None
    # The stable code of a refusal (409), e.g. application_transition_not_allowed.
    refused_code: str = "action_not_allowed"
    status_field: str = "status"
    stamp_fields: tuple[str, ...] = ()
    labels: Callable[[str], str] = field(default=lambda status: status)

    def actions_from(self, status: str) -> tuple[Action, ...]:
        return tuple(self.table.get(status, ()))

    def action_named(self, status: str, name: str) -> Action | None:
        return next((a for a in self.actions_from(status) if a.name == name), None)

    def statuses_after(self, status: str) -> frozenset[str]:
        """Every status an action from `status` can lead to (the transition table)."""
        return frozenset(a.target(status) for a in self.actions_from(status))

    def available_actions(self, obj: Any, actor: Any) -> list[Action]:
        """The actions `actor` may take on `obj` now; what pages and the API offer."""
        status = getattr(obj, self.status_field)
        return [a for a in self.actions_from(status) if a.who(obj, actor)]

    def refusal(self, obj: Any, actor: Any, name: str) -> ActionNotAllowed:
        status = getattr(obj, self.status_field)
        return ActionNotAllowed(
            subject=str(self.subject()),
            status_label=str(self.labels(status)).lower(),
            action=name,
            allowed=[a.name for a in self.available_actions(obj, actor)],
            code=self.refused_code,
        )

    def apply(
        self,
        obj: Any,
        name: str,
        *,
        actor: Any = None,
        reason: str = "",
        note: str = "",
        data: dict[str, Any] | None = None,
        changes: dict[str, Any] | None = None,
        at: dt.datetime | None = None,
        before: Callable[[Any], list[models.Model]] | None = None,
        write: Callable[[Any, list[models.Model], Step], None] | None = None,
    ) -> models.Model:
        """Apply the action `name` to `obj` for `actor` and return the event appended.

        Inside the caller's transaction only. `changes` are other fields the action sets on
        the record (written with the status, in the same UPDATE). `obj` is updated in place.

        A record not yet saved is checked from the status it starts in and inserted with the
        status the action leads to: what applying the action right after its insert does, in
        fewer statements (no lock on a row no one else can see, one INSERT instead of INSERT
        and UPDATE). `before(obj)` gives the unsaved events that come ahead of the action's in
        its timeline (e.g. its creation): they and the action's event are inserted together,
        in that order. `write(obj, events, step)`, if given, writes the record, those events
        and the step's message itself, in one statement (core.rawsql.RawGuardedInsert), which
        is atomic by itself: then no transaction is required and `notify` is not called.
        Both only for a new record.
        """
        new = obj._state.adding
        if (before is not None or write is not None) and not new:
            raise ValueError(f"{self.name}: apply '{name}' with before/write: a new record only")
        if write is None and not transaction.get_connection().in_atomic_block:
            raise OutsideTransaction(f"{self.name}: apply '{name}' inside transaction.atomic()")
        if new:
            current = getattr(obj, self.status_field)
        else:
            current = (
                self.model._default_manager.select_for_update(of=("self",))
                .filter(pk=obj.pk)
                .values_list(self.status_field, flat=True)
                .get()
            )
            setattr(obj, self.status_field, current)
        action = self.action_named(current, name)
        if action is None or not action.who(obj, actor):
            raise self.refusal(obj, actor, name)
        if action.reason_required and not (reason or "").strip():
            raise ReasonRequired()
        at = at or timezone.now()
        after = action.target(current)
        setattr(obj, self.status_field, after)
        fields = [self.status_field]
        for attribute, value in (changes or {}).items():
            setattr(obj, attribute, value)
            fields.append(attribute)
        fields += [f for f in self.stamp_fields if f not in fields]
        step = Step(
            obj=obj,
            action=action,
            from_status=current,
            to_status=after,
            actor=actor,
            reason=(reason or "").strip(),
            note=(note or "").strip(),
            data=data or {},
            at=at,
        )
        event = self.event(step)
        if new:
            events = [*(before(obj) if before is not None else []), event]
            if write is not None:
                write(obj, events, step)
                return event
            obj.save(force_insert=True)
            type(event)._default_manager.bulk_create(events)
        else:  # auto_now stamps (updated_at) are listed in stamp_fields
            obj.save(update_fields=fields)
            event.save()
        if action.message and self.notify is not None:
            self.notify(step)
        return event

    def apply_many(
        self,
        pks: Iterable[Any],
        name: str,
        *,
        actor: Any = None,
        changes: Mapping[Any, dict[str, Any]] | None = None,
        at: Mapping[Any, dt.datetime] | None = None,
    ) -> list[models.Model]:
        """`apply` of the action `name` to many saved records at once, in a few statements
        whatever their number: the rows locked (SELECT ... FOR UPDATE, in key order), each
        checked against the table as `apply` checks it (one refusal refuses them all), their
        statuses, `changes[pk]` and stamps written with one UPDATE per set of values that
        records share (one when they all end alike), their events appended in one INSERT.
        `at[pk]` is each one's time (default now). For actions that send no message and need
        no reason (system actions such as an endorsement's last trip): others go through
        `apply`. Returns the events, in key order.
        """
        if not transaction.get_connection().in_atomic_block:
            raise OutsideTransaction(f"{self.name}: apply '{name}' inside transaction.atomic()")
        objs = list(
            self.model._default_manager.select_for_update(of=("self",))
            .filter(pk__in=list(pks))
            .order_by("pk")
        )
        now = timezone.now()
        stamps = [f for f in self.model._meta.concrete_fields if f.name in self.stamp_fields]
        fields: list[str] = [self.status_field]
        events = []
        for obj in objs:
            current = getattr(obj, self.status_field)
            action = self.action_named(current, name)
            if action is None or not action.who(obj, actor):
                raise self.refusal(obj, actor, name)
            if action.reason_required or (action.message and self.notify is not None):
                raise ValueError(f"{self.name}: '{name}' needs a reason or a message: apply()")
            after = action.target(current)
            setattr(obj, self.status_field, after)
            for attribute, value in ((changes or {}).get(obj.pk) or {}).items():
                setattr(obj, attribute, value)
                if attribute not in fields:
                    fields.append(attribute)
            for stamp in stamps:  # what save() does for auto_now fields, one moment for all
                if getattr(stamp, "auto_now", False):
                    setattr(obj, stamp.attname, now)
            step = Step(
                obj=obj,
                action=action,
                from_status=current,
                to_status=after,
                actor=actor,
                reason="",
                note="",
                data={},
                at=(at or {}).get(obj.pk) or now,
            )
            events.append(self.event(step))
        if objs:
            fields += [f for f in self.stamp_fields if f not in fields]
            # One UPDATE per set of values (records that end alike: usually one), cheaper to
            # build than bulk_update's CASE per record and field.
            alike: dict[tuple[Any, ...], list[Any]] = {}
            for obj in objs:
                values = tuple(getattr(obj, f) for f in fields)
                alike.setdefault(values, []).append(obj.pk)
            manager = self.model._default_manager
            for values, group in alike.items():
                manager.filter(pk__in=group).update(**dict(zip(fields, values, strict=True)))
            type(events[0])._default_manager.bulk_create(events)
        return events

    def check_table(self, statuses: Iterable[str]) -> None:
        """Raise if the table names a status that is not one of `statuses` (used by tests)."""
        known = set(statuses)
        for status, actions in self.table.items():
            assert status in known, f"{self.name}: unknown status {status}"
            for action in actions:
                assert action.to is None or action.to in known, f"{self.name}: {action.name}"
