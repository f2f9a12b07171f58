# Chairside — two commands: `make run` (demo center on SQLite) and `make test` (everything).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
# pytest processes (pytest-xdist); each has its own test database and Chromium.
PYTEST_WORKERS ?= 2

.PHONY: run test install migrate demo lint typecheck pytest chromium bench clean prod-check

# Settings default to production (DEBUG off); the development commands turn DEBUG on.
run migrate demo bench: export DEBUG ?= true

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Chairside needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py seeddemo

run: demo
	@echo "Chairside is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@# The background-job worker (with the nightly schedule) runs beside the web server on
	@# kombu's filesystem transport: no Redis needed. Ctrl-C stops both.
	@$(VENV)/bin/celery -A chairside worker --beat --pool=solo --loglevel=WARNING & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's Chromium at $(CHROMIUM)."; \
	    echo "Install it with:  sudo apt-get install -y chromium"; \
	    exit 1; \
	  fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy chairside bench deploy

pytest: install chromium
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test: lint typecheck pytest

bench: install
	$(PY) bench/patients.py --quick
	$(PY) bench/schedule.py --quick

# The production stack as the README describes it (PostgreSQL, Redis, gunicorn, Celery):
# see deploy/prod_check.py. Needs PostgreSQL and Redis running on this machine.
prod-check: install
	$(PY) deploy/prod_check.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-output .pytest_cache .mypy_cache .ruff_cache
