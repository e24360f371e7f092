"""Fail when a Chinese message is missing, fuzzy, or has different placeholders from English."""

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues(language: str) -> list[Path]:
    """The project's catalogue (locale/) and each app's own (<app>/locale/)."""
    found = [*ROOT.glob(f"locale/{language}/LC_MESSAGES/*.po")]
    found += ROOT.glob(f"*/locale/{language}/LC_MESSAGES/*.po")
    return sorted(p for p in set(found) if ".venv" not in p.parts)


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{?\s*\w+\s*\}?\}|%[sd]")


def main() -> int:
    problems = []
    for po_path in sorted(catalogues("zh_Hans")):
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete:
                continue
            where = f"{po_path.name}: {entry.msgid[:60]!r}"
            if "fuzzy" in entry.flags:
                problems.append(f"{where} is fuzzy")
            texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
            if not all(texts):
                problems.append(f"{where} has no translation")
                continue
            wanted = sorted(PLACEHOLDER.findall(entry.msgid))
            for text in texts:
                if sorted(set(PLACEHOLDER.findall(text))) != sorted(set(wanted)):
                    problems.append(f"{where} placeholders differ")
    if not list((ROOT / "locale").glob("zh_Hans/LC_MESSAGES/django.po")):
        problems.append("locale/zh_Hans/LC_MESSAGES/django.po is missing")
    for line in problems:
        print(line)
    print(f"{len(problems)} problem(s) in the message catalogues")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
