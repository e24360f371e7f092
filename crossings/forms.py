from django import forms
from django.utils.translation import gettext_lazy as _

from core.bounds import MAX_DATE, MAX_ID, MIN_DATE


class CrossingsFilterForm(forms.Form):
    """The period and document of "My entry/exit records" (a GET form: links can be shared)."""

    person = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    start = forms.DateField(
        label=_("From"),
        required=False,
        error_messages={"invalid": _("Enter the date as year-month-day, for example 2026-03-27.")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        error_messages={"invalid": _("Enter the date as year-month-day, for example 2026-03-27.")},
    )
    document = forms.IntegerField(
        label=_("Document"), required=False, min_value=1, max_value=MAX_ID
    )
    before = forms.CharField(required=False, max_length=48)

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            value = cleaned.get(name)
            if value is not None and not MIN_DATE <= value <= MAX_DATE:
                self.add_error(name, _("Enter a date between 1900 and 2199."))
        return cleaned
