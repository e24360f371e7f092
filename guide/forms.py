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
    )
    region = forms.ChoiceField(label=_("Province or city"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    open_now = forms.BooleanField(label=_("Only halls open now"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=5000, widget=forms.HiddenInput)

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
