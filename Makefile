# One command each: `make demo` runs the main demo, `make test` runs the tests.
# Both create .venv and install the project (with its dev extra) on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz bench lint format clean lab notebooks

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m nn.demo

# Two test workers on two cores: one BLAS thread each, or they fight over the cores.
test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 tests

# The fuzzer at full strength: random programs checked against PyTorch (or finite differences),
# FUZZ_EXAMPLES per test over its three tests (12,000 programs by default: about a minute).
FUZZ_EXAMPLES ?= 4000
fuzz: $(STAMP)
	GLASSGRAD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
		$(PY) -m pytest tests/test_fuzz.py -s -k "not regression and not planted"

# JupyterLab on notebooks/, with the notebook extra (JupyterLab, ipywidgets, matplotlib).
lab: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,notebook]"
	$(PY) -m jupyter lab notebooks/

# Execute notebooks top to bottom (fixed seeds) and store them with their outputs, kept small.
# All of them, or some: make notebooks NB="notebooks/02_*.ipynb notebooks/03_*.ipynb"
NB ?= notebooks/*.ipynb
notebooks: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) notebooks/store_outputs.py $(NB)

# Benchmarks install their peers (micrograd, torch 2.13.0 CPU) into the same venv.
bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) -m benchmarks

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV)
