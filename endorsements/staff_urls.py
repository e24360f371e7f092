"""Pages of endorsements for staff, under /staff/endorsements/ (namespace staff:endorsements)."""

from django.urls import path

from . import staff_views as views

app_name = "endorsements"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("pass/", views.on_pass, name="on_pass"),
    path("restrictions/", views.restrictions, name="restrictions"),
    path("restrictions/place/", views.restriction_place, name="restriction_place"),
    path("restrictions/<id:pk>/lift/", views.restriction_lift, name="restriction_lift"),
    path("<slug:number>/", views.detail, name="detail"),
    path("<slug:number>/label.pdf", views.label, name="label"),
    path("<slug:number>/<slug:action>/", views.act, name="act"),
]
