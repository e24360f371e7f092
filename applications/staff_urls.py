"""Pages of applications for staff, under /staff/applications/ (namespace staff:applications)."""

from django.urls import path

from . import staff_views as views

app_name = "applications"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("production/", views.production, name="production"),
    path("supervision/", views.supervision, name="supervision"),
    path("<slug:number>/", views.detail, name="detail"),
    path("<slug:number>/<slug:action>/", views.act, name="act"),
]
