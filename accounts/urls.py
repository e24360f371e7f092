from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.account_view, name="account"),
    path("accounts/language/", views.language_view, name="language"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/login/confirm/", views.login_confirm_view, name="login_confirm"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/register/", views.register_view, name="register"),
    path("accounts/register/confirm/", views.register_confirm_view, name="register_confirm"),
    path("accounts/password-reset/", views.password_reset_view, name="password_reset"),
    path(
        "accounts/password-reset/confirm/",
        views.password_reset_confirm_view,
        name="password_reset_confirm",
    ),
    path("accounts/identity/", views.identity_view, name="identity"),
    path("accounts/identity/confirm/", views.identity_confirm_view, name="identity_confirm"),
    path("accounts/devices/", views.devices_view, name="devices"),
    path(
        "accounts/devices/<id:token_id>/revoke/",
        views.device_revoke_view,
        name="device_revoke",
    ),
    path(
        "accounts/devices/known/<id:device_id>/forget/",
        views.device_forget_view,
        name="device_forget",
    ),
    path("accounts/phone/", views.change_phone_view, name="change_phone"),
    path("accounts/phone/confirm/", views.change_phone_confirm_view, name="change_phone_confirm"),
    path("accounts/email/", views.change_email_view, name="change_email"),
    path("accounts/confirm-it-is-you/", views.step_up_view, name="step_up"),
    path("accounts/password/", views.password_change_view, name="password_change"),
    path("accounts/email/confirm/", views.change_email_confirm_view, name="change_email_confirm"),
]
