# Two entry points on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean system-packages

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

# Tesseract reads scanned clippings. Installed where the machine allows it (Debian or Ubuntu,
# as root); elsewhere Clipper says how to install it when a scan arrives, and the tests that
# need it say they were skipped.
system-packages:
	@if command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx fra; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Tesseract (tesseract-ocr, -eng, -fra)"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra >/dev/null \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra >/dev/null; } \
		|| echo "could not install Tesseract: scans will not be read until it is installed"; \
	else echo "Tesseract is not installed: scans cannot be read (apt install tesseract-ocr tesseract-ocr-fra)"; fi

run: $(VENV)/.installed-run system-packages
	$(BIN)/clipper

test: $(VENV)/.installed-test system-packages
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
