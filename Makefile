# Two entry points: `make run` solves the default instance and writes its report;
# `make test` runs the whole test suite. Both set up .venv from pyproject.toml first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTANCE ?= instances/toyota_2025.yaml

.PHONY: run test expected docs venv clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

run: venv
	$(PY) solve.py run $(INSTANCE)

test: venv
	$(PY) -m ruff check model tests benchmarks solve.py
	$(PY) -m pytest

# Rewrite tests/expected/*.json from the shipped instances (only when a change is intended).
expected: venv
	$(PY) tests/expected_outcomes.py

# Rewrite docs/instance-format.md from the schema (a test fails when the committed file is out of date).
docs: venv
	$(PY) -m model.data.format_doc docs/instance-format.md

clean:
	rm -rf $(VENV) reports
