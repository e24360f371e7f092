"""The back-office behind the staff sign-in: TOTP-verified staff with a role, nobody else."""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp.admin import OTPAdminSite

from .selectors import staff_is_verified


class StaffAdminSite(OTPAdminSite):
    """django-otp's OTPAdminSite, signing in through /staff/login/.

    One sign-in page for all staff: it asks for the TOTP code and goes through django-axes,
    so the admin's own password-only form is never offered.
    """

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and staff_is_verified(request)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        return redirect_to_login(next_url, reverse("staff:login"))
