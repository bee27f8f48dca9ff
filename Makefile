# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export PORT

.PHONY: run test lint format migrate load install clean openapi contract browser

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

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev,browser]"
	touch $@

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .cache test-artifacts
