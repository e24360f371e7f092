"""The supervisors' page to revoke a certificate (/staff/certificates/)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core.errors import Problem
from core.http import client_address
from staff.permissions import Permission
from staff.views import _add_problem, _render, staff_page

from . import services
from .forms import RevokeForm


@staff_page(Permission.APPLICATION_DECIDE)
def revoke(request: HttpRequest) -> HttpResponse:
    """Revoke a certificate by its code, with the reason (access-logged)."""
    form = RevokeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                certificate = services.certificate_revoke(
                    staff=request.user,
                    code=form.cleaned_data["code"],
                    reason=form.cleaned_data["reason"],
                    client_address=client_address(request),
                )
            except Problem as problem:
                if problem.status == 403:
                    raise PermissionDenied from problem
                _add_problem(form, problem, field="code")
                status = problem.status
            else:
                messages.success(
                    request,
                    _("Certificate %(code)s is revoked.") % {"code": certificate.code_display},
                )
                return redirect("staff:certificates:revoke")
        else:
            status = 422
    return _render(request, "certificates/staff/revoke.html", {"form": form}, status=status)
