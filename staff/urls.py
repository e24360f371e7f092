from django.urls import include, path

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_home, name="home"),
    path("login/", views.staff_login, name="login"),
    path("logout/", views.staff_logout, name="logout"),
    path("persons/lookup/", views.person_lookup, name="person_lookup"),
    path("persons/<id:person_id>/", views.person_detail, name="person_detail"),
    path(
        "persons/<id:person_id>/reveal-id-number/",
        views.person_reveal_id_number,
        name="person_reveal_id_number",
    ),
    path("access-log/", views.access_log, name="access_log"),
    path("reception/", include("reception.urls")),
    path("applications/", include("applications.staff_urls")),
    path("certificates/", include("certificates.staff_urls")),
    path("endorsements/", include("endorsements.staff_urls")),
    path("crossings/", include("crossings.staff_urls")),
]
