"""Pages of my applications (and my minors'): the list, and one application with its timeline."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import Problem
from documents.views import bound_citizen

from . import selectors


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
