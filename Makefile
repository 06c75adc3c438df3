# Everything a developer or CI runs. `make run` and `make test` set up .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL database `make test-postgres` uses (created if missing).
PG_URL ?= postgres://postgres@127.0.0.1:5432/archive_ci

# The browser tests drive Debian's Chromium (tests/browser/conftest.py reads CHROMIUM).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
APT_GET ?= apt-get

# The compiled Spanish catalogue: generated (gitignored), rebuilt whenever its .po changes.
MO := locale/es/LC_MESSAGES/django.mo

.PHONY: chromium run test test-browser test-postgres test-replica lint format migrations-check sample-data bench soak messages

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Compiled with Babel (pure Python, in requirements.txt): no GNU gettext needed.
$(MO): locale/es/LC_MESSAGES/django.po $(VENV)/.installed
	$(PY) manage.py messages --compile-only -v0

# Extract every translatable string (Python, Jinja2 and Django templates) and merge it
# into locale/es/LC_MESSAGES/django.po; new strings arrive untranslated. Safe to rerun.
messages: $(VENV)/.installed
	$(PY) manage.py messages

sample-data: $(VENV)/.installed $(MO)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddata peru_1997

run: sample-data
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run

# Chromium for the browser tests: installed from Debian's packages when it is missing and
# this is root with apt-get; anywhere else the run stops before any test, saying what to do.
chromium:
	@test -x "$(CHROMIUM)" || { \
	  if [ "$$(id -u)" = 0 ] && command -v "$(APT_GET)" >/dev/null; then \
	    $(APT_GET) update && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y chromium \
	      && test -x "$(CHROMIUM)"; \
	  else \
	    echo "make test needs Chromium for its browser tests: install Debian's chromium package (sudo apt-get install chromium), or give its path as CHROMIUM=..." >&2; \
	    exit 1; \
	  fi; \
	}

test: lint migrations-check $(MO) chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# Only the browser tests (Playwright driving $(CHROMIUM); `make test` runs them too).
test-browser: $(VENV)/.installed $(MO) chromium
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

# The same suite on PostgreSQL; starts the machine's local cluster if it is down.
test-postgres: $(VENV)/.installed
	.ci/postgres-up $(PG_URL)
	DATABASE_URL=$(PG_URL) $(MAKE) test

# The same suite against a real streaming standby: .ci/replica-up makes (as root) a primary on
# 5433 and its standby on 5434, clusters of the project's own; every test then runs with
# DATABASE_REPLICA_URLS set (tests/test_replicas.py drives the standby itself).
REPLICA_PRIMARY ?= postgres://postgres@127.0.0.1:5433
REPLICA_STANDBY ?= postgres://postgres@127.0.0.1:5434
test-replica: $(VENV)/.installed $(MO)
	.ci/replica-up
	DATABASE_URL=$(REPLICA_PRIMARY)/archive_ci DATABASE_REPLICA_URLS=$(REPLICA_STANDBY)/archive_ci \
	REPLICA_TEST_PRIMARY_URL=$(REPLICA_PRIMARY) REPLICA_TEST_STANDBY_URL=$(REPLICA_STANDBY) \
	  $(MAKE) test

# Not part of `make test`: builds bench/data/ (gitignored), serves it with gunicorn, drives it
# with wrk and writes bench/RESULTS.md. Takes a few minutes. It also serves the same file with
# Datasette, installed on first use into bench/.peer-venv (gitignored), never into .venv;
# `make bench BENCH_ARGS="--only peer"` runs just that comparison and prints it.
# `make bench DB=postgres` does the same on PostgreSQL (databases archive_bench_* on
# BENCH_PG_URL, by default the machine's own server) and writes its own section.
DB ?= sqlite
bench: $(VENV)/.installed $(MO)
	$(PY) bench/run.py --db $(DB) $(BENCH_ARGS)

# Not part of `make test`: wrk on the bench archive while entries change and imports run (bench/soak.py).
SOAK_SECONDS ?= 600
soak: $(VENV)/.installed $(MO)
	SOAK_SECONDS=$(SOAK_SECONDS) $(PY) -m bench.soak
