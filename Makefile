# Two commands: `make run` sets up a fresh machine and starts the app with demo data;
# `make test` sets up the same and runs every test. Both are safe to repeat.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export THV_MODE ?= development

.PHONY: install run test bench postgres clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# PostgreSQL server binaries for the tests (the test harness starts its own server).
postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

run: install
	$(BIN)/thv init-db
	$(BIN)/thv seed-demo
	$(BIN)/thv serve

test: install postgres
	THV_MODE=test THV_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest

bench: install
	THV_MODE=test $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) instance test-output .pytest_cache
