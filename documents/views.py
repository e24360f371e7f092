"""Pages of service 4: my documents (and my minors'), one document with its MRZ, report lost."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.views import step_up_page
from core.errors import Problem

from . import selectors, services
from .forms import ReportLostForm


def bound_citizen(view: Callable) -> Callable:
    """Signed in (else to the login page) and bound to a person (else the binding prompt)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_staff:  # a staff account is not a citizen's
            return redirect("staff:home")
        if not getattr(request.user, "person_id", None):
            return render(
                request,
                "documents/bind_prompt.html",
                {"bind_url": f"{reverse('accounts:identity')}?{urlencode({'next': request.path})}"},
            )
        return view(request, *args, **kwargs)

    return wrapper


def _document_or_404(request: HttpRequest, pk: int) -> selectors.DocumentView:
    try:
        return selectors.document_get_for(user=request.user, document_id=pk)
    except Problem as problem:
        raise Http404(problem.detail) from problem


@bound_citizen
def document_list(request: HttpRequest) -> HttpResponse:
    """My documents, then each minor's."""
    from endorsements.selectors import CARD_PASSES, endorsements_on_documents

    groups = selectors.documents_for(user=request.user)
    passes = [v.pk for g in groups for v in g.documents if v.document.type in CARD_PASSES]
    endorsements = endorsements_on_documents(document_ids=passes)
    return render(request, "documents/list.html", {"groups": groups, "endorsements": endorsements})


@bound_citizen
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One document: dates, status, history and the machine-readable zone."""
    view = _document_or_404(request, pk)
    return render(
        request,
        "documents/detail.html",
        {
            "view": view,
            "document": view.document,
            "holder": view.document.person,
            "is_self": view.document.person_id == request.user.person_id,
            "mrz": selectors.document_mrz(view.document),
            "events": selectors.document_events(document=view.document),
        },
    )


@bound_citizen
@require_http_methods(["GET", "POST"])
@step_up_page
def document_report_lost(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation, then report the document lost at once."""
    view = _document_or_404(request, pk)
    form = ReportLostForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        loss = services.LossDetails(
            lost_on=data["lost_on"],
            place=data["place"],
            how=data["how"],
            circumstances=data["circumstances"],
        )
        try:
            services.document_report_lost(user=request.user, document=view.document, loss=loss)
        except Problem as problem:
            fields = [e for e in problem.errors if e.get("field") in form.fields]
            for error in fields:
                form.add_error(error["field"], error["message"])
            if not fields:
                form.add_error(None, problem.detail)
        else:
            messages.success(
                request,
                _("The document has been reported lost. It can no longer be used."),
            )
            return redirect("documents:detail", pk=view.pk)
    return render(
        request,
        "documents/report_lost.html",
        {"view": view, "document": view.document, "holder": view.document.person, "form": form},
    )
