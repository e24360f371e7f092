"""A hypothesis state machine over the application's workflow: any actor tries any action in
any order; only the transitions of the table ever happen, refusals change nothing, and the
history is append-only (each step starts where the previous one ended)."""

import pytest
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from applications import services
from applications.models import Application
from applications.tests.conftest import accept, staff_member
from applications.workflow import APPLICATIONS, TABLE
from core.errors import Problem
from documents.tests.factories import CitizenFactory, PassportFactory
from staff.models import Role

pytestmark = pytest.mark.django_db
ACTIONS = sorted({a.name for actions in TABLE.values() for a in actions})
WHO = ["citizen", "reviewer", "officer", "supervisor", "stranger"]


def _call(action: str, application: Application, actor, citizen, reviewer) -> None:
    number = application.number
    staff = {
        "start_review": lambda: services.application_start_review(staff=actor, number=number),
        "approve": lambda: services.application_approve(staff=actor, number=number),
        "reject": lambda: services.application_reject(
            staff=actor, number=number, reason_code="materials", text="A material is missing."
        ),
        "send_to_production": lambda: _bulk(actor, number),
        "produce": lambda: services.application_produce(staff=actor, number=number),
        "ready": lambda: services.application_ready(staff=actor, number=number),
        "mail": lambda: services.application_mail(
            staff=actor, number=number, carrier="EMS", tracking_number="EA123456789CN"
        ),
        "deliver": lambda: services.application_deliver(staff=actor, number=number),
        "hand_over": lambda: services.application_hand_over(
            staff=actor,
            number=number,
            id_number=application.person.id_number,
            old_document_number=_old_number(application),
        ),
        "reassign": lambda: services.application_reassign(
            staff=actor, number=number, assignee=reviewer
        ),
        "withdraw": lambda: services.application_withdraw(user=actor, number=number),
        "change_delivery": lambda: services.application_delivery_change(
            user=actor,
            number=number,
            delivery="collect" if application.delivery == "mail" else "mail",
            address="北京市东城区1号",
        ),
    }
    staff[action]()


def _bulk(actor, number: str) -> None:
    result = services.applications_send_to_production(staff=actor, numbers=[number])[0]
    if not result.done:
        raise Problem(status=409, code=result.code, detail=result.detail)


def _old_number(application: Application) -> str:
    old = services._old_document(application)
    return old.number if old else ""


def test_only_allowed_transitions_ever_happen(hall, officer, reviewer, supervisor):
    stranger = staff_member(Role.REVIEWER, "stranger")  # no hall in scope
    reached: set[str] = set()

    class Workflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.citizen = CitizenFactory()
            PassportFactory(person=self.citizen.person)
            self.actors = {
                "citizen": self.citizen,
                "reviewer": reviewer,
                "officer": officer,
                "supervisor": supervisor,
                "stranger": stranger,
            }
            self.application = accept(
                self.citizen.person, hall=hall, officer=officer, booked_by=self.citizen
            )
            self.seen = self._history()

        def _history(self) -> list[tuple]:
            return list(
                self.application.events.order_by("at", "id").values_list(
                    "id", "action", "from_status", "status", "actor_id", "note"
                )
            )

        @rule(action=st.sampled_from(ACTIONS), who=st.sampled_from(WHO))
        def act(self, action, who):
            actor = self.actors[who]
            fresh = Application.objects.select_related("person").get(pk=self.application.pk)
            before, count = fresh.status, len(self._history())
            step = APPLICATIONS.action_named(before, action)
            may = step is not None and step.who(fresh, actor) and who != "stranger"
            try:
                with transaction.atomic():
                    _call(action, fresh, actor, self.citizen, reviewer)
                done = True
            except Problem:
                done = False
            after = Application.objects.get(pk=fresh.pk).status
            reached.add(after)
            added = len(self._history()) - count
            if done and added:
                assert may, (before, action, who)
                assert added == 1 and after == step.target(before)
            else:  # refused, or a double submission: nothing changed
                assert (added, after) == (0, before), (before, action, who, done)

        @rule(data=st.data())
        def advance(self, data):
            """Go forward: an action someone may take now that moves the application on (the
            other rule tries everything else, endings included)."""
            fresh = Application.objects.get(pk=self.application.pk)
            possible = [
                (step.name, who)
                for who in WHO[:-1]
                for step in APPLICATIONS.available_actions(fresh, self.actors[who])
                if step.to is not None and step.name not in ("withdraw", "reject")
            ]
            if possible:
                self.act(*data.draw(st.sampled_from(possible)))

        @invariant()
        def history_is_append_only_and_follows_the_table(self):
            history = self._history()
            assert history[: len(self.seen)] == self.seen  # nothing changed or removed
            self.seen = history
            for (_i, action, origin, to, _a, _n), previous in zip(
                history[1:], history, strict=False
            ):
                assert origin == previous[3]
                step = APPLICATIONS.action_named(origin, action)
                assert step is not None and step.target(origin) == to
            assert history[-1][3] == Application.objects.get(pk=self.application.pk).status

    run_state_machine_as_test(
        Workflow, settings=settings(max_examples=12, stateful_step_count=15, deadline=None)
    )
    # the machine went deep into the workflow, not only round the first steps
    assert {"approved", "in_production", "produced"} <= reached, reached
