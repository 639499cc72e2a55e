# Two commands do everything on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-12)

.PHONY: setup run test lint bench lock clean

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

test: lint
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
