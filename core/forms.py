"""Form fields shared by the apps' pages."""

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .bounds import MAX_DATE, MAX_ID, MIN_DATE

_DATE_RANGE = _("Enter a date between %(min)s and %(max)s.")


class BoundedDateField(forms.DateField):
    """A date within MIN_DATE..MAX_DATE: beyond it date arithmetic would overflow (a 500)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        message = _DATE_RANGE % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}
        self.validators += [
            MinValueValidator(MIN_DATE, message=message),
            MaxValueValidator(MAX_DATE, message=message),
        ]


class IdField(forms.IntegerField):
    """A database id: 1 to MAX_ID (a larger number would overflow the database driver)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
