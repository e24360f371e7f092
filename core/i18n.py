"""Pick the text of a bilingual record in the active language."""

from typing import Any

from django.utils.translation import get_language


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "zh-hans").lower().startswith("zh")


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """Return obj.<field>_zh or obj.<field>_en for the language, falling back to the other."""
    first, second = ("zh", "en") if is_chinese(language) else ("en", "zh")
    if isinstance(obj, dict):
        return obj.get(f"{field}_{first}") or obj.get(f"{field}_{second}") or ""
    return getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "") or ""
