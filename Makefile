# Developer entry points. `make test` needs only Python >= 3.11 and make: it builds .venv itself.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Rewritten after each install: pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.installed
# The first Python >= 3.11 on PATH; override with `make PYTHON=/path/to/python3.12 venv`.
PYTHON ?= $(shell for p in python3 python3.14 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; \
	done)

.PHONY: help venv run test bench bench-gate bench-tui corpus clean

help:
	@echo "make venv   create .venv and install Warden with its dev tools (only when needed)"
	@echo "make run    open the console with a scripted agent at work (other arguments: ARGS='check \"git status\"')"
	@echo "make test   ruff format --check, ruff check, mypy, lint-imports, pytest"
	@echo "make bench  run the rules and gate benchmarks (make bench-gate: the gate alone)"
	@echo "make bench-tui  the console: time to first screen, key press to screen (1,000 waiting)"
	@echo "make corpus judge the public corpora with the built-in rules (allow/ask/block)"
	@echo "make clean  remove caches and build output (keeps .venv; rm -rf .venv to reset)"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: no Python >= 3.11 on PATH (tried python3, python3.1x)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "make: '$(PYTHON) -m venv' failed (Debian/Ubuntu: apt install python3-venv)" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $(STAMP)

run: venv
	$(BIN)/warden $(or $(ARGS),demo)

test: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	@# pytest exits 5 when it collected no tests: a broken test tree, not a pass.
	$(BIN)/pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

bench: venv bench-gate
	$(BIN)/python benchmarks/rules_bench.py

bench-gate: venv
	$(BIN)/python benchmarks/gate_bench.py

bench-tui: venv
	$(BIN)/python benchmarks/tui_bench.py

corpus: venv
	$(BIN)/python benchmarks/corpus_report.py

clean:
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis .import_linter_cache build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
