# exitentry: `make run` serves the site on the embedded SQLite database; `make test` lints and
# runs the whole suite. Both set up everything they need on a machine with Python 3.11+.
# The newest Python 3.11+ that really runs (a pyenv shim may exist for one that is not installed).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
# What `make run` needs (no test tools): about half of the install time of a fresh clone.
BASE_STAMP := $(VENV)/.installed-base

.PHONY: run dev setup-run test lint format setup messages migrate demo test-browser bench serve-prod clean check-python check-install

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'

# --no-compile: pip would byte-compile every file of every package (about 45 s of the first
# start on the shared 2-core machine); `make run` compiles the modules the site imports as it
# imports them, once (it lets Python write its bytecode cache even where the environment sets
# PYTHONDONTWRITEBYTECODE, which would make every start compile them again).
$(BASE_STAMP): requirements/base.txt | check-python
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile --disable-pip-version-check -r requirements/base.txt
	touch $(BASE_STAMP)

$(STAMP): $(BASE_STAMP) requirements/dev.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	touch $(STAMP)

setup: $(STAMP) messages

# The site's packages only (`make run`, `make dev`).
setup-run: $(BASE_STAMP) messages

messages: $(BASE_STAMP)
	$(BIN)/python scripts/compile_messages.py

migrate: setup-run
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

# The demo data (again): `make run` loads it by itself on the first start.
demo: migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py load_demo_registry
	$(BIN)/python manage.py load_demo_accounts
	$(BIN)/python manage.py load_demo_staff
	$(BIN)/python manage.py load_demo_appointments
	$(BIN)/python manage.py load_endorsement_policy
	$(BIN)/python manage.py notifications_tick
	$(BIN)/python manage.py crossings_tick

# The site as a visitor meets it (DEBUG off): migrate, demo data on the first start, serve at
# once; slots are made in the background (scripts/run_embedded.sh, manage.py run_embedded).
run: setup-run
	@bash scripts/ensure_fonts.sh || echo "warning: without a CJK font acceptance receipts (PDF) answer 503; see scripts/ensure_fonts.sh"
	env -u PYTHONDONTWRITEBYTECODE HOST=$(HOST) PORT=$(PORT) VENV_BIN=$(BIN) bash scripts/run_embedded.sh

# Django's debug server (DEBUG on, debug pages, reloads on code changes).
dev: setup-run
	mkdir -p var
	$(BIN)/python manage.py run_embedded --prepare-only
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python scripts/check_messages.py

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite: unit, API (schemathesis) and browser tests. Browser tests need Chromium:
# installed from Debian's `chromium` package when missing (root or sudo), or CHROMIUM_PATH;
# without it they fail, they are never skipped. The acceptance receipt's CJK font likewise
# (scripts/ensure_fonts.sh: Debian's fonts-wqy-microhei). The certificates' tests need SoftHSM2 (a
# PKCS#11 token) and Poppler's pdfsig: scripts/ensure_softhsm.sh and ensure_poppler.sh.
test: lint
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_fonts.sh
	bash scripts/ensure_softhsm.sh
	bash scripts/ensure_poppler.sh
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-browser: setup
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_fonts.sh
	bash scripts/ensure_poppler.sh
	$(BIN)/python -m pytest -m browser -q

# requirements/base.txt alone in a fresh virtualenv, then every module of the project imported
# with it: what a production install needs is pinned there (about 2 minutes, cached after).
check-install: check-python
	PYTHON=$(PYTHON) bash scripts/check_base_install.sh

# Production-like server (gunicorn, 2 workers) on PostgreSQL + Redis, then the load test.
bench: setup
	bash scripts/ensure_fonts.sh
	bash bench/run.sh

serve-prod: setup
	bash scripts/ensure_fonts.sh
	bash scripts/serve_prod.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
