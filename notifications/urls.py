from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("accounts/messages/", views.inbox_view, name="inbox"),
    path("accounts/messages/read/", views.inbox_read_view, name="read"),
    path("accounts/messages/preferences/", views.preferences_view, name="preferences"),
]
