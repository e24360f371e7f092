from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("documents/", views.document_list, name="list"),
    path("documents/<id:pk>/", views.document_detail, name="detail"),
    path("documents/<id:pk>/report-lost/", views.document_report_lost, name="report_lost"),
]
