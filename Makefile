# kolscope: `make run` starts the product, `make test` runs every test. Both install what they need.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
STAMP   := .venv/.installed
DATA    ?= ./data
HOST    ?= 127.0.0.1
PORT    ?= 8765

.PHONY: install run test test-fast bench extension lint clean

install: $(STAMP) /usr/bin/chromium

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test,bench]'
	touch $(STAMP)

# Debian's Chromium drives the e2e tests and the scrapers (`playwright install` cannot download here).
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium

run: install
	.venv/bin/kolscope serve --data $(DATA) --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not e2e and not slow"

bench: install
	$(PY) -m bench

extension:
	mkdir -p dist
	rm -f dist/kolscope-extension.zip
	cd extension && zip -qr ../dist/kolscope-extension.zip . -x '*.DS_Store'
	@echo "built dist/kolscope-extension.zip"

lint: install
	.venv/bin/ruff check server scraper tests bench

clean:
	rm -rf .venv dist test-results .pytest_cache
