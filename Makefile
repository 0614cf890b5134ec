# Two entry points: `make run` solves the default instance and writes its report;
# `make test` runs the whole test suite. Both set up .venv from pyproject.toml first.
# `make test-fast` is the developer loop (no slow, browser, GLPK or fuzz tests);
# `make mutants` checks that the suite catches hand-written bugs (CI runs it).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTANCE ?= instances/toyota_2025.yaml

.PHONY: run test test-fast mutants expected docs venv clean

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
	$(PY) tests/type_budget.py
	$(PY) -m pytest

test-fast: venv
	$(PY) -m ruff check model tests benchmarks solve.py
	$(PY) -m pytest -n 2 -m "not slow and not browser and not glpk and not fuzz"

mutants: venv
	$(PY) tests/mutants.py

# Rewrite tests/expected/*.json from the shipped instances (only when a change is intended).
expected: venv
	$(PY) tests/expected_outcomes.py

# Rewrite docs/instance-format.md from the schema (a test fails when the committed file is out of date).
docs: venv
	$(PY) -m model.data.format_doc docs/instance-format.md

clean:
	rm -rf $(VENV) reports
