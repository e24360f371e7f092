"""Pages of the hall reception (/staff/reception/): today's list with check-in, walk-ins, one
applicant's visit with its steps, the decision, and the photo (access-logged).

Only staff signed in with their second factor whose role allows hall service (staff_page); an
appointment at a hall outside the officer's scope is a 404, as if it did not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from appointments.applying import REPLACEMENT_REASONS, endorsement_label
from appointments.models import Appointment, AppointmentStatus
from core.errors import Problem
from core.http import client_address
from core.masking import mask_id_number
from guide.models import Hall
from staff import grants
from staff import services as staff_services
from staff.permissions import Permission
from staff.views import _add_problem, _render, staff_page

from . import selectors, services
from .forms import (
    CheckInForm,
    FeeForm,
    FingerprintsForm,
    MaterialsForm,
    NotAcceptedForm,
    PhotoForm,
    WalkInForm,
    WalkInLookupForm,
)
from .models import Reception

hall_service = staff_page(Permission.HALL_SERVICE)


def _raise_for_page(problem: Problem) -> None:
    """A problem that is not the form's to show: 403 or 404 pages."""
    if problem.status == 403:
        raise PermissionDenied from problem
    if problem.status == 404:
        raise Http404(problem.detail) from problem


def _page_for(problem: Problem) -> Exception:
    """Where there is no form to show it on: 403, else 404."""
    if problem.status == 403:
        return PermissionDenied()
    return Http404(problem.detail)


def _chosen_hall(halls: list[Hall], code: str | None) -> Hall | None:
    if code:
        return next((h for h in halls if h.code == code), None)
    return halls[0] if halls else None


# Today's list and check-in


def _today_page(
    request: HttpRequest, *, hall_code: str | None, form: CheckInForm, status: int = 200
) -> HttpResponse:
    halls = list(selectors.reception_halls(request.user))
    hall = _chosen_hall(halls, hall_code)
    if hall_code and hall is None:
        raise Http404(_("There is no such hall in your scope."))
    now = timezone.now()
    rows = selectors.today_appointments(officer=request.user, hall=hall, now=now) if hall else []
    return _render(
        request,
        "reception/today.html",
        {
            "halls": halls,
            "hall": hall,
            "rows": rows,
            "form": form,
            "today": selectors.local_day(now),
            "waiting": sum(1 for r in rows if r.status == AppointmentStatus.CHECKED_IN),
        },
        status=status,
    )


@hall_service
def today(request: HttpRequest) -> HttpResponse:
    """Today's appointments at one of the officer's halls, with the check-in field."""
    return _today_page(request, hall_code=request.GET.get("hall"), form=CheckInForm())


@hall_service
@require_POST
def check_in(request: HttpRequest) -> HttpResponse:
    """Check in by the typed number or the scanned QR code; then the applicant's page."""
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            reception = services.reception_check_in(
                officer=request.user, code=form.cleaned_data["code"]
            )
        except Problem as problem:
            if problem.status == 403:
                raise PermissionDenied from problem
            _add_problem(form, problem, field="code")
        else:
            messages.success(
                request,
                _("Checked in. Queue number: %(queue)s.") % {"queue": reception.queue_display},
            )
            return redirect("staff:reception:detail", number=reception.appointment.number)
    return _today_page(request, hall_code=request.POST.get("hall") or None, form=form)


# Walk-ins


@hall_service
@sensitive_post_parameters("id_number")
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest) -> HttpResponse:
    """Look up the person who came without an appointment (logged), then record the walk-in."""
    halls = list(selectors.reception_halls(request.user))
    initial = {"hall": request.GET.get("hall") or (halls[0].code if halls else "")}
    form = WalkInLookupForm(
        request.POST if request.method == "POST" else None, halls=halls, initial=initial
    )
    if form.is_bound and form.is_valid():
        hall = _chosen_hall(halls, form.cleaned_data["hall"])
        try:
            found = services.walk_in_lookup(
                officer=request.user,
                hall=hall,
                id_number=form.cleaned_data["id_number"],
                client_address=client_address(request),
            )
        except Problem as problem:
            if problem.status == 403:
                raise PermissionDenied from problem
            _add_problem(form, problem, field="id_number")
        else:
            grants.grant_person(request, person_id=found.person_id, reason=found.access.reason)
            url = reverse("staff:reception:walk_in_person", args=[found.person_id])
            return redirect(f"{url}?{urlencode({'hall': hall.code})}")
    return _render(request, "reception/walk_in.html", {"form": form, "halls": halls})


@hall_service
@require_http_methods(["GET", "POST"])
def walk_in_person(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person found (each showing logged), and the application they came for."""
    reason = grants.granted_reason(request, person_id=person_id)
    if reason is None:
        messages.info(request, _("Look the person up by ID number first."))
        return redirect("staff:reception:walk_in")
    halls = list(selectors.reception_halls(request.user))
    hall = _chosen_hall(halls, request.POST.get("hall") or request.GET.get("hall"))
    if hall is None:
        raise Http404(_("There is no such hall in your scope."))
    form = WalkInForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            reception = services.reception_walk_in(
                officer=request.user,
                hall=hall,
                person_id=person_id,
                document_type=form.cleaned_data["document_type"],
                kind=form.cleaned_data["kind"],
                details=form.details(),
            )
        except Problem as problem:
            _raise_for_page(problem)
            _add_problem(form, problem)
        else:
            messages.success(
                request,
                _("Walk-in recorded. Queue number: %(queue)s.")
                % {"queue": reception.queue_display},
            )
            return redirect("staff:reception:detail", number=reception.appointment.number)
    try:
        file = staff_services.person_view(
            staff=request.user,
            person_id=person_id,
            reason=reason,
            client_address=client_address(request),
        )
    except Problem as problem:
        raise _page_for(problem) from problem
    return _render(
        request, "reception/walk_in_person.html", {"form": form, "file": file, "hall": hall}
    )


# One applicant's visit


def _details_shown(appointment: Appointment) -> list[tuple[str, str]]:
    details = appointment.details or {}
    shown = []
    if details.get("replacement_reason"):
        reason = REPLACEMENT_REASONS.get(
            details["replacement_reason"], details["replacement_reason"]
        )
        shown.append((_("Reason for replacement"), str(reason)))
    if details.get("endorsements"):
        labels = ", ".join(endorsement_label(code) for code in details["endorsements"])
        shown.append((_("Endorsements wanted"), labels))
    return shown


def _detail_page(
    request: HttpRequest,
    appointment: Appointment,
    forms: dict[str, Form] | None = None,
    accept_error: str = "",
) -> HttpResponse:
    reception: Reception | None = getattr(appointment, "reception", None)
    items = selectors.materials_checklist(appointment)
    forms = forms or {}
    context = {
        "appointment": appointment,
        "reception": reception,
        "person": appointment.person,
        "id_number_masked": mask_id_number(appointment.person.id_number),
        "details": _details_shown(appointment),
        "items": items,
        "open": appointment.status == AppointmentStatus.CHECKED_IN and reception is not None,
        "status_label": AppointmentStatus(appointment.status).label,
        "application": getattr(appointment, "application", None),
        "fee": selectors.fee_due(appointment=appointment, on=selectors.local_day(timezone.now())),
        "materials_form": forms.get("materials") or MaterialsForm(items=items),
        "fingerprints_form": forms.get("fingerprints") or FingerprintsForm(),
        "photo_form": forms.get("photo") or PhotoForm(),
        "fee_form": forms.get("fee") or FeeForm(),
        "not_accepted_form": forms.get("not_accepted") or NotAcceptedForm(),
        "failed_form": next((f for f in forms.values() if f.errors), None),
        "accept_error": accept_error,
    }
    context["any_errors"] = bool(context["failed_form"] or accept_error)
    return _render(request, "reception/detail.html", context)


def _appointment_or_404(request: HttpRequest, number: str) -> Appointment:
    try:
        return selectors.appointment_for_officer(officer=request.user, number=number)
    except Problem as problem:
        raise _page_for(problem) from problem


@hall_service
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant's visit: who, what for, the steps done and to do, the decision."""
    return _detail_page(request, _appointment_or_404(request, number))


def _step(request: HttpRequest, number: str, name: str, form: Form, call) -> HttpResponse:
    """Run one step's service with the form's data; back to the page, with errors if any."""
    appointment = _appointment_or_404(request, number)
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except Problem as problem:
            _raise_for_page(problem)
            _add_problem(form, problem)
        else:
            return redirect("staff:reception:detail", number=appointment.number)
    appointment = _appointment_or_404(request, number)
    return _detail_page(request, appointment, {name: form})


@hall_service
@require_POST
def materials(request: HttpRequest, number: str) -> HttpResponse:
    appointment = _appointment_or_404(request, number)
    form = MaterialsForm(request.POST, items=selectors.materials_checklist(appointment))
    return _step(
        request,
        number,
        "materials",
        form,
        lambda data: services.materials_record(
            officer=request.user,
            number=number,
            checked=data["checked"],
            not_applicable=data["not_applicable"],
        ),
    )


@hall_service
@require_POST
def fingerprints(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "fingerprints",
        FingerprintsForm(request.POST),
        lambda data: services.fingerprints_record(
            officer=request.user, number=number, confirmed=data["confirmed"]
        ),
    )


@hall_service
@require_POST
def photo_upload(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "photo",
        PhotoForm(request.POST, request.FILES),
        lambda data: services.photo_record(
            officer=request.user, number=number, upload=data["photo"]
        ),
    )


@hall_service
@require_POST
def fee(request: HttpRequest, number: str) -> HttpResponse:
    return _step(
        request,
        number,
        "fee",
        FeeForm(request.POST),
        lambda data: services.fee_record(
            officer=request.user,
            number=number,
            method=data["method"],
            receipt_number=data["receipt_number"],
        ),
    )


@hall_service
@require_POST
def accept(request: HttpRequest, number: str) -> HttpResponse:
    """Accept: the application starts with its number (every step must be recorded)."""
    appointment = _appointment_or_404(request, number)
    try:
        application = services.reception_accept(officer=request.user, number=number)
    except Problem as problem:
        _raise_for_page(problem)
        return _detail_page(
            request, _appointment_or_404(request, number), accept_error=problem.detail
        )
    messages.success(
        request,
        _("Application accepted. Application number: %(number)s.") % {"number": application.number},
    )
    return redirect("staff:reception:detail", number=appointment.number)


@hall_service
@require_POST
def not_accepted(request: HttpRequest, number: str) -> HttpResponse:
    """Not accepted, with the reason the applicant reads."""
    form = NotAcceptedForm(request.POST)
    response = _step(
        request,
        number,
        "not_accepted",
        form,
        lambda data: services.reception_not_accept(
            officer=request.user, number=number, reason=data["reason"]
        ),
    )
    if response.status_code == 302:
        messages.success(request, _("Recorded as not accepted. The applicant sees the reason."))
    return response


@hall_service
def photo(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant's photo, for staff only; every showing is written to the access log."""
    try:
        content = services.photo_read(
            officer=request.user, number=number, client_address=client_address(request)
        )
    except Problem as problem:
        raise _page_for(problem) from problem
    response = HttpResponse(content, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="photo-{number}.jpg"'
    return response
