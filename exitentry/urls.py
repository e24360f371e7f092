from django.contrib import admin
from django.urls import include, path

from accounts.views import set_language_view
from core import views as core_views
from endorsements import views as endorsement_views

from .api import api

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    # The public endorsement policy, documented in the API (endorsements.api.policy), served by a
    # plain view: the same cached bytes without the API framework's per-request work.
    path("api/v1/endorsements/policy", endorsement_views.policy_json),
    path("api/v1/", api.urls),
    # The language switcher: Django's set_language, which also sets a signed-in citizen's
    # language of messages (accounts.User.language).
    path("i18n/setlang/", set_language_view, name="set_language"),
    path("admin/", admin.site.urls),
    path("", core_views.home, name="home"),
    path("", include("guide.urls")),
    path("", include("accounts.urls")),
    path("", include("documents.urls")),
    path("", include("appointments.urls")),
    path("", include("applications.urls")),
    path("", include("endorsements.urls")),
    path("", include("notifications.urls")),
    path("", include("certificates.urls")),
    path("", include("crossings.urls")),
    path("staff/", include("staff.urls")),
]
