from django import template
from django.forms import BoundField

from core.masking import mask_id_number as _mask_id_number

register = template.Library()


@register.simple_tag
def widget(field: BoundField) -> str:
    """The field's input, described by its hint and its error message (as _field.html names
    them), so that screen readers read both."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def mask_id_number(value: str) -> str:
    """1****************X: for lists, where the full number is not needed."""
    return _mask_id_number(value)
