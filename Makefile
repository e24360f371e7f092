# exitentry: `make run` serves the site on the embedded SQLite database; `make test` lints and
# runs the whole suite. Both set up everything they need on a machine with Python 3.11+.
# The newest Python 3.11+ that really runs (a pyenv shim may exist for one that is not installed).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed

.PHONY: run test lint format setup messages migrate demo test-browser bench serve-prod clean check-python check-install

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'

$(STAMP): requirements/base.txt requirements/dev.txt | check-python
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	touch $(STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	$(BIN)/python scripts/compile_messages.py

migrate: setup
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py load_demo_registry
	$(BIN)/python manage.py load_demo_accounts
	$(BIN)/python manage.py load_demo_staff
	$(BIN)/python manage.py appointments_tick
	$(BIN)/python manage.py load_demo_appointments
	$(BIN)/python manage.py notifications_tick

run: demo
	@bash scripts/ensure_fonts.sh || echo "warning: without a CJK font acceptance receipts (PDF) answer 503; see scripts/ensure_fonts.sh"
	@echo "exitentry on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python scripts/check_messages.py

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite: unit, API (schemathesis) and browser tests. Browser tests need Chromium:
# installed from Debian's `chromium` package when missing (root or sudo), or CHROMIUM_PATH;
# without it they fail, they are never skipped. The acceptance receipt's CJK font likewise
# (scripts/ensure_fonts.sh: Debian's fonts-wqy-microhei).
test: lint
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_fonts.sh
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-browser: setup
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_fonts.sh
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
