"""Pages of the hall reception, under /staff/reception/ (namespace staff:reception)."""

from django.urls import path

from . import views

app_name = "reception"

urlpatterns = [
    path("", views.today, name="today"),
    path("check-in/", views.check_in, name="check_in"),
    path("walk-in/", views.walk_in, name="walk_in"),
    path("walk-in/<id:person_id>/", views.walk_in_person, name="walk_in_person"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/materials/", views.materials, name="materials"),
    path("<str:number>/fingerprints/", views.fingerprints, name="fingerprints"),
    path("<str:number>/photo/", views.photo, name="photo"),
    path("<str:number>/photo/upload/", views.photo_upload, name="photo_upload"),
    path("<str:number>/fee/", views.fee, name="fee"),
    path("<str:number>/accept/", views.accept, name="accept"),
    path("<str:number>/not-accepted/", views.not_accepted, name="not_accepted"),
]
