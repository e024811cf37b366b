# ZUSAMMEN. MEHR. — every set-up step lives here; nothing is installed by hand.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := $(VENV)/bin/python
VAR_DIR ?= $(CURDIR)/var
export VAR_DIR

# command=package pairs: what each target needs from Debian.
RUN_PACKAGES := ffmpeg=ffmpeg ffprobe=ffmpeg redis-server=redis-server msgfmt=gettext \
	/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf=fonts-noto-core \
	/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf=fonts-dejavu-core \
	lib:libcairo.so.2=libcairo2 lib:libraqm.so.0=libraqm0 pdftoppm=poppler-utils
TEST_PACKAGES := $(RUN_PACKAGES) chromium=chromium nginx=nginx
PG_PACKAGES := psql=postgresql-client /usr/lib/postgresql=postgresql

.PHONY: help run test lint typecheck pytest system-packages system-packages-test deps \
	migrate demo bench clean-var test-postgres doctor production-check

help:
	@echo "make run   – start the whole product on http://127.0.0.1:$${PORT:-8000}/"
	@echo "make test  – install what is missing and run every check and test"
	@echo "make bench – run the benchmarks in bench/ and write docs/benchmarks.md"
	@echo "make production-check – run the production shape behind nginx and check it"

# --- Installation -------------------------------------------------------------
$(PYTHON)-available:
	@command -v $(PYTHON) >/dev/null 2>&1 || scripts/ensure-system-packages \
		$(PYTHON)=python3.11 /usr/lib/python3.11/venv=python3.11-venv

$(UV):
	@command -v $(PYTHON) >/dev/null 2>&1 || scripts/ensure-system-packages \
		$(PYTHON)=python3.11 /usr/lib/python3.11/ensurepip=python3.11-venv
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Installs exactly the versions in uv.lock (re-run when the lock file changes).
$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --python $(PYTHON) --quiet
	@touch $@

# Front-end packages from the npm registry, exactly as package-lock.json says.
node_modules/.installed: package.json package-lock.json
	@scripts/ensure-system-packages npm=npm node=nodejs
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The same vendoring step as the release build (scripts/build-release).
static/vendor/tus.min.js: node_modules/.installed scripts/vendor-static
	scripts/vendor-static

# Compiled translations (.mo) are built, not committed.
locale/.compiled: $(VENV)/.synced $(wildcard locale/*/LC_MESSAGES/django.po)
	@command -v msgfmt >/dev/null 2>&1 || scripts/ensure-system-packages msgfmt=gettext
	@if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
		$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0; fi
	@mkdir -p locale && touch $@

deps: $(VENV)/.synced node_modules/.installed static/vendor/tus.min.js locale/.compiled

system-packages:
	@scripts/ensure-system-packages $(RUN_PACKAGES)

system-packages-test:
	@scripts/ensure-system-packages $(TEST_PACKAGES)

# --- Running ------------------------------------------------------------------
migrate: deps
	$(PY) manage.py migrate --no-input -v0

demo: migrate
	$(PY) manage.py load_demo

run: system-packages deps
	@scripts/run

doctor: deps
	$(PY) manage.py doctor

# --- Checks -------------------------------------------------------------------
lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: deps
	$(VENV)/bin/mypy .

pytest: deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: system-packages-test deps
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory pytest

# The whole suite once more against a throw-away PostgreSQL on loopback.
test-postgres: system-packages-test deps
	@scripts/ensure-system-packages $(PG_PACKAGES)
	scripts/with-postgres $(VENV)/bin/pytest $(PYTEST_ARGS)

# The production shape on loopback from a release build, checked through nginx (no Docker).
production-check: system-packages-test deps
	@scripts/ensure-system-packages $(PG_PACKAGES) nginx=nginx
	scripts/production-check

bench: system-packages deps
	@scripts/ensure-system-packages wrk=wrk
	$(PY) bench/report.py

clean-var:
	rm -rf var
