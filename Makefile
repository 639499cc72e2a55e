# Two commands do everything on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-12)

.PHONY: setup tools run test lint bench lock clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: setup
	$(BIN)/figures run --sample

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/sqlfluff lint sql
	$(BIN)/lint-imports --no-cache

# The programs the tests drive for real: minisign checks signatures, Chromium opens the report.
TOOLS := minisign chromium
tools:
	@missing="$$(for tool in $(TOOLS); do command -v $$tool >/dev/null || echo $$tool; done)"; \
	missing="$$(echo $$missing)"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $$missing for the tests (apt-get)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "make test needs $$missing: install them (Debian: sudo apt-get install $$missing) and run make test again" >&2; \
		exit 1; \
	fi

test: lint tools
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/bench.py

# Re-pin every dependency after changing pyproject.toml (needs the package registry).
lock:
	rm -rf /tmp/figures-lock && $(PYTHON) -m venv /tmp/figures-lock
	/tmp/figures-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/figures-lock/bin/pip freeze --exclude-editable | grep -v '^statement-figures' > requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
