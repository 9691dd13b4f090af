# The two commands a new user needs: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-long lint bench clean browser screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/fakeconsul serve

# The dashboard's tests drive Debian's chromium through its chromium-driver; install both when
# missing (CI runs as root; elsewhere through sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		echo "installing chromium and chromium-driver for the dashboard's tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# Lint first: what the README claims of the code (ruff, mypy --strict) is checked where CI runs.
test: lint browser
	FAKECONSUL_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -n 2 -q

# Thousands of hypothesis examples and the full 8 x 2000 concurrency run (see tests/sizes.py).
test-long: $(STAMP) browser
	FAKECONSUL_REQUIRE_BROWSER=1 FAKECONSUL_HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -n 2 -q

screenshot: $(STAMP) browser
	$(BIN)/python docs/screenshot.py

# The tests import their helpers as top-level modules from their own folder (pytest's rootdir
# layout, no __init__.py), so mypy checks each folder on its own with that folder on its path.
TEST_DIRS := tests/ $(sort $(dir $(wildcard tests/*/*.py)))

lint: $(STAMP)
	$(BIN)/ruff check fakeconsul tests benchmarks docs conftest_plugin.py
	$(BIN)/mypy
	@for dir in $(TEST_DIRS); do \
		MYPYPATH=tests:$$dir $(BIN)/mypy --strict --no-error-summary $$dir*.py || exit 1; \
	done

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
