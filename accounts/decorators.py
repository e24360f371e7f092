"""Page guards for citizen pages of every app."""

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bound_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in AND bound to a person; an unbound account sees the "bind your identity" prompt.

    Pages showing personal data use this, as API endpoints use accounts.auth.require_bound.
    """

    @functools.wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not getattr(request.user, "person_id", None):
            return render(request, "accounts/bind_prompt.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
