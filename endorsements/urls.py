from django.urls import path

from . import views

app_name = "endorsements"

urlpatterns = [
    path("endorsements/", views.endorsement_list, name="list"),
    path("endorsements/apply/", views.endorsement_apply, name="apply"),
    path("endorsements/<id:pk>/", views.endorsement_detail, name="detail"),
    path("endorsements/<id:pk>/withdraw/", views.endorsement_withdraw, name="withdraw"),
    path("kiosk/endorsements/", views.kiosk, name="kiosk"),
    path("kiosk/endorsements/pay/", views.kiosk_pay, name="kiosk_pay"),
]
