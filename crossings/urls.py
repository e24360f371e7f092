from django.urls import path

from . import views

app_name = "crossings"

urlpatterns = [
    path("crossings/", views.my_crossings, name="mine"),
]
