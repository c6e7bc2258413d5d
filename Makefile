# Two entry points: `make run` (Tandem on this machine) and `make test`. Both create .venv/ on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.run-deps
	$(BIN)/tandem dev

test: $(VENV)/.test-deps browser
	$(BIN)/ruff check .
	$(BIN)/pytest

# The browser tests (tests/web) drive the system's Chromium through Playwright (from '.[test]'); Playwright's
# own browser download is not needed. Without Chromium they are skipped (they fail when CI=true).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Chromium for the browser tests (apt-get)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
			echo "Could not install Chromium: the browser tests (tests/web) will be skipped."; \
	else \
		echo "Chromium not found: the browser tests (tests/web) will be skipped. Install it with" \
			"'sudo apt-get install -y chromium' (Debian/Ubuntu), or set TANDEM_CHROMIUM to a Chromium binary."; \
	fi

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
