# Two entry points: `make run` and `make test`. Everything else is a step they share.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate geography demo lint serve clean prod

# `make run` is development on this machine: Django's debug mode (and its public key) for
# its steps, unless DEBUG is given. Debug answers loopback clients only (config/debug.py).
run migrate geography demo serve: export DEBUG ?= 1
# Links in emails and calendars, and the Wagtail site, name the address being served.
run migrate geography demo serve: export SITE_URL ?= http://$(HOST):$(PORT)

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
	$(PY) manage.py make_signing_certificate

# The periodic jobs (reminders, surveys, scheduled publishing, digests, purges) run beside the
# site: run_scheduler reads CELERY_BEAT_SCHEDULE and runs each job when due, with no broker.
serve:
	$(PY) manage.py run_scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# `make prod`: the Procfile's processes (web, worker, beat) with production settings on this
# machine, against the local PostgreSQL and Redis, on HOST:PORT (docs/deploy.md). Before them,
# the release step: migrations, and the static files collected again only when they changed.
# A secret key is made once and kept in .prod-secret-key.
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/anct
PROD_REDIS_URL ?= redis://127.0.0.1:6379/0
STATIC_SOURCES := $(shell find static node_modules/leaflet/dist node_modules/leaflet.markercluster/dist -type f 2>/dev/null)
prod $(STAMPS)/static: export DJANGO_ENV = production
prod $(STAMPS)/static: export DEBUG =
prod $(STAMPS)/static: export SECRET_KEY ?= $(shell cat .prod-secret-key 2>/dev/null)
prod $(STAMPS)/static: export DATABASE_URL ?= $(PROD_DATABASE_URL)
prod $(STAMPS)/static: export REDIS_URL ?= $(PROD_REDIS_URL)
prod $(STAMPS)/static: export ALLOWED_HOSTS ?= $(HOST),localhost
prod: export SITE_URL ?= http://$(HOST):$(PORT)
prod: export SECURE_SSL_REDIRECT ?= 0
prod: export HOST := $(HOST)
prod: export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

prod: install .prod-secret-key $(STAMPS)/static
	@psql "$$DATABASE_URL" -c "select 1" >/dev/null 2>&1 \
		|| createdb -h 127.0.0.1 -U postgres "$${DATABASE_URL##*/}"
	$(PY) manage.py migrate --no-input -v 0
	exec $(VENV)/bin/honcho start -f Procfile -p $(PORT) web worker beat

.prod-secret-key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

$(STAMPS)/static: $(STATIC_SOURCES) pyproject.toml | .prod-secret-key $(STAMPS)/python
	$(PY) manage.py collectstatic --no-input -v 0
	@mkdir -p $(STAMPS) && touch $@

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) $(STAMPS) node_modules db.sqlite3 staticfiles
