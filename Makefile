# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export PORT

.PHONY: run test lint format migrate load install lock clean openapi contract browser

run: migrate load  ## migrate, load the bundled data sets if missing, serve on http://$(HOST):$(PORT)
	$(BIN)/par-index serve --host $(HOST) --port $(PORT)

test: $(INSTALLED)  ## the whole suite (SQLite; PostgreSQL when TEST_DATABASE_URL is set); browser tests where chromium is
	$(BIN)/pytest $(PYTEST_ARGS)

browser: $(INSTALLED)  ## install chromium (apt) and axe-core (npm), then the browser tests; screenshots in test-artifacts/
	.ci/browser

lint: $(INSTALLED)  ## ruff (lint + format check), mypy --strict, the import-linter layer contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict app
	$(BIN)/lint-imports --no-cache

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: $(INSTALLED)  ## write openapi.json, the committed contract, from the app with default settings
	$(BIN)/par-index openapi --output openapi.json

contract: $(INSTALLED)  ## generated Python/TypeScript clients and schemathesis against a live server
	.ci/clients

migrate: $(INSTALLED)  ## apply the Alembic migrations to DATABASE_URL (default: ./var SQLite file)
	$(BIN)/par-index migrate

load: $(INSTALLED)  ## load the bundled data sets (idempotent); LOAD_ARGS=--skip-demo for production
	$(BIN)/par-index load $(LOAD_ARGS)

install: $(INSTALLED)

# Exactly the locked releases, each checked against its hash, then the project itself with the
# locked setuptools (no build isolation: that would fetch an unpinned one).
$(INSTALLED): pyproject.toml requirements/dev.txt app/__init__.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# The lock files, from pyproject.toml (and requirements/build.in, the build backend): dev.txt for
# the venv (runtime, test, dev, browser), runtime.txt for the image, its pins taken from dev.txt.
# Pins already in a file are kept unless UPGRADE=1; run after changing a dependency.
LOCK := $(BIN)/uv pip compile --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) pyproject.toml requirements/build.in

lock: $(INSTALLED)  ## regenerate requirements/*.txt (hashed pins) from pyproject.toml; UPGRADE=1 for newer releases
	$(LOCK) --extra test --extra dev --extra browser -o requirements/dev.txt
	$(LOCK) -c requirements/dev.txt -o requirements/runtime.txt

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .cache test-artifacts *.egg-info
