"""Pick the text of a bilingual record in the active language."""

import functools
from typing import Any

from django.conf import settings
from django.db.models import Choices
from django.utils.translation import get_language, override


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "zh-hans").lower().startswith("zh")


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """Return obj.<field>_zh or obj.<field>_en for the language, falling back to the other."""
    first, second = ("zh", "en") if is_chinese(language) else ("en", "zh")
    if isinstance(obj, dict):
        return obj.get(f"{field}_{first}") or obj.get(f"{field}_{second}") or ""
    return getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "") or ""


@functools.cache
def _choice_labels(choices: type[Choices], language: str) -> dict[Any, str]:
    with override(language):
        return {value: str(label) for value, label in choices.choices}


def choice_labels(choices: type[Choices], language: str | None = None) -> dict[Any, str]:
    """The labels of a choices class in the language (default: the active one), translated
    once per process and language rather than once per value shown."""
    return _choice_labels(choices, language or get_language() or settings.LANGUAGE_CODE)
