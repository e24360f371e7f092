from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("appointments/", views.appointment_list, name="list"),
    path("appointments/new/", views.booking_start, name="new"),
    path("appointments/new/who/", views.booking_who, name="new_who"),
    path("appointments/new/document/", views.booking_document, name="new_document"),
    path("appointments/new/application/", views.booking_application, name="new_application"),
    path("appointments/new/reason/", views.booking_reason, name="new_reason"),
    path("appointments/new/endorsements/", views.booking_endorsements, name="new_endorsements"),
    path("appointments/new/phone/", views.booking_phone, name="new_phone"),
    path("appointments/new/hall/", views.booking_hall, name="new_hall"),
    path("appointments/new/time/", views.booking_time, name="new_time"),
    path("appointments/new/check/", views.booking_check, name="new_check"),
    path("appointments/new/book/", views.booking_book, name="new_book"),
    path("appointments/alerts/new/", views.seat_alert_new, name="alert_new"),
    path("appointments/alerts/<id:pk>/cancel/", views.seat_alert_cancel, name="alert_cancel"),
    path("appointments/<slug:number>.ics", views.appointment_ics, name="ics"),
    path("appointments/<slug:number>/", views.appointment_detail, name="detail"),
    path(
        "appointments/<slug:number>/booked/",
        views.appointment_confirmation,
        name="confirmation",
    ),
    path("appointments/<slug:number>/cancel/", views.appointment_cancel, name="cancel"),
    path(
        "appointments/<slug:number>/reschedule/",
        views.appointment_reschedule,
        name="reschedule",
    ),
    path(
        "appointments/<slug:number>/reschedule/hall/",
        views.appointment_reschedule_hall,
        name="reschedule_hall",
    ),
    path(
        "appointments/<slug:number>/reschedule/confirm/",
        views.appointment_reschedule_confirm,
        name="reschedule_confirm",
    ),
]
