"""Pages of endorsements: apply on a card pass (mine or my minor's), my endorsements with their
timeline, withdraw; and the self-service kiosk a citizen uses alone. Every write goes through
endorsements.services, as the API's."""

import time
import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import Problem
from core.i18n import localized
from core.ratelimit import rate_limit_hit
from documents.models import DocumentType
from documents.selectors import document_usable
from documents.views import bound_citizen
from guide.models import Hall

from . import selectors, services
from .forms import ApplyForm, KioskForm
from .models import Destination, PaymentMethod
from .workflow import ENDORSEMENTS

_ANSWERS = ("relative_name", "relationship", "inviting_company", "purpose")


@bound_citizen
def endorsement_list(request: HttpRequest) -> HttpResponse:
    """My endorsements and my minors', newest first, with status and trips left."""
    views = selectors.endorsements_of_user(user=request.user)
    return render(request, "endorsements/list.html", {"views": views})


def _mine(request: HttpRequest, pk: int):
    try:
        return selectors.endorsement_get_for(user=request.user, pk=pk)
    except Problem as problem:
        raise Http404(problem.detail) from problem


@bound_citizen
def endorsement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement = _mine(request, pk)
    actions = {a.name for a in ENDORSEMENTS.available_actions(endorsement, request.user)}
    return render(
        request,
        "endorsements/detail.html",
        {
            "view": selectors.endorsement_view(endorsement),
            "e": endorsement,
            "expected_on": selectors.expected_on(endorsement),
            "steps": selectors.endorsement_events(endorsement=endorsement),
            "can_withdraw": "withdraw" in actions,
        },
    )


@bound_citizen
@require_POST
def endorsement_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement = _mine(request, pk)
    try:
        services.endorsement_withdraw(user=request.user, endorsement=endorsement)
    except Problem as problem:
        messages.error(request, problem.detail)
    else:
        messages.success(request, _("The endorsement application was withdrawn."))
    return redirect("endorsements:detail", pk=pk)


def _pass_label(document) -> str:
    return f"{DocumentType(document.type).label} {document.number} – {document.person.name}"


def _option_label(policy) -> str:
    text = (
        f"{Destination(policy.destination).label} · {localized(policy, 'name')} "
        f"({policy.type_code}) · {selectors.option_label(policy)} · "
        + _("RMB %(fee)s")
        % {"fee": f"{policy.fee:.2f}"}
    )
    if policy.suspended:
        text += " · " + _("suspended")
    return text


def _form(request: HttpRequest, data=None) -> ApplyForm:
    passes = [
        (d.pk, _pass_label(d))
        for d in selectors.card_passes_for(user=request.user)
        if document_usable(d)
    ]
    options = [
        (f"{p.destination}:{p.type_code}:{p.option_code}", _option_label(p))
        for p in selectors.policy_in_effect()
    ]
    halls = [
        (code, localized({"name_zh": zh, "name_en": en}, "name") + f" ({code})")
        for code, zh, en in Hall.objects.filter(is_active=True)
        .order_by("region_id", "code")
        .values_list("code", "name_zh", "name_en")
    ]
    initial = {"idempotency_key": uuid.uuid4().hex, "channel": "kiosk"}
    wanted = request.GET.get("document", "")
    if wanted.isdigit() and any(str(pk) == wanted for pk, _label in passes):
        initial["document"] = int(wanted)
    elif len(passes) == 1:
        initial["document"] = passes[0][0]
    return ApplyForm(data, initial=initial, passes=passes, options=options, halls=halls)


def _show_problem(form: ApplyForm, problem: Problem) -> None:
    placed = False
    for error in problem.errors:
        name = error.get("field", "").rsplit(".", 1)[-1]
        name = {"document_id": "document", "items": "options"}.get(name, name)
        if name in form.fields:
            form.add_error(name, error["message"])
            placed = True
    if not placed:
        form.add_error(None, problem.detail)


@bound_citizen
@require_http_methods(["GET", "POST"])
def endorsement_apply(request: HttpRequest) -> HttpResponse:
    """Apply for one or more endorsements on a card pass; checked at once."""
    form = _form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answers = {k: data[k] for k in _ANSWERS if data.get(k)}
        choices = []
        for value in data["options"]:
            destination, type_code, option = value.split(":", 2)
            choices.append(services.Choice(destination, type_code, option, answers))
        try:
            applied = services.endorsement_apply(
                user=request.user,
                document_id=data["document"],
                choices=choices,
                channel=data["channel"],
                hall_code=data.get("hall") or "",
                idempotency_key=data["idempotency_key"],
            )
        except Problem as problem:
            _show_problem(form, problem)
        else:
            first = applied.endorsements[0]
            messages.success(request, _("Your application was received."))
            return redirect("endorsements:detail", pk=first.pk)
    return render(request, "endorsements/apply.html", {"form": form})


# --- the self-service kiosk -------------------------------------------------------------------

KIOSK_SESSION = "endorsement_kiosk"
KIOSK_SECONDS = 120  # after this without a step, the kiosk forgets the person
KIOSK_RATE = "10/600"  # look-ups of one pass number in ten minutes


def _kiosk_render(request, template, context=None, status=200) -> HttpResponse:
    response = render(
        request,
        template,
        {"timeout": KIOSK_SECONDS, **(context or {})},
        status=status,
    )
    return response


def _kiosk_clear(request: HttpRequest) -> None:
    request.session.pop(KIOSK_SESSION, None)


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    """The kiosk's start: pass number and ID number. Starting again forgets anyone before."""
    _kiosk_clear(request)
    form = KioskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # Guessing numbers at a kiosk: a few tries per pass number, per minute.
            rate_limit_hit(
                scope="endorsement-kiosk",
                key=form.cleaned_data["pass_number"].strip().upper()[:9],
                rate=KIOSK_RATE,
            )
            document, waiting = selectors.kiosk_waiting(
                pass_number=form.cleaned_data["pass_number"],
                id_number=form.cleaned_data["id_number"],
            )
        except Problem as problem:
            form.add_error(None, problem.detail)
        else:
            request.session[KIOSK_SESSION] = {"document": document.pk, "at": time.time()}
            return _kiosk_render(
                request,
                "endorsements/kiosk_waiting.html",
                {
                    "holder": document.person,
                    "waiting": [selectors.endorsement_view(e) for e in waiting],
                    "total": sum(e.fee for e in waiting),
                    "methods": [
                        (v, label) for v, label in PaymentMethod.choices if v != PaymentMethod.CASH
                    ],
                },
            )
    return _kiosk_render(request, "endorsements/kiosk.html", {"form": form})


@never_cache
@require_POST
def kiosk_pay(request: HttpRequest) -> HttpResponse:
    """Pay and print everything waiting for this pass at a kiosk, then forget the person."""
    state = request.session.get(KIOSK_SESSION) or {}
    _kiosk_clear(request)
    if not state or time.time() - state.get("at", 0) > KIOSK_SECONDS:
        messages.error(request, _("The kiosk timed out. Start again."))
        return redirect("endorsements:kiosk")
    method = request.POST.get("method", "")
    if method not in PaymentMethod.values or method == PaymentMethod.CASH:
        messages.error(request, _("Choose how to pay."))
        return redirect("endorsements:kiosk")
    printed, refused = [], []
    for endorsement in selectors.kiosk_endorsements(document_id=state["document"]):
        try:
            services.endorsement_pay(
                actor=None,
                endorsement=endorsement,
                method=method,
                receipt_number=f"KIOSK-{endorsement.number}",
            )
            printed.append(services.endorsement_print(actor=None, endorsement=endorsement))
        except Problem as problem:
            refused.append((endorsement, problem.detail))
    return _kiosk_render(
        request,
        "endorsements/kiosk_done.html",
        {"printed": [selectors.endorsement_view(e) for e in printed], "refused": refused},
    )


@csrf_exempt  # as the API's views: no cookie session here, and any other method is a 405
@require_safe
def policy_json(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/endorsements/policy, as the API documents it (endorsements.api.policy): a
    plain view ahead of the API's routes, since the answer is a cached rendering."""
    from .api import policy_response

    return policy_response(request)
