"""The authority's pages of applications (/staff/applications/): the queue with its filters and
production in bulk, one application (access-logged) with the actions the staff member may take
now, and the supervisors' page (each officer's queue, what is late).

Only staff signed in with their second factor whose role works on applications; an application
at a hall outside the staff member's scope is a 404, as if it did not exist. Every action goes
through applications.services, as the staff API's.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import today_shanghai
from core.errors import Problem
from core.http import client_address
from documents.models import DocumentType
from staff.permissions import Permission
from staff.selectors import staff_can, staff_halls_in_scope
from staff.views import _render, staff_page

from . import deadlines, selectors, services
from .models import ApplicationStatus, RejectionReason

work = staff_page()


def _require_work(request: HttpRequest) -> None:
    if not any(staff_can(request.user, p) for p in selectors.WORK):
        raise PermissionDenied


def _filters(request: HttpRequest) -> selectors.QueueFilters:
    get = request.GET
    due_by = None
    try:
        due_by = dt.date.fromisoformat(get.get("due_by", "")) if get.get("due_by") else None
    except ValueError:
        due_by = None
    return selectors.QueueFilters(
        hall=get.get("hall", "")[:20],
        document_type=get.get("document_type", "")
        if get.get("document_type") in DocumentType.values
        else "",
        age=get.get("age", "") if get.get("age") in ("under_16", "16_or_over") else "",
        due_by=due_by,
        overdue=get.get("overdue") == "1",
        status=get.get("status", "") if get.get("status") in selectors.OPEN else "",
        assigned=get.get("assigned", "")[:150],
    )


@work
def queue(request: HttpRequest) -> HttpResponse:
    """Applications still to be worked on at the halls in scope, the most urgent first."""
    _require_work(request)
    filters = _filters(request)
    today = today_shanghai()
    found = selectors.applications_queue(staff=request.user, filters=filters, today=today)
    rows = [
        {
            "application": a,
            "overdue": selectors.is_overdue(a, today),
            "can_produce": any(
                x.name == "send_to_production"
                for x in selectors.application_actions_for(a, request.user)
            ),
        }
        for a in found[:200]
    ]
    services.applications_queue_shown(
        staff=request.user,
        applications=[row["application"] for row in rows],
        client_address=client_address(request),
    )
    return _render(
        request,
        "applications/staff/queue.html",
        {
            "rows": rows,
            "count": found.count(),
            "filters": filters,
            "halls": list(staff_halls_in_scope(request.user)),
            "document_types": DocumentType.choices,
            "statuses": [(s, ApplicationStatus(s).label) for s in selectors.OPEN],
            "may_produce": staff_can(request.user, Permission.APPLICATION_PRODUCE),
            "supervisor": staff_can(request.user, Permission.APPLICATION_DECIDE),
        },
    )


@work
@require_POST
def production(request: HttpRequest) -> HttpResponse:
    """Send the approved applications ticked on the queue to production."""
    _require_work(request)
    numbers = request.POST.getlist("number")[:200]
    if not numbers:
        messages.error(request, _("Tick the applications to send to production."))
        return redirect("staff:applications:queue")
    results = services.applications_send_to_production(staff=request.user, numbers=numbers)
    done = [r.number for r in results if r.done]
    if done:
        messages.success(
            request, _("Sent to production: %(numbers)s.") % {"numbers": ", ".join(done)}
        )
    for result in results:
        if not result.done:
            messages.error(request, f"{result.number}: {result.detail}")
    return redirect("staff:applications:queue")


# Actions that need nothing but a click (the others have their own form on the page).
_BUTTONS = ("start_review", "approve", "send_to_production", "produce", "ready", "deliver")


def _detail(request: HttpRequest, application, *, error: str = "", status: int = 200):
    actions = selectors.application_actions_for(application, request.user)
    today = today_shanghai()
    overdue = selectors.is_overdue(application, today)
    return _render(
        request,
        "applications/staff/detail.html",
        {
            "application": application,
            "actions": {a.name: a for a in actions},
            "buttons": [(a.name, a.label) for a in actions if a.name in _BUTTONS],
            "timeline": application.events.select_related("actor").order_by("at", "id"),
            "overdue": overdue,
            "late": deadlines.working_days_late(application.due_on, today) if overdue else 0,
            "reasons": RejectionReason.choices,
            "error": error,
        },
        status=status,
    )


@work
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """One application: the person (masked), the timeline with who did what, and the actions."""
    _require_work(request)
    try:
        application = services.application_open_for_staff(
            staff=request.user, number=number, client_address=client_address(request)
        )
    except Problem as problem:
        raise Http404(problem.detail) from problem
    return _detail(request, application)


def _act(request: HttpRequest, action: str, number: str) -> None:
    post, staff = request.POST, request.user
    if action == "start_review":
        services.application_start_review(staff=staff, number=number)
    elif action == "approve":
        services.application_approve(staff=staff, number=number, note=post.get("note", ""))
    elif action == "reject":
        services.application_reject(
            staff=staff,
            number=number,
            reason_code=post.get("reason_code", ""),
            text=post.get("text", ""),
        )
    elif action == "send_to_production":
        results = services.applications_send_to_production(staff=staff, numbers=[number])
        if not results[0].done:
            raise Problem(status=409, code=results[0].code, detail=results[0].detail)
    elif action == "produce":
        services.application_produce(staff=staff, number=number)
    elif action == "ready":
        services.application_ready(staff=staff, number=number)
    elif action == "mail":
        services.application_mail(
            staff=staff,
            number=number,
            carrier=post.get("carrier", ""),
            tracking_number=post.get("tracking_number", ""),
        )
    elif action == "deliver":
        services.application_deliver(staff=staff, number=number)
    elif action == "hand_over":
        services.application_hand_over(
            staff=staff,
            number=number,
            id_number=post.get("id_number", ""),
            old_document_number=post.get("old_document_number", ""),
            client_address=client_address(request),
        )
    elif action == "reassign":
        assignee = get_user_model().objects.filter(username=post.get("assignee", "")[:150]).first()
        services.application_reassign(staff=staff, number=number, assignee=assignee)
    else:
        raise Http404(_("There is no such action."))


ACTIONS = (
    "start_review",
    "approve",
    "reject",
    "send_to_production",
    "produce",
    "ready",
    "mail",
    "deliver",
    "hand_over",
    "reassign",
)


@work
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Take one action of the workflow; a refusal shows on the application's page."""
    _require_work(request)
    if action not in ACTIONS:
        raise Http404(_("There is no such action."))
    try:
        _act(request, action, number)
    except Problem as problem:
        if problem.status == 404:
            raise Http404(problem.detail) from problem
        application = selectors.application_for_staff(staff=request.user, number=number)
        return _detail(request, application, error=problem.detail, status=problem.status)
    messages.success(request, _("Done."))
    return redirect("staff:applications:detail", number)


@work
def supervision(request: HttpRequest) -> HttpResponse:
    """Supervisors: each officer's open applications and what is late."""
    if not staff_can(request.user, Permission.APPLICATION_DECIDE):
        raise PermissionDenied
    today = today_shanghai()
    late = selectors.applications_queue(
        staff=request.user, filters=selectors.QueueFilters(overdue=True), today=today
    )
    return _render(
        request,
        "applications/staff/supervision.html",
        {
            "loads": selectors.officers_load(staff=request.user, today=today),
            "late": [(a, deadlines.working_days_late(a.due_on, today)) for a in late[:200]],
        },
    )
