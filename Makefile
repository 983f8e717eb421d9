# Two commands: `make run` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check bench clean

$(STAMP): setup.cfg pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The web server and the background-job worker together; Ctrl-C (or a TERM to both) stops both, and the worker
# stops when the server does.
run: $(STAMP)
	$(BIN)/survey demo
	$(BIN)/survey worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; $(BIN)/survey serve

# Benchmarks at national scale: bench/web.py (pages), bench/load.py (centre users, with locust).
BENCH_STAMP := $(VENV)/.bench
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

# Browser tests drive Debian's Chromium, its headless build (half the CPU); installed when missing (needs root).
# Where it cannot be installed, the full browser serves (tests/conftest.py picks whichever is there).
CHROMIUM := /usr/bin/chromium-headless-shell

$(CHROMIUM):
	(apt-get update -qq && apt-get install -y -qq chromium-headless-shell) || test -x /usr/bin/chromium

test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest  # compiled modules kept between runs: collection takes half as long

check: test

bench: $(BENCH_STAMP)
	$(BIN)/python bench/score.py

clean:
	rm -rf $(VENV) build *.egg-info
