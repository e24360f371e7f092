"""Pages of my applications (and my minors'): the list, one application with its timeline and
its acceptance receipt; and the progress lookup, which needs no sign-in."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import Problem
from documents.views import bound_citizen
from staff.http import client_address

from . import progress, receipt, selectors
from .forms import ProgressLookupForm


@bound_citizen
def application_list(request: HttpRequest) -> HttpResponse:
    """My applications and my minors', newest first."""
    applications = list(selectors.applications_for(user=request.user))
    return render(request, "applications/list.html", {"applications": applications})


@bound_citizen
def application_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One application: what, where, and each step so far."""
    try:
        application = selectors.application_get_for(user=request.user, number=number)
    except Problem as problem:
        raise Http404(problem.detail) from problem
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "is_self": application.person_id == request.user.person_id,
            "timeline": selectors.application_timeline(application),
        },
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
    except receipt.ReceiptUnavailable as problem:
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
