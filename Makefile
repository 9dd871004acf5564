# Two entry points: `make demo` and `make test`. Both create .venv and install deeptda into it.
# torch is pinned here (a CPU build); the package itself asks only for torch>=2.2. ruff is pinned
# to the release the code is formatted and checked with, so a new ruff cannot fail `make lint`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH_PIN ?= torch==2.13.0
RUFF_PIN ?= ruff==0.17.6

.PHONY: install demo test test-slow lint docs bench clean

$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_PIN) $(RUFF_PIN)
	$(PY) -m pip install --quiet -e ".[test,docs,explore,dask]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/deeptda demo --out results/demo

test: install
	$(PY) -m pytest deeptda tests

docs: install
	env -u MPLBACKEND $(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html

lint: install
	$(VENV)/bin/ruff check deeptda tests benchmarks
	$(VENV)/bin/ruff format --check deeptda tests benchmarks

test-slow: install
	$(PY) -m pytest tests -m slow

bench: install
	$(PY) benchmarks/bench_topology.py
	$(PY) benchmarks/bench_embeddings.py
	$(PY) benchmarks/bench_clustering.py
	$(PY) benchmarks/bench_structure.py

clean:
	rm -rf $(VENV) results
