from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("applications/", views.application_list, name="list"),
    path("applications/<slug:number>/", views.application_detail, name="detail"),
    path("applications/<slug:number>/withdraw/", views.application_withdraw, name="withdraw"),
    path("applications/<slug:number>/delivery/", views.application_delivery, name="delivery"),
    path("applications/<slug:number>/receipt.pdf", views.application_receipt, name="receipt"),
    path("progress/", views.progress_lookup, name="progress"),
]
