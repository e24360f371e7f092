"""Pages of my applications (and my minors'): the list, one application with its timeline,
expected date and next step, and its acceptance receipt; withdrawing one under review and
changing how the document is received until production. Every write goes through
applications.services, as the API's. And the progress lookup, which needs no sign-in."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import Problem
from core.http import client_address
from documents.views import bound_citizen
from endorsements.selectors import endorsement_applications_for, endorsement_outlook

from . import progress, receipt, selectors, services
from .errors import ReceiptUnavailable
from .forms import DeliveryForm, ProgressLookupForm


@bound_citizen
def application_list(request: HttpRequest) -> HttpResponse:
    """My applications and my minors', newest first, each with where it stands."""
    applications = list(selectors.applications_for(user=request.user))
    rows = [(a, selectors.application_outlook(a)) for a in applications]
    endorsements = [
        (e, endorsement_outlook(e)) for e in endorsement_applications_for(user=request.user)
    ]
    return render(
        request,
        "applications/list.html",
        {"applications": applications, "rows": rows, "endorsements": endorsements},
    )


def _mine(request: HttpRequest, number: str):
    try:
        return selectors.application_get_for(user=request.user, number=number)
    except Problem as problem:
        raise Http404(problem.detail) from problem


@bound_citizen
def application_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One application: what, where, where it stands, what comes next, and each step so far."""
    application = _mine(request, number)
    return _detail(request, application)


def _detail(request, application, *, form=None, status=200) -> HttpResponse:
    actions = {a.name for a in selectors.application_actions_for(application, request.user)}
    steps = [
        (e, selectors.step_text(e, application)) for e in selectors.citizen_timeline(application)
    ]
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "is_self": application.person_id == request.user.person_id,
            "outlook": selectors.application_outlook(application),
            "steps": steps,
            "can_withdraw": "withdraw" in actions,
            "can_change_delivery": "change_delivery" in actions,
            "form": form,
        },
        status=status,
    )


@bound_citizen
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """Ask, then withdraw the application (while it is under review)."""
    application = _mine(request, number)
    if request.method == "POST":
        try:
            services.application_withdraw(user=request.user, number=application.number)
        except Problem as problem:
            if problem.status == 404:
                raise Http404(problem.detail) from problem
            messages.error(request, problem.detail)
        else:
            messages.success(request, _("Your application was withdrawn."))
        return redirect("applications:detail", application.number)
    return render(request, "applications/withdraw.html", {"application": application})


@bound_citizen
@require_http_methods(["GET", "POST"])
def application_delivery(request: HttpRequest, number: str) -> HttpResponse:
    """Choose collection at the hall or delivery by mail, until production starts."""
    application = _mine(request, number)
    initial = {"delivery": application.delivery, "delivery_address": application.delivery_address}
    form = DeliveryForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_delivery_change(
                user=request.user,
                number=application.number,
                delivery=form.cleaned_data["delivery"],
                address=form.cleaned_data["delivery_address"],
            )
        except Problem as problem:
            if problem.status == 404:
                raise Http404(problem.detail) from problem
            for error in problem.errors or [{"field": None, "message": problem.detail}]:
                name = error["field"] if error.get("field") in form.fields else None
                form.add_error(name, error["message"])
        else:
            messages.success(request, _("Your choice was saved."))
            return redirect("applications:detail", application.number)
    status = 422 if form.errors else 200
    return render(
        request,
        "applications/delivery.html",
        {"application": application, "form": form},
        status=status,
    )


@bound_citizen
def application_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The acceptance receipt of one application, as a PDF."""
    try:
        application = selectors.application_get_for(user=request.user, number=number)
    except Problem as problem:
        raise Http404(problem.detail) from problem
    try:
        return receipt.receipt_response(request, application)
    except ReceiptUnavailable as problem:
        return render(
            request, "applications/receipt_unavailable.html", {"problem": problem}, status=503
        )


@never_cache
@require_http_methods(["GET", "POST"])
def progress_lookup(request: HttpRequest) -> HttpResponse:
    """Check an application's progress with its number and the applicant's ID number, signed in
    or not. The answer is shown in the response to the POST (nothing goes into a URL)."""
    if request.method == "GET":
        number = request.GET.get("number", "")[:64]  # from the receipt's QR code
        form = ProgressLookupForm(initial={"application_number": number})
        return render(request, "applications/progress.html", {"form": form})
    form = ProgressLookupForm(request.POST)
    status, retry_after = 422, None
    if form.is_valid():
        try:
            answer = progress.progress_lookup(
                application_number=form.cleaned_data["application_number"],
                id_number=form.cleaned_data["id_number"],
                client_address=client_address(request),
            )
        except Problem as problem:
            _place(form, problem)
            status, retry_after = problem.status, problem.extra.get("retry_after")
        else:
            return render(request, "applications/progress.html", {"form": form, "answer": answer})
    response = render(request, "applications/progress.html", {"form": form}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(int(retry_after))
    return response


def _place(form: ProgressLookupForm, problem: Problem) -> None:
    """Put a refusal next to the field it names (no match: the number), else above the form."""
    fields = [error for error in problem.errors if error["field"] in form.fields]
    for error in fields:
        form.add_error(error["field"], error["message"])
    if not fields:
        form.add_error("application_number" if problem.status == 404 else None, problem.detail)
