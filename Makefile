# おくやみナビ: `make run` serves the demo, `make test` runs the whole suite.
# Both set up what they need on a fresh Debian 12 machine and are safe to repeat.

# Debian's own Python 3.11 (built with PGO and LTO): WeasyPrint's layout runs
# about 10% faster on it than on a plain source build such as pyenv's.
PYTHON ?= /usr/bin/python3.11
VENV := .venv
BIN := $(VENV)/bin
# Debian packages: Python 3.11 with venv; WeasyPrint's Pango, and HarfBuzz's subsetter (without it
# Japanese PDFs render many times slower); DejaVu for the test that hides every
# other font from fontconfig; poppler-utils' pdftoppm for `make samples`.
DEBIAN_PACKAGES := python3.11 python3.11-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core poppler-utils
# Tests also drive Debian's Chromium (never `playwright install`: no download here).
TEST_PACKAGES := chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The suite on every core (pytest-xdist): each worker has its own test database (SQLite file or
# PostgreSQL database, suffixed _gw0, _gw1 …). worksteal: each worker starts on its half of the
# tests, in order, and an idle one takes tests from the other's queue, so both finish together
# (loadfile, whole files per worker, left one idle at the end: 438 s against 341 s for the same
# CPU time, measured on a busy machine).
# `make test PYTEST_PARALLEL=` runs it in one process.
PYTEST_PARALLEL ?= -n auto --dist worksteal
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench resilience deps test-deps apt setup venv-python screens samples

run: setup
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo
	@echo "おくやみナビ: http://$(HOST):$(PORT)/ (demo logins demo-counter / demo-editor / demo-manager, password okuyami-demo)"
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# pytest caches the modules it rewrites (the tests and its plugins', some 400) in __pycache__; an
# environment that sets PYTHONDONTWRITEBYTECODE would make every worker rewrite them on every run.
test: setup test-deps
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONDONTWRITEBYTECODE= DJANGO_DEBUG=1 $(BIN)/pytest $(PYTEST_PARALLEL)

# Chromium (test-deps) is the side-by-side reference for printing.
# Every benchmark and one summary table (bench/results/); needs PostgreSQL and wrk.
bench: setup test-deps
	@$(MAKE) --no-print-directory apt PACKAGES="wrk"
	bash .ci/postgres
	$(BIN)/python bench/run.py

# A real PostgreSQL restart, concurrent edits, a double submit and a killed worker.
resilience: setup
	bash .ci/postgres
	$(BIN)/python bench/resilience.py

# Page 1 of each printed document (and the large-print checklist), and of each demo form
# printed pre-filled, as PNG, for review.
samples: setup
	$(BIN)/python bench/printing.py samples docs/samples
	$(BIN)/python bench/forms.py samples docs/samples

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

setup: deps venv-python $(VENV)/.installed

# A .venv made by another Python (an older checkout's) is made again with $(PYTHON).
venv-python:
	@if [ -f $(VENV)/pyvenv.cfg ] && ! grep -qx "home = $(patsubst %/,%,$(dir $(PYTHON)))" $(VENV)/pyvenv.cfg; then \
		echo "$(VENV) was made by another Python; making it again with $(PYTHON)"; rm -rf $(VENV); \
	fi

# Screenshots of the main pages for review, from the browser test.
screens: setup test-deps
	OKUYAMI_SCREENS=docs/screens DJANGO_DEBUG=1 $(BIN)/pytest tests/e2e -q

deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(DEBIAN_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(TEST_PACKAGES)"

apt:
	@missing=""; for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@
