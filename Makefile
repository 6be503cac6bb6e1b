PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One stamp per set of packages: `make demo` installs what the tool needs at run time (with the `fast` extra, ISA-L);
# `make test` (and the generators, the benchmark) add the test extras. `make demo` then `make test` works: the second adds the extras.
RUNTIME := $(VENV)/.runtime
STAMP := $(VENV)/.installed

.PHONY: demo test samples templates bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[fast]'
	touch $(RUNTIME)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,fast]'
	touch $(RUNTIME) $(STAMP)

demo: $(RUNTIME)
	$(BIN)/dvht demo -o out

test: $(STAMP)
	$(BIN)/python -m pytest

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

templates: $(STAMP)
	$(BIN)/python scripts/make_templates.py
	$(BIN)/python scripts/make_dossier_templates.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_batch.py

clean:
	rm -rf $(VENV) out
