# streamlab: every target installs what it needs into .venv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/noaa-weather.yaml
ARGS ?=

.PHONY: install scenario test up down lint bench lock check-java clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "streamlab needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@command -v java >/dev/null 2>&1 || echo "note: no Java found. Flink jobs (PyFlink) need Java 17: \
	  sudo apt-get install -y openjdk-17-jre-headless (Debian/Ubuntu); everything else works without it."
	@touch $@

# Re-resolve the pinned dependency set after changing pyproject.toml.
lock:
	@test -x $(BIN)/uv || { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet uv; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock

# PyFlink (Flink jobs) needs a Java runtime, 11 or 17.
check-java:
	@command -v java >/dev/null 2>&1 || { echo "Java not found: Flink jobs need Java 17."; \
	  echo "Install it with: sudo apt-get install -y openjdk-17-jre-headless (Debian/Ubuntu)"; exit 1; }
	@java -version 2>&1 | head -n 1

scenario: install
	$(BIN)/sim run $(SCENARIO) $(ARGS)

test: install
	$(BIN)/python -m pytest $(ARGS)

up: install
	$(BIN)/sim up --detach $(ARGS)

down: install
	$(BIN)/sim down

lint: install
	$(BIN)/ruff check sim producers consumers flink_jobs tests
	$(BIN)/ruff format --check sim producers consumers flink_jobs tests

bench: install
	$(BIN)/python -m pytest -m bench -s -p no:cacheprovider tests/bench $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
