# Two commands: `make run` sets up a fresh machine and starts the app with demo data;
# `make test` sets up the same and runs every test. Both are safe to repeat.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements/lock.txt
ASSETS := web/assets
ASSETS_STAMP := $(ASSETS)/node_modules/.installed-stamp
CATALOG := web/translations/en/LC_MESSAGES/messages
export THV_MODE ?= development

.PHONY: install lock lint assets bpmn-tools oidc-provider pdf-deps translations catalogs chromium run test bench postgres deploy-tools clean

# Every Python package at the exact version and hashes of the lock file (runtime, test and dev extras; pip and
# setuptools included), then the project itself without resolving anything again. The build uses the locked
# setuptools (no build isolation), so nothing unpinned is downloaded. pip check stops a lock that lacks a
# dependency added to pyproject.toml.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "$(LOCK) does not cover pyproject.toml's dependencies: run make lock" >&2; exit 1; }
	touch $(STAMP)

install: $(STAMP)

# For developers, after changing the dependencies in pyproject.toml: resolve them again into the lock file.
# Pins that still fit are kept; `make lock LOCK_ARGS=--upgrade` moves everything to the newest releases.
# Resolved against the package index alone (PIP_INDEX_URL may name a mirror): no machine-local pip
# configuration (find-links, extra indexes, constraint files) ends up in the lock.
LOCK_ARGS ?=
lock: install
	PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet --extra test --extra dev --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) --output-file $(LOCK) pyproject.toml

# Lint, format and types: ruff (config in pyproject.toml) and mypy (strict for engine/, see [tool.mypy]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# bpmn-js for the case page, from the npm registry (served by the app from web/assets/node_modules),
# and, bundled by esbuild into web/assets/dist, the designer's modeller (bpmn-js Modeler, properties panel,
# bpmnlint) and the NL Design System components with their token map (not committed: built here from the
# lock file's packages and web/assets/src).
ASSETS_DIST := $(ASSETS)/dist/designer.js $(ASSETS)/dist/nlds.css
$(ASSETS_STAMP): $(ASSETS)/package.json $(ASSETS)/package-lock.json
	cd $(ASSETS) && npm ci --no-audit --no-fund --loglevel=error
	touch $(ASSETS_STAMP)

$(ASSETS_DIST) &: $(ASSETS_STAMP) $(ASSETS)/build.mjs $(wildcard $(ASSETS)/src/*) tools/bpmn-check/spiffworkflow.json tools/bpmn-check/.bpmnlintrc
	cd $(ASSETS) && node build.mjs

assets: $(ASSETS_STAMP) $(ASSETS_DIST)

# The system libraries WeasyPrint needs to make PDF documents (Pango, HarfBuzz, fonts).
pdf-deps:
	@bash tools/install-pdf-deps.sh

# bpmn-moddle, bpmnlint and bpmn-js for the model checks in the tests (tools/bpmn-check).
bpmn-tools:
	bash tools/bpmn-check/install.sh

# A real OpenID provider (panva/oidc-provider, pinned in its package-lock.json) that the single sign-on
# tests start on 127.0.0.1 (tests/web/oidc_provider.py); not part of the app.
OIDC_STAMP := tools/oidc-provider/node_modules/.installed-stamp
$(OIDC_STAMP): tools/oidc-provider/package.json tools/oidc-provider/package-lock.json
	cd tools/oidc-provider && npm ci --no-audit --no-fund --loglevel=error
	touch $(OIDC_STAMP)

oidc-provider: $(OIDC_STAMP)

# The English message catalogue (Dutch is the source language).
$(CATALOG).mo: $(CATALOG).po $(STAMP)
	$(BIN)/pybabel -q compile -d web/translations
	touch $(CATALOG).mo

catalogs: $(CATALOG).mo

# For developers: collect new texts from web/ (and the vocabulary's labels) into the .po (then translate them and run `make catalogs`).
translations: install
	$(BIN)/pybabel -q extract -F web/babel.cfg -k _l --no-location --sort-output -o web/translations/messages.pot web engine/base/vocabulary.py
	$(BIN)/pybabel -q update -i web/translations/messages.pot -d web/translations -w 120 --ignore-obsolete
	rm -f web/translations/messages.pot

# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded by Playwright).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# systemd-analyze, which checks the example units in deploy/systemd (tests/deploy/test_systemd_units.py).
# What the deploy/ examples are checked with: systemd-analyze (units), promtool (alerting rules), nginx (proxy).
deploy-tools:
	@command -v systemd-analyze >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && \
	  { command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx; } || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      systemd prometheus nginx-light >/dev/null; }

# PostgreSQL server binaries for the tests (the test harness starts its own server).
postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

run: install assets catalogs pdf-deps
	$(BIN)/thv init-db
	$(BIN)/thv seed-demo
	$(BIN)/thv serve

# Every test, then the process tests again with every save cutting all the settled history it may
# (tests/processes/conftest.py, engine/modeling/settled_history.py), on SQLite.
test: install lint postgres deploy-tools assets bpmn-tools oidc-provider catalogs chromium pdf-deps
	THV_MODE=test THV_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest
	THV_MODE=test THV_TEST_CUT_EVERY_ACT=1 $(BIN)/python -m pytest -q -m "not postgres" tests/processes

bench: install
	THV_MODE=test $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) instance test-output .pytest_cache .mypy_cache .ruff_cache $(ASSETS)/node_modules tools/bpmn-check/node_modules
