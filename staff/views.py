"""Staff pages: sign-in with TOTP, home, person lookup and the person's page, the access log.

Every page but the sign-in refuses anyone who is not staff with a role and a TOTP-verified
session (staff_page): they are sent to the staff sign-in.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import auth, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core.errors import Problem
from core.http import client_address

from . import grants, selectors, services
from .forms import AccessLogFilterForm, PersonLookupForm, StaffLoginForm
from .permissions import Permission

ACCESS_LOG_PAGE_SIZE = 50


def staff_page(permission: Permission | None = None) -> Callable:
    """Only for staff signed in with their second factor (and, if given, with `permission`)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not selectors.staff_is_verified(request):
                return redirect_to_login(request.get_full_path(), reverse("staff:login"))
            if permission is not None and not selectors.staff_can(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return never_cache(wrapper)

    return decorator


def _render(
    request: HttpRequest, template: str, context: dict | None = None, status: int = 200
) -> HttpResponse:
    """Render a staff page with the navigation the signed-in staff member may use."""
    verified = selectors.staff_is_verified(request)
    allowed = selectors.staff_permissions(request.user) if verified else frozenset()
    nav = {
        "signed_in": verified,
        "lookup": Permission.PERSON_LOOKUP in allowed,
        "reception": Permission.HALL_SERVICE in allowed,
        "applications": bool(
            allowed
            & {
                Permission.APPLICATION_REVIEW,
                Permission.APPLICATION_PRODUCE,
                Permission.APPLICATION_DECIDE,
                Permission.HALL_SERVICE,
            }
        ),
        "access_log": Permission.ACCESS_LOG_READ in allowed,
        "admin": Permission.STAFF_MANAGE in allowed,
    }
    return render(request, template, {"staff_nav": nav, **(context or {})}, status=status)


def _add_problem(form: Form, problem: Problem, *, field: str | None = None) -> None:
    """Show a service's error on the form: on the field it names, else on `field`."""
    if problem.errors:
        for error in problem.errors:
            name = error["field"] if error["field"] in form.fields else field
            form.add_error(name, error["message"])
    else:
        form.add_error(field, problem.detail)


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("staff:home")


# Signing in and out


@never_cache
@csrf_protect
@sensitive_post_parameters("password", "otp_code")
def staff_login(request: HttpRequest) -> HttpResponse:
    """Sign in with username, password and the code of the authenticator app."""
    next_url = _next_url(request)
    if request.method == "GET" and selectors.staff_is_verified(request):
        return redirect(next_url)
    form = StaffLoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            services.staff_sign_in(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                otp_code=form.cleaned_data["otp_code"],
            )
        except Problem as problem:
            _add_problem(form, problem)
            status = 429 if problem.status == 429 else 200
        else:
            return redirect(next_url)
    return _render(request, "staff/login.html", {"form": form, "next": next_url}, status=status)


@never_cache
@csrf_protect
def staff_logout(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST signs out (the session and its person grants end)."""
    if request.method == "POST":
        auth.logout(request)
        messages.success(request, _("You have signed out."))
        return redirect("staff:login")
    if not request.user.is_authenticated:
        return redirect("staff:login")
    return _render(request, "staff/logout.html")


# Pages


# Pages of other apps, each shown to the roles that hold any of the permissions its view
# checks (endorsements.selectors._require_work, certificates and crossings staff_views).
_HOME_PAGES = (
    (
        gettext_lazy("Endorsements to review"),
        "staff:endorsements:queue",
        frozenset({Permission.APPLICATION_REVIEW, Permission.HALL_SERVICE}),
    ),
    (
        gettext_lazy("Flagged crossings"),
        "staff:crossings:flagged",
        frozenset({Permission.PERSON_LOOKUP}),
    ),
    (
        gettext_lazy("Revoke a certificate"),
        "staff:certificates:revoke",
        frozenset({Permission.APPLICATION_DECIDE}),
    ),
)


@staff_page()
def staff_home(request: HttpRequest) -> HttpResponse:
    """What the signed-in staff member's roles allow, and where."""
    allowed = selectors.staff_permissions(request.user)
    links = {
        Permission.PERSON_LOOKUP: reverse("staff:person_lookup"),
        Permission.HALL_SERVICE: reverse("staff:reception:today"),
        Permission.ACCESS_LOG_READ: reverse("staff:access_log"),
        Permission.STAFF_MANAGE: reverse("admin:index"),
    }
    abilities = [(p.label, links.get(p)) for p in Permission if p in allowed]
    pages = [
        (label, reverse(url_name)) for label, url_name, needs in _HOME_PAGES if allowed & needs
    ]
    return _render(
        request,
        "staff/home.html",
        {
            "scopes": selectors.staff_role_scopes(request.user),
            "abilities": abilities,
            "pages": pages,
            "halls_in_scope": selectors.staff_halls_in_scope(request.user).count(),
        },
    )


@staff_page(Permission.PERSON_LOOKUP)
@sensitive_post_parameters("id_number", "reason")
def person_lookup(request: HttpRequest) -> HttpResponse:
    """Ask for an ID number and a reason; the lookup is logged, then the person's page opens."""
    form = PersonLookupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            found = services.person_lookup(
                staff=request.user,
                id_number=form.cleaned_data["id_number"],
                reason=form.cleaned_data["reason"],
                client_address=client_address(request),
            )
        except Problem as problem:
            if problem.status == 403:
                raise PermissionDenied from problem
            _add_problem(form, problem, field="id_number")
        else:
            # The lookup wrote its own row ("lookup"); the page it leads to writes another
            # ("view_person") when it shows the data: one row per showing of a person's data.
            grants.grant_person(request, person_id=found.person_id, reason=found.access.reason)
            return redirect("staff:person_detail", person_id=found.person_id)
    return _render(request, "staff/person_lookup.html", {"form": form})


def _granted_reason_or_redirect(request: HttpRequest, person_id: int) -> str | HttpResponse:
    reason = grants.granted_reason(request, person_id=person_id)
    if reason is None:
        messages.info(
            request,
            _("To open a person's page, look them up by ID number and give the reason."),
        )
        return redirect("staff:person_lookup")
    return reason


def _person_page(request: HttpRequest, read: Callable, person_id: int) -> HttpResponse:
    reason = _granted_reason_or_redirect(request, person_id)
    if isinstance(reason, HttpResponse):
        return reason
    try:
        file = read(
            staff=request.user,
            person_id=person_id,
            reason=reason,
            client_address=client_address(request),
        )
    except Problem as problem:
        if problem.status == 403:
            raise PermissionDenied from problem
        raise Http404(problem.detail) from problem
    return _render(
        request,
        "staff/person_detail.html",
        {"file": file, "reason": reason, "grant_minutes": grants.GRANT_SECONDS // 60},
    )


@staff_page(Permission.PERSON_LOOKUP)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's file (ID and document numbers masked); each view is logged."""
    return _person_page(request, services.person_view, person_id)


@staff_page(Permission.PERSON_LOOKUP)
@require_POST
def person_reveal_id_number(request: HttpRequest, person_id: int) -> HttpResponse:
    """The same page with the full ID number, after an explicit, logged request."""
    return _person_page(request, services.person_reveal_id_number, person_id)


@staff_page(Permission.ACCESS_LOG_READ)
@sensitive_post_parameters("id_number")
def access_log(request: HttpRequest) -> HttpResponse:
    """The access log, filtered by staff, person and dates, newest first."""
    data = request.POST if request.method == "POST" else request.GET
    form = AccessLogFilterForm(data or None)
    if form.is_bound and form.is_valid():
        if request.method == "POST" or form.cleaned_data["id_number"]:
            # Turn a full ID number into the person's record id: never a full number in a URL.
            return _access_log_search(request, form)
        return _access_log_list(request, form)
    if not form.is_bound:
        return _access_log_list(request, form)
    return _render(request, "staff/access_log.html", {"form": form, "page": None})


def _filter_query(form: AccessLogFilterForm, person_id: int | None) -> dict:
    data = form.cleaned_data
    query = {
        "staff": data.get("staff") or "",
        "person": person_id or "",
        "date_from": data["date_from"].isoformat() if data.get("date_from") else "",
        "date_to": data["date_to"].isoformat() if data.get("date_to") else "",
    }
    return {key: value for key, value in query.items() if value}


def _access_log_search(request: HttpRequest, form: AccessLogFilterForm) -> HttpResponse:
    person_id = form.cleaned_data.get("person")
    if form.cleaned_data["id_number"]:
        try:
            person = selectors.access_log_person(id_number=form.cleaned_data["id_number"])
        except Problem as problem:
            _add_problem(form, problem, field="id_number")
            return _render(request, "staff/access_log.html", {"form": form, "page": None})
        # The same answer whether nobody has the number or nobody in the viewer's scope looked
        # at that person: the log's filter tells nothing about the registry.
        if (
            person is None
            or not selectors.access_log_list(viewer=request.user, person_id=person.pk).exists()
        ):
            form.add_error("id_number", _("No entry of the access log is about this ID number."))
            return _render(request, "staff/access_log.html", {"form": form, "page": None})
        person_id = person.pk
    query = urlencode(_filter_query(form, person_id))
    return redirect(f"{reverse('staff:access_log')}{'?' if query else ''}{query}")


def _access_log_list(request: HttpRequest, form: AccessLogFilterForm) -> HttpResponse:
    data = form.cleaned_data if form.is_bound else {}
    person_id = data.get("person")
    try:
        entries = selectors.access_log_list(
            viewer=request.user,
            staff_username=data.get("staff") or "",
            person_id=person_id,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
    except Problem as problem:
        if problem.status == 403:
            raise PermissionDenied from problem
        _add_problem(form, problem)
        return _render(request, "staff/access_log.html", {"form": form, "page": None})
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(data.get("page") or 1)
    query = urlencode(_filter_query(form, person_id)) if form.is_bound else ""
    return _render(
        request,
        "staff/access_log.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "person": selectors.access_log_person_summary(viewer=request.user, person_id=person_id),
            "filtered": bool(query),
        },
    )
