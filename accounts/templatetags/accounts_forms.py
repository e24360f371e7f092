from django import template
from django.forms import BoundField

register = template.Library()


@register.simple_tag
def described_input(field: BoundField) -> str:
    """The field's input, pointing at its hint and error message for screen readers."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
