# Chengxin — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages: pango and HarfBuzz's subsetter for WeasyPrint, Noto CJK for Chinese text,
# gettext to compile the translations.
SYSTEM_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
TEST_SYSTEM_PACKAGES := chromium
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

.PHONY: run test test-fast setup test-setup system-packages lint format pytest worker messages clean

run: setup
	$(PY) manage.py create_signing_key --dev --if-missing
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	bin/dev-server

test: test-setup lint pytest

# The certificate font (var/fonts/, a reduced GB 2312 copy of Noto Serif CJK SC; see
# pledges/certificates/fonts.py) is built once, in about half a minute, then skipped.
setup: system-packages $(VENV)/.installed $(MO_FILES)
	@$(PY) -m pledges.certificates.fonts

test-setup: setup
	@bin/install-system-packages $(TEST_SYSTEM_PACKAGES)

system-packages:
	@bin/install-system-packages $(SYSTEM_PACKAGES)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 \
		| grep -v "^WARNING: Location" || true
	$(PY) -c "import django, allauth, celery, weasyprint, stdnum"
	touch $@

# Compiled catalogues are built here, never committed.
locale/%.mo: locale/%.po $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=$(VENV) --verbosity 0

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Tests run in parallel, one process per CPU (pytest-xdist); PYTEST_WORKERS=0 runs them in one.
PYTEST_WORKERS ?= auto

pytest: test-setup
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The fast set: all but the tests that start Celery workers or drive Chromium (see
# pyproject.toml's markers).
test-fast: test-setup
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not worker and not browser" $(PYTEST_ARGS)

worker: setup
	$(VENV)/bin/celery -A config worker --loglevel=info

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans --ignore=$(VENV) --ignore=tests --ignore=var \
		--ignore=bench --no-obsolete

clean:
	rm -rf var/test.sqlite3 var/celery .pytest_cache
