"""Text helpers for hall search: one normalised form for Chinese, pinyin and English."""

import re
from functools import lru_cache

from pypinyin import lazy_pinyin

_NOT_WORD = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower-case and drop spaces and punctuation, so 'Luo Hu' and 'luohu' compare equal."""
    return _NOT_WORD.sub("", text.casefold())


@lru_cache(maxsize=20_000)
def pinyin_forms(text: str) -> str:
    """Return the full pinyin and the initials of a Chinese text, space separated."""
    syllables = [s for s in lazy_pinyin(text, errors="ignore") if s]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables)
    return f"{full} {initials}"


def search_terms(query: str) -> list[str]:
    """Split a query into normalised terms; every term must match."""
    return [t for t in (normalise(part) for part in query.split()) if t]
