from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField

from . import selectors


class HallWeekForm(forms.Form):
    """Which week of a hall's hours to show."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so the field is added by name.
        self.fields["from"] = BoundedDateField(
            label=_("Show hours from"),
            help_text=_("For example 2026-10-01."),
            required=False,
            widget=forms.DateInput(attrs={"type": "date", "class": "input input--width-10"}),
        )


class HallSearchForm(forms.Form):
    """The hall finder's questions; every field optional."""

    q = forms.CharField(
        label=_("Name, place or address"),
        help_text=_("Chinese, pinyin or English, for example 罗湖, luohu or Luohu."),
        required=False,
        max_length=selectors.MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "Enter at most %(limit_value)d characters: a name or a place is enough."
            )
        },
    )
    region = forms.ChoiceField(
        label=_("Province or city"),
        required=False,
        error_messages={"invalid_choice": _("Choose a province or city from the list.")},
    )
    service = forms.ChoiceField(
        label=_("Service"),
        required=False,
        error_messages={"invalid_choice": _("Choose a service from the list.")},
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        error_messages={
            "invalid": _("Enter the latitude as a number, for example 22.533."),
            "min_value": _("Enter a latitude from -90 to 90, for example 22.533."),
            "max_value": _("Enter a latitude from -90 to 90, for example 22.533."),
        },
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        error_messages={
            "invalid": _("Enter the longitude as a number, for example 114.113."),
            "min_value": _("Enter a longitude from -180 to 180, for example 114.113."),
            "max_value": _("Enter a longitude from -180 to 180, for example 114.113."),
        },
    )
    open_now = forms.BooleanField(label=_("Only halls open now"), required=False)
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=5000,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("There is no such page of results: start from the first page."),
            "min_value": _("There is no such page of results: start from the first page."),
            "max_value": _("There is no such page of results: start from the first page."),
        },
    )

    def __init__(self, *args, language_zh: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        regions: list = [("", _("Anywhere in China"))]
        for province, cities in selectors.region_choices():
            name = province.name_zh if language_zh else province.name_en
            group = [(province.code, _("All of %(name)s") % {"name": name})]
            group += [
                (
                    c.code,
                    ("— " if c.level == "county" else "")
                    + (c.name_zh if language_zh else c.name_en),
                )
                for c in cities
            ]
            regions.append((name, group))
        self.fields["region"].choices = regions
        self.fields["service"].choices = [("", _("Any service"))] + [
            (code, name_zh if language_zh else name_en)
            for code, name_zh, name_en, _kind in selectors.service_list()
        ]

    def clean(self) -> dict:
        data = super().clean()
        lat, lng = data.get("lat"), data.get("lng")
        if (
            (lat is None) != (lng is None)
            and not self.errors.get("lat")
            and not self.errors.get("lng")
        ):
            missing = "lng" if lng is None else "lat"
            self.add_error(missing, _("Give both latitude and longitude, or neither."))
        return data

    @property
    def near(self) -> str | None:
        lat, lng = self.cleaned_data.get("lat"), self.cleaned_data.get("lng")
        return f"{lat},{lng}" if lat is not None and lng is not None else None
