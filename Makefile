# Two entry points: `make run` and `make test`. Everything else is a step they share.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate geography demo lint serve clean

# `make run` is development on this machine: Django's debug mode (and its public key) for
# its steps, unless DEBUG is given. Debug answers loopback clients only (config/debug.py).
run migrate geography demo serve: export DEBUG ?= 1

run: install migrate geography demo serve

test: install
	$(PY) -m pytest

install: $(STAMPS)/python $(STAMPS)/npm

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMPS)/python: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

migrate: install
	$(PY) manage.py migrate --no-input -v 0

geography: migrate
	$(PY) manage.py import_territories --skip-if-loaded

demo: migrate
	$(PY) manage.py seed_demo

# The periodic jobs (reminders, surveys, scheduled publishing, digests, purges) run beside the
# site: run_scheduler reads CELERY_BEAT_SCHEDULE and runs each job when due, with no broker.
serve:
	$(PY) manage.py run_scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) $(STAMPS) node_modules db.sqlite3 staticfiles
