"""The questions of the applications pages. Checks beyond "is it there" live in progress.py."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _input(**attrs) -> dict:
    return {"class": "input", "spellcheck": "false", "autocomplete": "off", **attrs}


class ProgressLookupForm(forms.Form):
    application_number = forms.CharField(
        label=_("Application number"),
        help_text=_("14 digits, on your acceptance receipt. For example, 26112512345678."),
        max_length=64,
        error_messages={"required": _("Enter the application number.")},
        widget=forms.TextInput(
            attrs=_input(inputmode="numeric", **{"class": "input input--width-20"})
        ),
    )
    id_number = forms.CharField(
        label=_("Applicant's resident ID number"),
        help_text=_("18 characters: 17 digits, then a digit or X."),
        max_length=64,
        error_messages={"required": _("Enter the applicant's ID number.")},
        widget=forms.TextInput(attrs=_input(**{"class": "input input--width-20"})),
    )
