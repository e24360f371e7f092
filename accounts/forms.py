"""The questions of the account pages. Checks beyond "is it there" live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _input(**attrs) -> dict:
    return {"class": "input", "spellcheck": "false", **attrs}


def _phone_field(label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Mobile number"),
        help_text=_("A mainland China mobile number, for example 139 1234 5678."),
        max_length=32,
        error_messages={"required": _("Enter your mobile number.")},
        widget=forms.TextInput(attrs=_input(type="tel", autocomplete="tel", inputmode="tel")),
    )


def _password_field(*, new: bool, label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Password"),
        help_text=(
            _(
                "8 to 128 characters. Avoid sequences, keyboard runs, dates, your mobile number "
                "and common words: a few unrelated words make a strong password."
            )
            if new
            else ""
        ),
        max_length=128,
        strip=False,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(
            attrs=_input(autocomplete="new-password" if new else "current-password")
        ),
    )


def _email_field(*, required: bool, label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Email address"),
        help_text="" if required else _("Optional. We use it only to send you codes and notices."),
        max_length=254,
        required=required,
        error_messages={"required": _("Enter your email address.")},
        widget=forms.TextInput(attrs=_input(type="email", autocomplete="email", inputmode="email")),
    )


class LoginForm(forms.Form):
    phone = _phone_field()
    password = _password_field(new=False)


class RegisterForm(forms.Form):
    phone = _phone_field()
    password = _password_field(new=True)
    email = _email_field(required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        help_text=_("The 6 digits in the message we sent. It is valid for 10 minutes."),
        max_length=16,
        error_messages={"required": _("Enter the 6-digit code from the message.")},
        widget=forms.TextInput(
            attrs=_input(
                autocomplete="one-time-code",
                inputmode="numeric",
                **{"class": "input input--width-10"},
            )
        ),
    )


class IdentityForm(forms.Form):
    name = forms.CharField(
        label=_("Full name"),
        help_text=_("Exactly as on your resident ID card, in Chinese characters."),
        max_length=100,
        error_messages={"required": _("Enter your name as written on your ID card.")},
        widget=forms.TextInput(attrs=_input(autocomplete="name")),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        help_text=_("18 characters: 17 digits, then a digit or X."),
        max_length=32,
        error_messages={"required": _("Enter your ID number.")},
        widget=forms.TextInput(attrs=_input(autocomplete="off")),
    )


class PasswordResetForm(forms.Form):
    phone = _phone_field()


class PasswordResetConfirmForm(CodeForm):
    password = _password_field(new=True, label=_("New password"))


class PhoneChangeForm(forms.Form):
    phone = _phone_field(label=_("New mobile number"))
    password = _password_field(new=False, label=_("Your password"))


class EmailChangeForm(forms.Form):
    email = _email_field(required=True, label=_("New email address"))
    password = _password_field(new=False, label=_("Your password"))


class PasswordChangeForm(forms.Form):
    current_password = _password_field(new=False, label=_("Current password"))
    new_password = _password_field(new=True, label=_("New password"))
