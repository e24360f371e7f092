#!/usr/bin/env bash
# Install requirements/base.txt ALONE into a fresh virtualenv and import every module of the
# project with it (scripts/check_imports.py): a runtime import of a package that only the
# development requirements bring (as `requests` once was) fails here instead of in production.
#   PYTHON=python3.12 bash scripts/check_base_install.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
VENV="$(mktemp -d "${TMPDIR:-/tmp}/exitentry-base.XXXXXX")"
trap 'rm -rf "$VENV"' EXIT
"$PYTHON" -m venv "$VENV"
# The pip cache makes this quick after the first run; --no-deps would hide a missing pin.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/base.txt
"$VENV/bin/python" -m pip check
EXITENTRY_ENV=development "$VENV/bin/python" scripts/check_imports.py
