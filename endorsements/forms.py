"""The questions of the endorsement pages. Checks beyond "is it there" live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, PaymentMethod, RejectionReason, Relationship

IDEMPOTENCY_KEY = r"^[0-9a-f]{32}$"


def _input(**attrs) -> dict:
    return {"class": "input", "spellcheck": "false", "autocomplete": "off", **attrs}


class ApplyForm(forms.Form):
    """One page: the pass, the endorsements, the answers some types need, where to pay."""

    document = forms.TypedChoiceField(
        label=_("Which pass?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the pass the endorsement goes on.")},
    )
    options = forms.MultipleChoiceField(
        label=_("Which endorsements?"),
        help_text=_("Choose one or more. The fee of each is shown."),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one endorsement.")},
    )
    relative_name = forms.CharField(
        label=_("Name of the relative you visit"),
        help_text=_("Only for visiting relatives."),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=_input()),
    )
    relationship = forms.ChoiceField(
        label=_("Your relationship to them"),
        help_text=_("Only for visiting relatives."),
        choices=[("", "–"), *Relationship.choices],
        required=False,
    )
    inviting_company = forms.CharField(
        label=_("Inviting company or organisation"),
        help_text=_("Only for business and invited endorsements."),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=_input()),
    )
    purpose = forms.CharField(
        label=_("Purpose of the trip"),
        help_text=_("Only for other, stay and settlement endorsements."),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=_input()),
    )
    channel = forms.ChoiceField(
        label=_("Where will you pay and have it printed?"),
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a hall or a self-service kiosk.")},
    )
    hall = forms.ChoiceField(
        label=_("Hall (any hall in the country)"),
        help_text=_("Only when you pay and print at a hall."),
        required=False,
    )
    idempotency_key = forms.RegexField(
        regex=IDEMPOTENCY_KEY,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This page has expired. Fill it in again."),
            "invalid": _("This page has expired. Fill it in again."),
        },
    )

    def __init__(self, *args, passes=(), options=(), halls=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = list(passes)
        self.fields["options"].choices = list(options)
        self.fields["hall"].choices = [("", "–"), *halls]
        self.fields["relationship"].widget.attrs.update({"class": "input"})
        self.fields["hall"].widget.attrs.update({"class": "input"})


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("Reason"), choices=RejectionReason.choices)
    reason = forms.CharField(label=_("What the applicant reads"), max_length=500)


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=40)


class KioskForm(forms.Form):
    pass_number = forms.CharField(
        label=_("Pass number"), max_length=9, widget=forms.TextInput(attrs=_input())
    )
    id_number = forms.CharField(
        label=_("ID number"), max_length=18, widget=forms.TextInput(attrs=_input())
    )
