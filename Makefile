# OpenMARAC. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
DEMO_ENV := DJANGO_SETTINGS_MODULE=config.settings.dev OPENMARAC_DEMO_MODE=true
TEST_ENV := DJANGO_SETTINGS_MODULE=config.settings.test
# The suite runs in one process a core (pytest-xdist, already locked); each process has its own test database.
# Tests are handed out in pytest-django's order (--dist=load), so each process runs its transactional tests, which
# empty the database when they end (data put there by migrations included), after all its others.
PARALLEL := --numprocesses=auto --dist=load

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock requirements-dev.lock
	@python=$$(scripts/find-python.sh) && "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/static/css/openmarac.css: node_modules/.installed static_src/openmarac.scss
	npm run --silent build

.PHONY: install
install: $(VENV)/.installed build/static/css/openmarac.css ## Install the Python and front-end dependencies

.PHONY: demo
demo: install ## Set up and run the demo: a MARAC with a year of synthetic history, on http://127.0.0.1:8000
	mkdir -p var
	$(DEMO_ENV) $(MANAGE) migrate --verbosity 0
	$(DEMO_ENV) $(MANAGE) createcachetable
	$(DEMO_ENV) $(MANAGE) demo_load
	$(DEMO_ENV) $(MANAGE) runserver 127.0.0.1:8000

.PHONY: check
check: install ## Lint, type-check and check that migrations are complete
	mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit --quiet --recursive . --exclude ./.venv,./node_modules,./build,./var,./staticfiles --severity-level high
	$(TEST_ENV) $(VENV)/bin/mypy .
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run --verbosity 0
	$(TEST_ENV) $(MANAGE) permissions_doc --check
	$(TEST_ENV) $(MANAGE) indicators_doc --check
	$(TEST_ENV) $(MANAGE) openapi_schema --check

.PHONY: test
test: check ## Run every test, on SQLite and then on a throwaway PostgreSQL cluster
	scripts/ensure-chromium.sh
	mkdir -p var
	$(TEST_ENV) $(VENV)/bin/pytest $(PARALLEL)
	# The Spark backend's tests touch no database: they run once, in the SQLite run.
	$(TEST_ENV) scripts/with-postgres.sh $(VENV)/bin/pytest $(PARALLEL) --ignore=people/tests/test_linkage_spark.py

.PHONY: bench-reports
bench-reports: install ## Indicators and quarterly return at national scale (300 MARACs x 10 years) against DuckDB; BENCH_SMALL=1 for 30 x 2
	$(PY) bench/reports/run.py

.PHONY: bench-linkage
bench-linkage: install ## Person matching on truth-labelled synthetic people: Splink against exact match, 100k and 1M records
	$(PY) -m bench.linkage.run

.PHONY: bench-load
bench-load: install ## Meeting-day load against gunicorn and a throwaway PostgreSQL on loopback
	$(PY) -m bench.load.run

.PHONY: docs
docs: install ## Regenerate the generated documents (docs/permissions.md)
	$(TEST_ENV) $(MANAGE) permissions_doc
	$(TEST_ENV) $(MANAGE) indicators_doc
	$(TEST_ENV) $(MANAGE) openapi_schema

.PHONY: audit-dependencies
audit-dependencies: install ## Check the locked dependencies for known vulnerabilities
	$(VENV)/bin/pip install --quiet pip-audit && $(VENV)/bin/pip-audit --no-deps --disable-pip -r requirements.lock -r requirements-dev.lock
	npm audit --omit=dev

.PHONY: clean
clean: ## Remove the virtualenv, front-end packages, builds and local databases
	rm -rf $(VENV) node_modules build staticfiles var
