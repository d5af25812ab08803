# Everyday commands. `make run` and `make test` set up everything they need on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
PORT ?= 8000

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-fast lint format check bench audit audit-deps loadtest browser clean locale messages screenshots

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q "pip==26.3"
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# The Spanish translations: django.po is kept in git, the compiled django.mo is built here.
MO := locale/es/LC_MESSAGES/django.mo
$(MO): locale/es/LC_MESSAGES/django.po
	@command -v msgfmt >/dev/null || bash scripts/install-system-packages.sh
	msgfmt --check -o $@ $<

## locale: compile the Spanish translations (run, test, bench and audit do it for you)
locale: $(MO)

## messages: collect new strings to translate into locale/es/LC_MESSAGES/django.po
## (then write each Spanish msgstr; tests fail while one is empty or fuzzy)
messages: $(VENV)/.runtime
	@command -v xgettext >/dev/null || bash scripts/install-system-packages.sh
	DJANGO_SETTINGS_MODULE=modsite.settings.test $(PY) manage.py makemessages -l es --no-location \
		--no-obsolete --ignore=tools --ignore=tests --ignore=staticfiles --ignore=artifacts --ignore=media

## run: set up, migrate (creates the Bellevue and Gretna locations and the cache table) and
## serve http://127.0.0.1:8000/
run: $(VENV)/.runtime $(MO)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## browser: Debian's Chromium for the browser tests (Playwright never downloads its own), and
## pg_dump/pg_restore for the backup tests
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v pg_dump >/dev/null || bash scripts/install-system-packages.sh

## test: the whole suite (unit, integration, browser) with pytest-django
test: $(VENV)/.dev browser $(MO)
	$(PY) -m pytest $(PYTEST_ARGS)

## test-fast: the edit loop: every test but the browser and process tiers (no Chromium,
## no gunicorn, no subprocesses; markers in pyproject.toml). CI runs everything (`make test`).
test-fast: $(VENV)/.dev $(MO)
	$(PY) -m pytest -m "not browser and not process" $(PYTEST_ARGS)

## lint: ruff lint and format check, import contracts (pyproject.toml), migrations check
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=modsite.settings.test $(PY) manage.py makemigrations --check --dry-run

## bench: speed and memory benchmarks (benchmarks/bench_*.py, then gunicorn + wrk:
## benchmarks/bench.py, the cached page against a static file); fails when a target is missed
bench: $(VENV)/.dev $(MO)
	@command -v wrk >/dev/null || bash scripts/install-system-packages.sh
	@for module in bench_locations bench_consultations bench_dashboard bench; do \
		echo "== benchmarks.$$module"; $(PY) -m benchmarks.$$module || exit 1; done

## loadtest: 1,000 consultation submissions at concurrency 50 against gunicorn (loopback,
## a throwaway SQLite file), then checks every one was stored, queued and e-mailed once.
## LOADTEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres runs it on PostgreSQL
## too (in a new database, dropped afterwards).
loadtest: $(VENV)/.runtime $(MO)
	$(PY) -m benchmarks.loadtest
	@if [ -n "$(LOADTEST_POSTGRES_URL)" ]; then $(PY) -m benchmarks.loadtest --postgres "$(LOADTEST_POSTGRES_URL)"; fi

## audit: Lighthouse (tools/lighthouse, npm ci) on home, a location, the treatment page (both
## languages), the form, the thank-you and booking pages: 100s, <= 60 KB, <= 6 requests, no layout shift
audit: $(VENV)/.runtime browser $(MO)
	cd tools/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	$(PY) -m benchmarks.audit

## screenshots: every patient page at 390 and 1,280 px, English and Spanish, as PNGs in
## artifacts/screenshots/ (dev server on a throwaway SQLite database, Debian's Chromium)
screenshots: $(VENV)/.dev browser $(MO)
	$(PY) scripts/screenshots.py

## audit-deps: pip-audit on requirements.txt; fails on a vulnerable pin, and says so
## plainly (exit 2) when the vulnerability service cannot be reached
audit-deps: $(VENV)/.dev
	VENV=$(VENV) bash scripts/audit-deps.sh

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles artifacts .pytest_cache .ruff_cache
