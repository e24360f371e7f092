from django.urls import path

from . import views

app_name = "guide"

urlpatterns = [
    path("halls/", views.hall_search, name="hall_search"),
    path("halls/<str:code>/", views.hall_detail, name="hall_detail"),
    path("guides/", views.guide_list, name="guide_list"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide_detail"),
]
