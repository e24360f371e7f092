"""The questions of the booking journey, one form per page, and the forms around appointments.

The forms only check the shape of an answer (a choice from the list, a date); whether the
answers fit the person's documents is checked by appointments.applying, as the API does.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.phones import phone_national
from core.forms import BoundedDateField
from documents.models import DocumentType
from guide.forms import HallSearchForm as GuideHallSearchForm

from .applying import DELIVERIES, ENDORSEMENTS, KINDS, MAX_ENDORSEMENTS, REPLACEMENT_REASONS
from .models import ApplicationKind

IDEMPOTENCY_KEY = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Option:
    """A choice's label with the hint shown under it (templates read `.hint`)."""

    label: object
    hint: object = ""

    def __str__(self) -> str:
        return str(self.label)


DOCUMENT_HINTS = {
    DocumentType.PASSPORT: _("For travel abroad."),
    DocumentType.HK_MACAO_PASS: _("A card pass with endorsements for each trip or stay."),
    DocumentType.TAIWAN_PERMIT: _("A card pass with endorsements for visits to Taiwan."),
}

KIND_HINTS = {
    ApplicationKind.FIRST: _("You have never held this document."),
    ApplicationKind.RENEWAL: _("Your document is expiring, has expired or is full."),
    ApplicationKind.REPLACEMENT: _("Your document was lost, stolen or damaged."),
}

REASON_HINTS = {
    "lost": _("Report it lost in My documents first."),
    "damaged": _("Bring the damaged document to the hall."),
}


def _radio(label, choices, error) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": error, "invalid_choice": error},
    )


class WhoForm(forms.Form):
    """Who the appointment is for: the citizen or one of the minors they act for."""

    def __init__(self, *args, persons, self_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        for person in persons:
            if person.pk == self_id:
                option = Option(
                    _("Myself (%(name)s)") % {"name": person.name},
                )
            else:
                option = Option(
                    person.name,
                    _("Your child, born %(date)s") % {"date": person.birth_date.isoformat()},
                )
            choices.append((str(person.pk), option))
        self.fields["person"] = _radio(
            _("Who is the appointment for?"),
            choices,
            _("Choose who the appointment is for."),
        )


class DocumentForm(forms.Form):
    document_type = _radio(
        _("Which document do you want to apply for?"),
        [(value, Option(label, DOCUMENT_HINTS[value])) for value, label in DocumentType.choices],
        _("Choose a document."),
    )


class KindForm(forms.Form):
    def __init__(self, *args, document_type: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"] = _radio(
            _("Which application is it?"),
            [
                (kind.value, Option(kind.label, KIND_HINTS[kind]))
                for kind in KINDS[DocumentType(document_type)]
            ],
            _("Choose which application this is."),
        )


class ReasonForm(forms.Form):
    replacement_reason = _radio(
        _("Why is the document being replaced?"),
        [
            (code, Option(label, REASON_HINTS.get(code, "")))
            for code, label in REPLACEMENT_REASONS.items()
        ],
        _("Say why the document is replaced: lost or damaged."),
    )


class EndorsementsForm(forms.Form):
    """The endorsements wanted with a new card pass; none is a valid answer."""

    def __init__(self, *args, document_type: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["endorsements"] = forms.MultipleChoiceField(
            label=_("Which endorsements do you want with the new pass?"),
            help_text=_(
                "Choose up to %(count)d, or none. You can also apply for endorsements later."
            )
            % {"count": MAX_ENDORSEMENTS},
            choices=[(o.code, o.label) for o in ENDORSEMENTS[DocumentType(document_type)]],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            error_messages={"invalid_choice": _("Choose endorsements from the list.")},
        )


class PhoneForm(forms.Form):
    contact_phone = forms.CharField(
        label=_("Which mobile number can the hall reach you on?"),
        help_text=_("We send the confirmation and any change to this number."),
        max_length=32,
        error_messages={"required": _("Give a mobile number to reach you.")},
        widget=forms.TextInput(
            attrs={
                "class": "input input--width-10",
                "type": "tel",
                "autocomplete": "tel",
                "inputmode": "tel",
            }
        ),
    )

    delivery = forms.ChoiceField(
        label=_("How do you want to receive the document?"),
        help_text=_("You can change this on your application until production starts."),
        choices=list(DELIVERIES.items()),
        required=False,
        widget=forms.RadioSelect,
    )
    delivery_address = forms.CharField(
        label=_("Postal address for delivery by mail"),
        help_text=_("Province, city, district, street and number, and the recipient's name."),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"class": "textarea", "rows": 3, "autocomplete": "off"}),
    )

    @staticmethod
    def initial_for(phone: str, delivery: str = "", address: str = "") -> dict:
        initial = {"contact_phone": phone_national(phone)} if phone else {}
        return initial | {"delivery": delivery or "collect", "delivery_address": address}


class HallSearchForm(GuideHallSearchForm):
    """The hall finder's text, region and "near a place" questions; the service is fixed by
    the document."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("service", "open_now"):
            del self.fields[name]


class HallChoiceForm(forms.Form):
    hall = forms.CharField(
        max_length=20, error_messages={"required": _("Choose a hall from the list.")}
    )


class WeekForm(forms.Form):
    """Which week of times to show."""

    week = BoundedDateField(
        label=_("Show times from"),
        help_text=_("For example 2026-10-01."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input input--width-10"}),
        error_messages={"invalid": _("Enter a date such as 2026-10-01.")},
    )


class SlotForm(forms.Form):
    """The time chosen from the week shown."""

    slot = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": _("Choose a time."),
            "invalid": _("Choose a time."),
            "min_value": _("Choose a time."),
            "max_value": _("Choose a time."),
        },
    )
    week = BoundedDateField(required=False)
    days = forms.IntegerField(required=False, min_value=1, max_value=31)


class BookForm(forms.Form):
    """The check-your-answers page's button, with the key that makes a double submit book once."""

    idempotency_key = forms.RegexField(
        regex=IDEMPOTENCY_KEY,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This page has expired. Check your answers and book again."),
            "invalid": _("This page has expired. Check your answers and book again."),
        },
    )


class SeatAlertForm(forms.Form):
    """ "Tell me when a seat opens" at a hall for a service, between two dates."""

    hall = forms.CharField(max_length=20, widget=forms.HiddenInput)
    service = forms.CharField(max_length=40, widget=forms.HiddenInput)
    date_from = BoundedDateField(
        label=_("From"),
        help_text=_("For example 2026-10-01."),
        widget=forms.DateInput(attrs={"type": "date", "class": "input input--width-10"}),
        error_messages={
            "required": _("Enter the first day you could go."),
            "invalid": _("Enter a date such as 2026-10-01."),
        },
    )
    date_to = BoundedDateField(
        label=_("To"),
        help_text=_("For example 2026-10-14."),
        widget=forms.DateInput(attrs={"type": "date", "class": "input input--width-10"}),
        error_messages={
            "required": _("Enter the last day you could go."),
            "invalid": _("Enter a date such as 2026-10-14."),
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
