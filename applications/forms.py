"""Forms of the citizen's application pages."""

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
