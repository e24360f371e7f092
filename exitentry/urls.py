from django.contrib import admin
from django.urls import include, path

from core import views as core_views

from .api import api

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", core_views.home, name="home"),
    path("", include("guide.urls")),
    path("", include("accounts.urls")),
    path("", include("documents.urls")),
    path("", include("appointments.urls")),
    path("", include("applications.urls")),
    path("", include("notifications.urls")),
    path("", include("crossings.urls")),
    path("staff/", include("staff.urls")),
]
