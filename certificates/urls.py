from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("certificates/", views.certificate_list, name="list"),
    path("certificates/<int:pk>.pdf", views.certificate_download, name="download"),
    path("verify/", views.verify, name="verify"),
    path("trust/ca.crl", views.ca_crl, name="ca_crl"),
]
