"""Staff pages of certificates, under /staff/certificates/ (namespace staff:certificates)."""

from django.urls import path

from . import staff_views as views

app_name = "certificates"

urlpatterns = [
    path("", views.revoke, name="revoke"),
]
