"""Pages: the inbox of the signed-in account, and how each kind of message reaches them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Problem

from . import selectors, services
from .kinds import kind_label
from .models import NotificationPreference

PAGE_SIZE = 20
MAX_ID = 2**63 - 1


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    """My messages, newest first, unread ones marked."""
    page = Paginator(selectors.inbox_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = [{"entry": n, "label": kind_label(n.kind)} for n in page.object_list]
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "entries": entries,
            "unread": selectors.inbox_unread_count(user=request.user),
        },
    )


def _id(value: str) -> int:
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else 0


@login_required
@require_POST
def inbox_read_view(request: HttpRequest) -> HttpResponse:
    """Mark one message read (`id`), or all of them."""
    if "id" in request.POST:
        try:
            found = selectors.notification_get_for(
                user=request.user, notification_id=_id(request.POST["id"])
            )
        except Problem as problem:  # someone else's, or none: the page's 404
            raise Http404(problem.detail) from problem
        services.notifications_mark_read(user=request.user, ids=[found.pk])
    else:
        services.notifications_mark_read(user=request.user)
        messages.success(request, _("All your messages are marked as read."))
    return redirect("notifications:inbox")


@login_required
def preferences_view(request: HttpRequest) -> HttpResponse:
    """Text message, email or both, for each kind of message."""
    user = request.user
    current = selectors.notification_preferences_get(user=user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = {kind: request.POST.get(f"kind-{kind}", current[kind]) for kind in current}
        changed = {kind: value for kind, value in chosen.items() if value != current[kind]}
        try:
            services.notification_preferences_set(user=user, channels=changed)
        except Problem as problem:
            errors = {e["field"]: e["message"] for e in problem.errors or []}
            current = chosen
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications:preferences")
    rows = [
        {
            "kind": kind,
            "label": kind_label(kind),
            "channels": channels,
            "error": errors.get(kind, ""),
        }
        for kind, channels in current.items()
    ]
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": rows,
            "errors": [row for row in rows if row["error"]],
            "choices": NotificationPreference.Channels.choices,
            "email_confirmed": user.has_confirmed_email,
        },
        status=422 if errors else 200,
    )
