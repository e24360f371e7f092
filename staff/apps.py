from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self) -> None:
        from django.contrib import admin

        from .admin_site import StaffAdminSite

        # The back-office asks for the second factor too: the default site (and everything
        # registered on it, in any app) becomes an OTP-verified site.
        admin.site.__class__ = StaffAdminSite
