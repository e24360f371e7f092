"""Forms of the reception pages. They only parse; the services check everything that matters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.applying import ENDORSEMENTS, KINDS, REPLACEMENT_REASONS
from appointments.models import ApplicationKind
from documents.models import DocumentType
from persons.services import id_number_field
from staff.forms import _problem_to_error

from .models import PaymentMethod

_TEXT = {"class": "input input--width-20", "autocomplete": "off", "spellcheck": "false"}


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Appointment number or QR code"),
        help_text=_(
            "Type the 12-character number (spaces, hyphens and small letters are fine) or scan "
            "the QR code of the confirmation into this field."
        ),
        max_length=100,
        widget=forms.TextInput(attrs={**_TEXT, "autofocus": True}),
        error_messages={"required": _("Enter the appointment number.")},
    )


def _hall_choices(halls) -> list[tuple[str, str]]:
    return [(hall.code, f"{hall.name} ({hall.code})") for hall in halls]


class WalkInLookupForm(forms.Form):
    hall = forms.ChoiceField(
        label=_("Hall"),
        error_messages={"required": _("Choose the hall."), "invalid_choice": _("Choose the hall.")},
    )
    id_number = forms.CharField(
        label=_("ID number"),
        help_text=_(
            "18 characters: 17 digits and a last digit or X. The lookup is recorded in the "
            "access log as a walk-in at this hall."
        ),
        max_length=40,
        widget=forms.TextInput(attrs=_TEXT),
        error_messages={"required": _("Enter the person's ID number.")},
    )

    def __init__(self, *args, halls, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hall"].choices = _hall_choices(halls)
        self.fields["hall"].widget.attrs["class"] = "input"

    def clean_id_number(self) -> str:
        return _problem_to_error(id_number_field, self.cleaned_data["id_number"])


class WalkInForm(forms.Form):
    document_type = forms.ChoiceField(
        label=_("Document"),
        choices=[(value, label) for value, label in DocumentType.choices if value in KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a document.")},
    )
    kind = forms.ChoiceField(
        label=_("Application"),
        choices=ApplicationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose which application this is.")},
    )
    replacement_reason = forms.ChoiceField(
        label=_("Why is the document replaced?"),
        help_text=_("Only for a replacement."),
        choices=list(REPLACEMENT_REASONS.items()),
        widget=forms.RadioSelect,
        required=False,
    )
    endorsements = forms.MultipleChoiceField(
        label=_("Endorsements wanted"),
        help_text=_("Only for a Hong Kong and Macao pass or a Taiwan permit."),
        choices=[(o.code, o.label) for options in ENDORSEMENTS.values() for o in options],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    contact_phone = forms.CharField(
        label=_("Mobile number"),
        help_text=_("Leave empty to use the number in the registry."),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**_TEXT, "inputmode": "tel"}),
    )

    def details(self) -> dict:
        data = self.cleaned_data
        details: dict = {}
        if data.get("replacement_reason"):
            details["replacement_reason"] = data["replacement_reason"]
        if data.get("endorsements"):
            details["endorsements"] = list(data["endorsements"])
        if data.get("contact_phone"):
            details["contact_phone"] = data["contact_phone"]
        return details


class MaterialsForm(forms.Form):
    checked = forms.TypedMultipleChoiceField(
        label=_("Materials shown"),
        help_text=_("Tick each item once you have seen it. All of them are needed."),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, items: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checked"].choices = [(str(i), item) for i, item in enumerate(items)]
        for index, item in enumerate(items):
            self.fields[f"reason_{index}"] = forms.CharField(
                label=_("Not applicable to this applicant: why?"),
                help_text=item,
                required=False,
                max_length=200,
                error_messages={"max_length": _("Give the reason in at most 200 characters.")},
            )

    def reason_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith("reason_")]

    def clean(self) -> dict:
        data = super().clean()
        data["not_applicable"] = {
            int(name.removeprefix("reason_")): value.strip()
            for name, value in data.items()
            if name.startswith("reason_") and value and value.strip()
        }
        return data


class FingerprintsForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("The fingerprints were captured on the scanner."),
        error_messages={"required": _("Confirm that the fingerprints were captured.")},
    )


class PhotoForm(forms.Form):
    # A plain file field: the service checks the content (not the name or the type declared).
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_(
            "JPEG or PNG, portrait, 300 x 400 to 2000 x 2000 pixels, at most 2 MB. It is "
            "stored without its metadata and is never public."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        error_messages={"required": _("Choose the photo to upload.")},
    )


class FeeForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Paid by"),
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the fee was paid.")},
    )
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=60,
        widget=forms.TextInput(attrs=_TEXT),
        error_messages={"required": _("Enter the receipt number.")},
    )


class NotAcceptedForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the applicant reads it)"),
        help_text=_("For example which material is missing and what to bring next time."),
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "input", "rows": 3}),
        error_messages={"required": _("Give the reason the application was not accepted.")},
    )
