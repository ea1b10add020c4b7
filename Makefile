# The two commands: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test tools lint typecheck unit golden bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## demo: validate and build the bundled example specs, then retrain the example fraud model, offline
demo: $(STAMP)
	$(BIN)/mlcp validate specs/
	$(BIN)/mlcp build --out build/
	$(BIN)/mlcp retrain fraud-detector --specs examples/specs --workspace build/retrain-demo --progress
	$(BIN)/mlcp plan specs/
	@echo "mlcp is installed in $(BIN): run $(BIN)/mlcp --help, or 'source $(BIN)/activate' first"

## test: the whole suite (unit, golden, real tools), then lint and types
test: $(STAMP) unit lint typecheck

## tools: promtool, prometheus, amtool, alertmanager (Debian's packages, as root); yaml-language-server in .tools/
tools:
	bash scripts/test-tools

unit: $(STAMP) tools
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check controlplane tests benchmarks
	$(BIN)/ruff format --check controlplane tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

## golden: regenerate golden files after an intended output change; review the diff
golden: $(STAMP)
	$(BIN)/python -m pytest tests --update-golden -q

bench: $(STAMP)
	$(BIN)/python benchmarks/compile.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
