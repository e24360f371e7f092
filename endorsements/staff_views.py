"""The authority's endorsement pages (/staff/endorsements/): the review queue with the failed
checks, one endorsement (access-logged) with approve / reject / pay / print, the hall's look-up
of a pass, the label PDF, and the supervisors' exit restrictions. Every action goes through
endorsements.services, as the staff API's."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import today_shanghai
from core.errors import Problem
from core.http import client_address
from persons.models import Person
from staff.models import AccessAction, AccessLog
from staff.permissions import Permission
from staff.views import _render, staff_page

from . import selectors, services
from .checks import check_message
from .label import label_pdf, label_response
from .models import EndorsementStatus, ExitRestriction, PaymentMethod, RejectionReason
from .workflow import ENDORSEMENTS

work = staff_page()


def _scoped(request: HttpRequest, number: str):
    try:
        return selectors.endorsement_for_staff(staff=request.user, number=number)
    except Problem as problem:
        if problem.status == 403:
            raise PermissionDenied from problem
        raise Http404(problem.detail) from problem


@work
def queue(request: HttpRequest) -> HttpResponse:
    """Endorsements under review at the halls (and kiosks of the regions) in scope."""
    try:
        rows = list(selectors.review_queue(staff=request.user)[:200])
    except Problem as problem:
        raise PermissionDenied from problem
    return _render(
        request,
        "endorsements/staff/queue.html",
        {"rows": [(e, [check_message(c) for c in e.failed_checks]) for e in rows]},
    )


def _detail(request: HttpRequest, endorsement, *, error: str = "", status: int = 200):
    restriction = selectors.restriction_active(person_id=endorsement.person_id)
    return _render(
        request,
        "endorsements/staff/detail.html",
        {
            "e": endorsement,
            "view": selectors.endorsement_view(endorsement),
            "checks": [(c, check_message(c)) for c in endorsement.failed_checks],
            "restriction": restriction,
            "actions": {a.name for a in ENDORSEMENTS.available_actions(endorsement, request.user)},
            "reasons": RejectionReason.choices,
            "methods": PaymentMethod.choices,
            "steps": selectors.endorsement_events(endorsement=endorsement),
            "error": error,
        },
        status=status,
    )


@work
def detail(request: HttpRequest, number: str) -> HttpResponse:
    endorsement = _scoped(request, number)
    AccessLog.objects.create(
        staff=request.user,
        person_id=endorsement.person_id,
        action=AccessAction.VIEW_APPLICATION,
        reason=f"endorsement {endorsement.number}",
        client_address=client_address(request),
    )
    return _detail(request, endorsement)


@work
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Approve, reject, pay or print; a refusal shows on the endorsement's page."""
    endorsement = _scoped(request, number)
    post, staff = request.POST, request.user
    try:
        if action == "approve":
            services.endorsement_approve(
                staff=staff, endorsement=endorsement, note=post.get("note", "")
            )
        elif action == "reject":
            services.endorsement_reject(
                staff=staff,
                endorsement=endorsement,
                reason_code=post.get("reason_code", ""),
                reason=post.get("reason", ""),
            )
        elif action == "pay":
            services.endorsement_pay(
                actor=staff,
                endorsement=endorsement,
                method=post.get("method", ""),
                receipt_number=post.get("receipt_number", ""),
            )
        elif action == "print":
            services.endorsement_print(actor=staff, endorsement=endorsement)
        else:
            raise Http404(_("There is no such action."))
    except Problem as problem:
        endorsement.refresh_from_db()
        return _detail(request, endorsement, error=problem.detail, status=problem.status)
    messages.success(request, _("Done."))
    return redirect("staff:endorsements:detail", endorsement.number)


@work
def label(request: HttpRequest, number: str) -> HttpResponse:
    """The print-ready label of an active endorsement."""
    endorsement = _scoped(request, number)
    if endorsement.status != EndorsementStatus.ACTIVE:
        raise Http404(_("There is no such endorsement."))
    try:
        return label_response(label_pdf(endorsement), endorsement)
    except Problem as problem:
        return _detail(request, endorsement, error=problem.detail, status=problem.status)


@work
def on_pass(request: HttpRequest) -> HttpResponse:
    """At the hall: look up a pass and see its endorsements waiting for payment and printing."""
    number = request.GET.get("number", "").strip()[:9]
    document, rows, error = None, [], ""
    if number:
        try:
            document, rows = selectors.waiting_on_pass(staff=request.user, pass_number=number)
        except Problem as problem:
            raise PermissionDenied from problem
        if document is None:
            error = _("There is no such pass.")
        else:
            AccessLog.objects.create(
                staff=request.user,
                person_id=document.person_id,
                action=AccessAction.VIEW_APPLICATION,
                reason="endorsements on a pass at the hall",
                client_address=client_address(request),
            )
    return _render(
        request,
        "endorsements/staff/on_pass.html",
        {"number": number, "document": document, "rows": rows, "error": error},
        status=404 if error else 200,
    )


# --- exit restrictions (supervisors) ----------------------------------------------------------

decide = staff_page(Permission.APPLICATION_DECIDE)


def _restrictions_page(request, person, *, error="", status=200):
    return _render(
        request,
        "endorsements/staff/restrictions.html",
        {
            "person": person,
            "id_number": person.id_number if person else request.GET.get("id_number", "")[:18],
            "restrictions": selectors.restrictions_of(person_id=person.pk) if person else [],
            "today": today_shanghai(),
            "error": error,
        },
        status=status,
    )


def _person(id_number: str) -> Person | None:
    return Person.objects.filter(id_number=(id_number or "").strip().upper()[:18]).first()


@decide
def restrictions(request: HttpRequest) -> HttpResponse:
    """A person's exit restrictions by ID number (access-logged), with the form to place one."""
    id_number = request.GET.get("id_number", "")
    person = _person(id_number) if id_number else None
    wanted = request.GET.get("person", "")
    if not id_number and wanted.isdigit() and len(wanted) < 19:
        person = Person.objects.filter(pk=int(wanted)).first()
    if id_number and person is None:
        return _restrictions_page(
            request,
            None,
            error=_("Nobody in the registry has this ID number. Check it and try again."),
            status=404,
        )
    if person is not None:
        AccessLog.objects.create(
            staff=request.user,
            person=person,
            action=AccessAction.LOOKUP,
            reason="exit restrictions",
            client_address=client_address(request),
        )
    return _restrictions_page(request, person)


@decide
@require_POST
def restriction_place(request: HttpRequest) -> HttpResponse:
    person = _person(request.POST.get("id_number", ""))
    if person is None:
        raise Http404(_("There is no such person."))
    try:
        ends_on = dt.date.fromisoformat(request.POST.get("ends_on", ""))
    except ValueError:
        ends_on = dt.date.min
    try:
        services.restriction_place(
            staff=request.user,
            person=person,
            legal_basis=request.POST.get("legal_basis", ""),
            ends_on=ends_on,
            note=request.POST.get("note", ""),
            client_address=client_address(request),
        )
    except Problem as problem:
        return _restrictions_page(request, person, error=problem.detail, status=problem.status)
    messages.success(request, _("The exit restriction is in force."))
    return redirect(f"{reverse('staff:endorsements:restrictions')}?person={person.pk}")


@decide
@require_POST
def restriction_lift(request: HttpRequest, pk: int) -> HttpResponse:
    restriction = ExitRestriction.objects.select_related("person").filter(pk=pk).first()
    if restriction is None:
        raise Http404(_("There is no such restriction."))
    try:
        services.restriction_lift(
            staff=request.user,
            restriction=restriction,
            reason=request.POST.get("reason", ""),
            client_address=client_address(request),
        )
    except Problem as problem:
        return _restrictions_page(
            request, restriction.person, error=problem.detail, status=problem.status
        )
    messages.success(request, _("The exit restriction was lifted."))
    return redirect(f"{reverse('staff:endorsements:restrictions')}?person={restriction.person_id}")
