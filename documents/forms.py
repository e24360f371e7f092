from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LossReport
from .services import MAX_LOSS_CIRCUMSTANCES, MAX_LOSS_PLACE


class ReportLostForm(forms.Form):
    """When, where and how the document was lost (as the authority's 挂失 form asks), and the
    confirmation before it is reported lost."""

    lost_on = forms.DateField(
        label=_("When was it lost?"),
        help_text=_("The date, or your best guess, for example 2026-03-27."),
        error_messages={
            "required": _("Enter the date the document was lost."),
            "invalid": _("Enter the date as year-month-day, for example 2026-03-27."),
        },
    )
    place = forms.CharField(
        label=_("Where was it lost?"),
        help_text=_("The city and the place, for example: Shenzhen, Luohu railway station."),
        max_length=MAX_LOSS_PLACE,
        error_messages={
            "required": _("Enter where the document was lost."),
            "max_length": _("Where the document was lost must be 200 characters or fewer."),
        },
    )
    how = forms.ChoiceField(
        label=_("How was it lost?"),
        choices=LossReport.How.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the document was lost."),
            "invalid_choice": _("Choose how the document was lost."),
        },
    )
    circumstances = forms.CharField(
        label=_("What happened (optional)"),
        help_text=_("For a theft, the police station you reported it to."),
        required=False,
        max_length=MAX_LOSS_CIRCUMSTANCES,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("What happened must be 500 characters or fewer.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that this document can no longer be used once it is reported lost."),
        error_messages={
            "required": _("Confirm that you understand the document can no longer be used.")
        },
    )
