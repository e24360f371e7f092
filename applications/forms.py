"""The questions of the citizen's application pages and of the progress lookup. Checks
beyond "is it there" live in the services (progress.py for the lookup)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Delivery


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("How do you want to receive the document?"),
        help_text=_("You can change this until production starts."),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose collection at the hall or delivery by mail.")},
    )
    delivery_address = forms.CharField(
        label=_("Postal address for delivery by mail"),
        help_text=_("Province, city, district, street and number, and the recipient's name."),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"class": "textarea", "rows": 3, "autocomplete": "off"}),
    )


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
