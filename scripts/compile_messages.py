"""Compile locale/*/LC_MESSAGES/*.po to .mo with polib, so set-up needs no GNU gettext."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues(language: str) -> list[Path]:
    """The project's catalogue (locale/) and each app's own (<app>/locale/)."""
    found = [*ROOT.glob(f"locale/{language}/LC_MESSAGES/*.po")]
    found += ROOT.glob(f"*/locale/{language}/LC_MESSAGES/*.po")
    return sorted(p for p in set(found) if ".venv" not in p.parts)


def main() -> int:
    count = 0
    for po_path in sorted(catalogues("*")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
    print(f"compiled {count} message catalogue(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
