# The two commands a new user needs: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVE_STAMP := $(VENV)/.installed-serve
# setuptools warns on every editable install about folders named like the package; here the
# folder is the package, so the warning (a UserWarning in pip's build step) says nothing.
PIP := PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet

.PHONY: run test test-long lint bench clean browser screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What serving needs: the package and its dependencies, none of the test tools.
$(SERVE_STAMP): $(BIN)/python pyproject.toml
	$(PIP) -e .
	touch $(SERVE_STAMP)

# Everything: the test extra (pytest plugins, hypothesis, ruff, mypy, selenium) too.
$(STAMP): $(BIN)/python pyproject.toml
	$(PIP) -e '.[test]'
	touch $(STAMP) $(SERVE_STAMP)

run: $(SERVE_STAMP)
	$(BIN)/fakeconsul serve

# The dashboard's tests drive Debian's chromium through its chromium-driver. Where apt-get
# exists (as root, or through sudo without a password) `browser` installs both; elsewhere the
# browser tests are skipped, and pytest says so in one line. CI (CI=true) requires them: there
# a failed install fails the target, and a missing browser fails the tests.
REQUIRE_BROWSER := $(if $(filter true 1,$(CI)),1,)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
# Wait for another apt (unattended-upgrades) at most this long instead of failing at once.
APT := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=120

browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "no apt-get here: the dashboard's browser tests will be skipped"; \
		[ -z "$(REQUIRE_BROWSER)" ]; exit; \
	fi; \
	if [ -n "$(SUDO)" ] && ! sudo -n true 2>/dev/null; then \
		echo "apt-get needs root (sudo asks for a password): the dashboard's browser tests will be skipped"; \
		[ -z "$(REQUIRE_BROWSER)" ]; exit; \
	fi; \
	echo "installing chromium and chromium-driver for the dashboard's tests"; \
	if ! { $(APT) update && $(APT) install -y chromium chromium-driver >/dev/null; }; then \
		echo "installing chromium failed: the dashboard's browser tests will be skipped"; \
		[ -z "$(REQUIRE_BROWSER)" ]; exit; \
	fi

# Lint first: what the README claims of the code (ruff, mypy --strict) is checked where CI runs.
test: lint browser
	FAKECONSUL_REQUIRE_BROWSER=$(REQUIRE_BROWSER) $(BIN)/python -m pytest -n 2 -q

# Thousands of hypothesis examples and the full 8 x 2000 concurrency run (see tests/sizes.py).
test-long: $(STAMP) browser
	FAKECONSUL_REQUIRE_BROWSER=$(REQUIRE_BROWSER) FAKECONSUL_HYPOTHESIS_PROFILE=long \
		$(BIN)/python -m pytest -n 2 -q

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
