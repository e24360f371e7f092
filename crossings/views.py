"""Pages of service 5: my entry/exit records (and my minors')."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from core.errors import NotFound, Problem
from documents.views import bound_citizen
from persons.selectors import persons_acting_for

from . import selectors
from .forms import CrossingsFilterForm


@bound_citizen
def my_crossings(request: HttpRequest) -> HttpResponse:
    """My crossings of the last 10 years, filtered by period and document, a page at a time."""
    form = CrossingsFilterForm(request.GET or None)
    page, problem = None, None
    if form.is_bound and not form.is_valid():
        problem = next(iter(form.errors.values()))[0]
    else:
        data = form.cleaned_data if form.is_bound else {}
        try:
            page = selectors.crossings_page_for(
                user=request.user,
                person_id=data.get("person"),
                start=data.get("start"),
                end=data.get("end"),
                document_id=data.get("document"),
                before=data.get("before") or None,
            )
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except Problem as exc:
            problem = exc.detail
    next_url = None
    if page and page.next_cursor:
        params = request.GET.copy()
        params["before"] = page.next_cursor
        next_url = f"{request.path}?{urlencode(params, doseq=True)}"
    first_url = None
    if request.GET.get("before"):
        params = request.GET.copy()
        params.pop("before")
        first_url = f"{request.path}?{urlencode(params, doseq=True)}"
    return render(
        request,
        "crossings/my_crossings.html",
        {
            "form": form,
            "page": page,
            "problem": problem,
            "persons": persons_acting_for(user=request.user),
            "next_url": next_url,
            "first_url": first_url,
        },
        status=422 if problem else 200,
    )
