# kolscope: `make run` starts the product, `make test` runs every test. Both install what they need.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
STAMP   := .venv/.installed
DATA    ?= ./data
HOST    ?= 127.0.0.1
PORT    ?= 8765

.PHONY: install services run test test-fast bench fuzz extension extension-facts lint clean

install: $(STAMP) /usr/bin/chromium

# The team setup's servers, for the tests and benches only (`make run` needs neither): Redis from
# Debian, and PostgreSQL's binaries (initdb, pg_ctl), which the tests start themselves in a temporary
# directory (tests/services.py). Installed when missing.
services: /usr/bin/redis-server /usr/lib/postgresql

/usr/bin/redis-server /usr/lib/postgresql:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server postgresql

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test,bench]'
	touch $(STAMP)

# Debian's Chromium drives the e2e tests and the scrapers (Playwright's own browser downloads are not reachable here).
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium

run: install
	.venv/bin/kolscope serve --data $(DATA) --host $(HOST) --port $(PORT)

# Two passes: every test (the store contract suite runs on both engines by itself), then the app-level
# suites again on PostgreSQL (KOLSCOPE_TEST_STORE: their app and store fixtures get a new database of a
# test PostgreSQL server instead of a TinyDB data directory; tests/conftest.py keeps only those tests).
PG_SUITES := tests/server/api tests/server/test_refresh.py tests/server/campaigns tests/server/discovery

test: install services
	$(PY) -m pytest -q
	KOLSCOPE_TEST_STORE=postgresql $(PY) -m pytest -q -m "not e2e" $(PG_SUITES)

test-fast: install
	$(PY) -m pytest -q -m "not e2e and not slow"

bench: install services
	$(PY) -m bench

# A deeper hunt than `make test`: schemathesis with 500 examples per API operation (no 5xx, the
# document holds), hypothesis with 1,000 examples per parser property (mutated real captures,
# generated hostile pages). The normal run uses 6 and 40 (KOLSCOPE_FUZZ_* unset).
fuzz: install
	KOLSCOPE_FUZZ_API_EXAMPLES=500 KOLSCOPE_FUZZ_EXAMPLES=1000 $(PY) -m pytest -q -p no:cacheprovider \
		--hypothesis-show-statistics tests/server/api/test_openapi.py tests/scraper/test_parse_robustness.py \
		tests/scraper/test_pathological.py -k "openapi or robustness or generated"

# The extension's platform facts from scraper/registry.py: content/platforms.js and manifest.json's
# host lists (a test fails when the committed ones are stale). Run it after adding a platform.
extension-facts: install
	$(PY) -m scraper.extension_facts

# The store wants manifest.json at the zip's root; Python's zipfile needs no `zip` binary.
extension:
	mkdir -p dist
	python3 -c "import shutil; shutil.make_archive('dist/kolscope-extension', 'zip', 'extension')"
	@echo "built dist/kolscope-extension.zip"

lint: install
	.venv/bin/ruff check server scraper tests bench

clean:
	rm -rf .venv dist test-results .pytest_cache
