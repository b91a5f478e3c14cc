# Two entry points on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the project's dependencies change.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test tools, and the PostgreSQL driver: with CLIPPER_TEST_POSTGRES_URL set (.ci/run sets
# it) the `backends` tests also run on that server; without it they say they were skipped.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/clipper

test: $(VENV)/.installed-test
	$(BIN)/ruff check clipper tests migrations
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check clipper tests migrations
	$(BIN)/ruff format --check clipper tests migrations

bench: $(VENV)/.installed-run
	$(BIN)/clipper --archive $(CURDIR)/out/bench-archive bench --size 20000

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
