"""Import every module of the project (tests and tools aside) with Django set up.

Run by scripts/check_base_install.sh in a virtualenv holding requirements/base.txt alone: a
module that needs a package only the development requirements bring fails here, not in
production.
"""

import importlib
import os
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not part of the running application: the test suites, load tests and these scripts.
SKIPPED_DIRS = {"tests", "bench", "scripts", "docs", "locale", "requirements", "var"}
SKIPPED_FILES = {"conftest.py", "manage.py"}


def project_modules() -> list[str]:
    modules = []
    for package in sorted(p.parent for p in ROOT.glob("*/__init__.py")):
        if package.name in SKIPPED_DIRS or package.name.startswith("."):
            continue
        for path in sorted(package.rglob("*.py")):
            relative = path.relative_to(ROOT)
            if path.name in SKIPPED_FILES or SKIPPED_DIRS.intersection(relative.parts[1:-1]):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules.append(".".join(parts))
    return modules


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")
    import django

    django.setup()
    failed = []
    modules = project_modules()
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
            print(f"cannot import {name}:\n{traceback.format_exc()}", file=sys.stderr)
    print(f"imported {len(modules) - len(failed)} of {len(modules)} modules")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
