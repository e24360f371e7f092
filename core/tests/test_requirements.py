"""Every third-party package the application imports is pinned in requirements/base.txt (the
production install), not only in the development requirements."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from check_imports import project_modules  # noqa: E402


def _pinned(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==", line)
        if match:
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return names


def _imported_top_level_names() -> set[str]:
    names = set()
    for module in project_modules():
        path = ROOT / Path(*module.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_imported_package_is_in_the_base_requirements():
    # given what the application's modules import (tests and tools aside)
    distributions = packages_distributions()
    wanted = {
        re.sub(r"[-_.]+", "-", dist).lower()
        for name in _imported_top_level_names()
        for dist in distributions.get(name, [])
    }
    # then each such distribution is pinned for production
    missing = wanted - _pinned(ROOT / "requirements" / "base.txt")
    assert missing == set()
