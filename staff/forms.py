import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import Problem
from core.forms import BoundedDateField, IdField
from persons.services import id_number_field

from . import services


def _problem_to_error(check, value):
    """Run one of the services' checks and give its message as a form error."""
    try:
        return check(value)
    except Problem as problem:
        raise ValidationError(problem.detail, code=problem.code) from None


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"class": "input", "autocomplete": "username", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter your username.")},
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "input", "autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )
    otp_code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6 digits your authenticator app shows now, for example 123456."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": "input input--width-10",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
    )

    def clean_otp_code(self) -> str:
        # Apps often show the code as "123 456".
        code = "".join(self.cleaned_data["otp_code"].split())
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError(_("The code is 6 digits, for example 123456."), code="invalid")
        return code


class PersonLookupForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number"),
        help_text=_("18 characters: 17 digits and a last digit or X."),
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "input input--width-20", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the person's ID number.")},
    )
    reason = forms.CharField(
        label=_("Reason for the lookup"),
        help_text=_(
            "Why you need this person's data, for example the application number and what you "
            "are checking. At least 10 characters. It is kept in the access log."
        ),
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "input", "rows": 3}),
        error_messages={"required": _("Enter the reason why you need this person's data.")},
    )

    def clean_id_number(self) -> str:
        return _problem_to_error(id_number_field, self.cleaned_data["id_number"])

    def clean_reason(self) -> str:
        return _problem_to_error(services.lookup_reason_clean, self.cleaned_data["reason"])


class AccessLogFilterForm(forms.Form):
    """Filters of the access log. A full ID number is only ever POSTed: the view turns it into
    the person's record id, so that it never stands in a URL."""

    staff = forms.CharField(
        label=_("Staff username"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"class": "input input--width-20", "spellcheck": "false"}),
    )
    id_number = forms.CharField(
        label=_("Person's ID number"),
        help_text=_("The full 18-character number; entries show it masked."),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "input input--width-20", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    person = IdField(required=False, widget=forms.HiddenInput)
    date_from = BoundedDateField(
        label=_("From"),
        help_text=_("For example 2026-10-01."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input input--width-10"}),
    )
    date_to = BoundedDateField(
        label=_("To"),
        help_text=_("For example 2026-10-31."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input input--width-10"}),
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput
    )
