# CJM Workshop: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
# Set to a PostgreSQL URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run
# the suite a second time against PostgreSQL; .ci/run does.
TEST_POSTGRES_URL ?=
FLASK := $(BIN)/flask --app wsgi
TRANSLATIONS := cjm_workshop/translations

.PHONY: run test install install-test translations translations-update static migrate seed lint format secret

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: install
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

# Fingerprinted, precompressed copies of static/ (cjm_workshop/assets.py); only when changed.
static: install
	$(BIN)/python -m cjm_workshop.assets

# After changing user-facing strings: extract them and update the nl and en catalogs.
translations-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --ignore-dirs ".* __pycache__" \
	  --project "CJM Workshop" --copyright-holder "CJM Workshop" -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -N --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/python tools/fill_english_catalog.py

instance/secret_key:
	@mkdir -p instance
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@

secret: instance/secret_key

migrate: install secret
	SECRET_KEY=$${SECRET_KEY:-$$(cat instance/secret_key)} $(FLASK) db upgrade

seed: migrate
	SECRET_KEY=$${SECRET_KEY:-$$(cat instance/secret_key)} $(FLASK) cjm seed-demo

run: install translations static seed
	@echo
	@echo "  CJM Workshop is starting on http://$(HOST):$(PORT)"
	@echo "  Log in as demo@cjm.example with password demo-workshop"
	@echo "  (HOST=0.0.0.0 lets phones in the room reach this computer; see README)"
	@echo
	@HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) SECRET_KEY=$${SECRET_KEY:-$$(cat instance/secret_key)} \
	  $(BIN)/cjm serve

test: install-test translations static
	$(BIN)/pytest
	@if [ -n "$(TEST_POSTGRES_URL)" ]; then \
	  echo "== again on PostgreSQL"; \
	  CJM_TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/pytest; \
	fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
