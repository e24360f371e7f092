"""Forms of the certificate pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CertificateKind


class CertificateRequestForm(forms.Form):
    person = forms.TypedChoiceField(label=_("For whom"), coerce=int)
    kind = forms.ChoiceField(label=_("Certificate"), choices=CertificateKind.choices)
    period_start = forms.DateField(
        label=_("From"),
        required=False,
        help_text=_("Entry/exit records: within the last 10 years, for example 2020-01-31."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        max_length=200,
        help_text=_("Entry/exit records: what the certificate is for, for example a visa."),
    )

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name_zh) for p in persons]


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        required=False,
        max_length=40,
        help_text=_("16 letters and digits, as printed on the certificate."),
    )
    file = forms.FileField(
        label=_("The certificate's PDF file"),
        required=False,
        help_text=_("At most 2 MB."),
    )


class VerifyQrForm(forms.Form):
    payload = forms.CharField(
        label=_("The QR code's text"),
        max_length=4096,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Scan the QR code with any reader and paste the text, which starts EEC1:"),
    )


class VerifyQrImageForm(forms.Form):
    image = forms.FileField(
        label=_("A photo of the QR code"),
        help_text=_(
            "On a phone this opens the camera: photograph the QR code on the certificate, "
            "printed or on a screen. A picture file or a screenshot does too (at most 10 MB)."
        ),
        # capture: a phone opens its rear camera at once; accept: pictures only in the chooser.
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class RevokeForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=40)
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
