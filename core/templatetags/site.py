from django import template

from core.i18n import is_chinese, localized

register = template.Library()


@register.simple_tag
def loc(obj, field: str) -> str:
    """The record's text in the active language: {% loc hall "name" %}."""
    return localized(obj, field)


@register.filter
def lines(text: str) -> list[str]:
    """Split a one-item-per-line text into its items."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.simple_tag
def pick(zh: str, en: str) -> str:
    """Choose between a Chinese and an English value."""
    return zh if is_chinese() else en
