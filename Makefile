# Two commands: `make run` (set up and serve with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
# Empty: `make run` serves on the first free port from 8000. Set: that port or a clear refusal.
PORT ?=
# Tests run with production-like settings (DEBUG off), which need a key.
TEST_ENV := SECRET_KEY=test-only-secret-key DEBUG=0

.PHONY: run test lint format migrations-check messages messages-compile messages-check pytest bench bench-pages system-deps test-deps clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e . --group dev
	touch $@

system-deps:
	@PYTHON=$(PYTHON) scripts/system-deps.sh

# The tests also drive Debian's Chromium (never a browser downloaded by Playwright).
test-deps:
	@PYTHON=$(PYTHON) scripts/system-deps.sh chromium

# The demo asks no second factor at login (the login page says so); production does.
run: system-deps $(VENV)/.installed
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 TWO_FACTOR_REQUIRED=0 PY=$(PY) HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

test: test-deps $(VENV)/.installed lint migrations-check messages-check pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(VENV)/.installed
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

# Regenerate the catalogues after changing UI strings, then translate and `make messages-compile`.
messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages --locale id --ignore '.venv/*' --ignore 'tests/*' --no-obsolete --no-location
	DEBUG=1 $(PY) manage.py makemessages --locale id --domain djangojs --ignore '.venv/*' --ignore 'staticfiles/*' --no-location

messages-compile: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py compilemessages --ignore '.venv/*'

# The committed .mo files must be what their .po files compile to, with nothing untranslated.
messages-check:
	@scripts/check-messages.sh

pytest: $(VENV)/.installed
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks print figures; they are not tests. Runs against DATABASE_URL (default: a scratch
# SQLite database that is migrated first).
BENCH_DB ?= sqlite:////tmp/lapas-bench.sqlite3
bench: $(VENV)/.installed
	DEBUG=1 DATABASE_URL=$(BENCH_DB) $(PY) manage.py migrate --noinput -v 0
	DEBUG=1 DATABASE_URL=$(BENCH_DB) $(PY) scripts/bench_import.py 10000
	DEBUG=1 DATABASE_URL=$(BENCH_DB) $(PY) scripts/bench_certificates.py 100 1000

# The key pages' p50 / p95, query counts and ratio to a bare 40-row page (scripts/bench_pages.py),
# on BENCH_DB when given, else on a scratch SQLite database of its own (`bench` fills its own
# with the demo); an empty database is first filled by seed_scale at BENCH_FACILITIES,
# BENCH_INMATES, BENCH_ATTENDANCE. BENCH_N: timed requests per page.
BENCH_PAGES_DB := $(if $(filter command line environment,$(origin BENCH_DB)),$(BENCH_DB),sqlite:////tmp/lapas-bench-pages.sqlite3)
bench-pages: $(VENV)/.installed
	DEBUG=1 DATABASE_URL=$(BENCH_PAGES_DB) $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=$(BENCH_PAGES_DB) $(PY) scripts/bench_pages.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
