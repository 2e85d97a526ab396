# gecrm — `make demo` serves the demo, `make test` runs every test. Both work on a fresh machine
# with Python 3.11, pip and make: uv is bootstrapped with pip when missing.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen
HOST ?= 127.0.0.1:8000
SCALE ?= 1
# Test processes (pytest-xdist); each gets its own test database.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: install demo serve test lint format messages chromium clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

install: $(UV)
	$(UV) sync --frozen --quiet

demo: install
	$(RUN) gecrm demo --scale $(SCALE) --no-serve
	$(RUN) gecrm runserver $(HOST)

serve: install
	$(RUN) gecrm runserver $(HOST)

# Debian's Chromium for the browser tests (Playwright's own browser download is not used).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)); \
	  else echo "browser tests need /usr/bin/chromium (apt-get install chromium)"; fi; \
	fi

test: install chromium
	$(RUN) ruff check src tests bench
	$(RUN) gecrm makemigrations --check --dry-run >/dev/null
	$(RUN) pytest -n $(JOBS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(RUN) ruff check src tests bench
	$(RUN) ruff format --check src tests bench

format: install
	$(RUN) ruff check --fix src tests bench
	$(RUN) ruff format src tests bench

# Regenerate the zh-hans and en catalogues from the sources, and compile them (needs GNU gettext).
messages: install
	cd src/gecrm && $(abspath $(UV)) run --frozen gecrm makemessages -l zh_Hans -l en --no-obsolete --ignore "static/*"
	cd src/gecrm && $(abspath $(UV)) run --frozen gecrm compilemessages

clean:
	rm -rf var .pytest_cache
