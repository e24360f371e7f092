from django import forms
from django.utils.translation import gettext_lazy as _


class ReportLostForm(forms.Form):
    """The confirmation step before a document is reported lost."""

    confirm = forms.BooleanField(
        label=_("I understand that this document can no longer be used once it is reported lost."),
        error_messages={
            "required": _("Confirm that you understand the document can no longer be used.")
        },
    )
