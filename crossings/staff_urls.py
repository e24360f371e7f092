from django.urls import path

from . import staff_views as views

app_name = "crossings"

urlpatterns = [
    path("flagged/", views.flagged, name="flagged"),
]
