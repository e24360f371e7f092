import datetime as dt
from typing import Any

from django import template

from core.i18n import is_chinese, localized

register = template.Library()
from core.dates import SHANGHAI  # noqa: E402


@register.simple_tag
def loc(obj: Any, field: str) -> str:
    """The record's text in the active language: {% loc hall "name" %}."""
    return localized(obj, field)


@register.filter
def lines(text: str) -> list[str]:
    """Split a one-item-per-line text into its items."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.filter
def materials(text: str) -> list[str]:
    """A guide's materials, one per line, without the conditions that filter them."""
    from guide.materials import materials_parse

    return [item.text for item in materials_parse(text)]


@register.simple_tag
def pick(zh: str, en: str) -> str:
    """Choose between a Chinese and an English value."""
    return zh if is_chinese() else en


_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def day_label(value: dt.date | dt.datetime | None) -> str:
    """A day as people write it: 12月7日（星期一） in Chinese, Mon 7 Dec in English.

    A datetime is read in Beijing time.
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(SHANGHAI).date()
    if is_chinese():
        return f"{value.month}月{value.day}日（{_WEEKDAYS_ZH[value.weekday()]}）"
    return f"{_WEEKDAYS_EN[value.weekday()]} {value.day} {_MONTHS_EN[value.month - 1]}"
