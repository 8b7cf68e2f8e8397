# Yinli (引力): `make run` on a fresh clone installs everything and serves the demo city;
# `make test` runs the whole suite. `make help` lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
YINLI := $(BIN)/yinli
PYTEST := $(BIN)/pytest
STAMP := $(VENV)/.yinli-installed
ASSETS_STAMP := node_modules/.package-lock.json

HOST ?= 127.0.0.1
PORT ?= 8000
# Workers of the test run (pytest-xdist); each gets its own test database.
TEST_WORKERS ?= 2
PYTEST_ARGS ?=

define HAS_DEMO_COMMAND
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinli.settings")
django.setup()
from django.core.management import get_commands
raise SystemExit(0 if "demo" in get_commands() else 1)
endef
export HAS_DEMO_COMMAND

.PHONY: help install venv assets messages migrate demo run serve test test-e2e lint format bench clean distclean

help:
	@echo "make run        install (.venv, assets, translations), migrate, load the demo city, serve http://$(HOST):$(PORT)/"
	@echo "make test       the whole test suite (browser tests included when /usr/bin/chromium exists)"
	@echo "make test-e2e   only the browser tests"
	@echo "make lint       ruff check + ruff format --check"
	@echo "make format     ruff format + ruff check --fix"
	@echo "make bench      benchmarks on generated data at scale (never part of CI)"
	@echo "make clean      caches, compiled translations, node_modules (keeps .venv and the database in var/)"
	@echo "make distclean  clean + .venv"

# --- installation -----------------------------------------------------------------------------

install venv: $(STAMP)

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "make: python3.11 (or python3 >= 3.11) not found" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstalled only when pyproject.toml changes, so that a repeated `make run` stays fast.
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "make: installing Yinli and its dependencies into $(VENV) (the first time takes a minute or two)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

assets: $(ASSETS_STAMP)

# Front-end assets (Bootstrap, ECharts) from the npm registry; htmx ships with django-htmx.
$(ASSETS_STAMP): package-lock.json package.json
	@command -v npm >/dev/null || { echo "make: npm not found; install Node.js 18+ and npm" >&2; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

messages: $(STAMP)
	@scripts/compilemessages.sh $(BIN)

# --- the embedded server ----------------------------------------------------------------------

migrate: $(STAMP)
	$(YINLI) migrate --noinput

# Loads the demo city only into an empty database (`yinli demo --if-empty`).
demo: migrate
	@if $(BIN)/python -c "$$HAS_DEMO_COMMAND"; then \
		$(YINLI) demo --if-empty; \
	else \
		echo "make: the demo command is not available yet; the database stays empty"; \
	fi

run: $(STAMP) assets messages demo
	@$(MAKE) --no-print-directory serve

# gunicorn, as on a server: DEBUG stays off, WhiteNoise serves the static files straight from
# the finders (node_modules, app static dirs), Ctrl-C stops it. YINLI_DEBUG=1 make run for debug pages.
serve: $(STAMP) assets
	@echo
	@echo "  引力 Yinli: http://$(HOST):$(PORT)/"
	@echo "  demo logins (password yinli-demo):"
	@echo "    admin    city administrator (市商务局)"
	@echo "    analyst  city analyst (投资促进处)"
	@echo "    jingkou  district editor, 京口区"
	@echo "    jingkai  district editor, 镇江经开区"
	@echo "    (the demo city has a few more; \`yinli demo\` listed them above when it built the city)"
	@echo "  Ctrl-C stops the server."
	@echo
	exec $(BIN)/gunicorn yinli.wsgi:application --bind $(HOST):$(PORT) \
		--workers 2 --threads 4 --timeout 120 --graceful-timeout 5

# --- checks -----------------------------------------------------------------------------------

test: $(STAMP) assets messages
	$(PYTEST) -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-e2e: $(STAMP) assets messages
	$(PYTEST) -n $(TEST_WORKERS) -m e2e tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Benchmarks: generated data at scale, timings in bench/out/. Never part of CI (see bench/README.md).
bench: $(STAMP) assets messages
	@$(PYTEST) bench -p no:xdist $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make: no benchmarks collected"; exit 0; fi; exit $$rc

# --- cleaning ---------------------------------------------------------------------------------

clean:
	rm -rf node_modules .pytest_cache .ruff_cache .hypothesis staticfiles test-results bench/out
	find src tests bench -name __pycache__ -type d -prune -exec rm -rf {} +
	find src -name '*.mo' -path '*/locale/*' -delete
	@echo "make clean: kept .venv and the database in var/ (delete var/ to start from an empty database)"

distclean: clean
	rm -rf $(VENV)
