"""Health checks, the home page, and the site-wide error pages."""

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .errors import problem_response


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up (no dependencies checked)."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The process can serve: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def _wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return problem_response(request, status=404)
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_problem(request):
        return problem_response(request, status=500)
    return render(request, "core/500.html", status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return problem_response(request, status=400)
    return render(request, "core/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return problem_response(request, status=403)
    return render(request, "core/403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_problem(request):
        return problem_response(request, status=403, code="csrf_failed")
    return render(request, "core/403.html", {"csrf": True}, status=403)
