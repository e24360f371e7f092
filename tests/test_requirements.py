"""`make run` installs requirements/base.txt only: every package the site imports must be there."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_THE_SITE = {".venv", "bench", "scripts", "tests", "var", "node_modules"}


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def test_every_package_the_site_imports_is_a_runtime_requirement():
    # given the runtime pins and the site's code (tests, benchmarks and scripts aside)
    base = {
        _normal(re.split(r"[=\[ ]", line)[0])
        for line in (ROOT / "requirements" / "base.txt").read_text().splitlines()
        if line[:1].isalpha()
    }
    local = {path.name for path in ROOT.iterdir() if path.is_dir()}
    distributions = packages_distributions()
    missing: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_THE_SITE or "tests" in parts or path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module.split(".")[0]]
            else:
                continue
            for module in modules:
                if module in local or module in sys.stdlib_module_names:
                    continue
                for distribution in distributions.get(module, [module]):
                    if _normal(distribution) not in base:
                        missing.setdefault(distribution, set()).add(str(parts[0]))
    # then each is pinned in requirements/base.txt
    assert not missing, f"imported by the site but not in requirements/base.txt: {missing}"
