# petrel developer commands. `make test` is the one test command (CI runs it via .ci/run).
#
# Every target runs with one Python environment, chosen in this order:
#   make ... PYTHON=/path/to/python  that interpreter, as it is (CI installs into its own
#                                    python3; `make install PYTHON=...` installs petrel there),
#                                    unless it is a system Python that refuses pip installs
#                                    (PEP 668, externally managed): then .venv is made from it
#   an active virtualenv             ($VIRTUAL_ENV) petrel is installed there on first use
#   otherwise                        the project's .venv, made from python3 on first use
# EXTRAS: petrel's optional dependencies installed with it (dev: every tool the tests use).
EXTRAS ?= dev
PYTEST_ARGS ?=
WORDCOUNT_SECONDS ?= 15
VENV := .venv
WORDCOUNT_LOGS := $(CURDIR)/logs/wordcount

# yes when the interpreter is outside any virtual environment and marked externally managed
IS_MANAGED := import os, sys, sysconfig; \
  print('yes' if sys.prefix == sys.base_prefix and os.path.exists(os.path.join(\
  sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')) else 'no')

ifeq ($(origin PYTHON),command line)
  ifeq ($(shell $(PYTHON) -c "$(IS_MANAGED)" 2>/dev/null),yes)
    BASE_PYTHON := $(PYTHON)
    ENV_DIR := $(CURDIR)/$(VENV)
  endif
else ifdef VIRTUAL_ENV
  ENV_DIR := $(VIRTUAL_ENV)
else
  BASE_PYTHON := python3
  ENV_DIR := $(CURDIR)/$(VENV)
endif

ifdef ENV_DIR
  PY := $(ENV_DIR)/bin/python
  # petrel installed in the environment (again when pyproject.toml or EXTRAS change)
  SETUP := $(ENV_DIR)/.petrel-installed-$(or $(EXTRAS),none)
else
  PY := $(PYTHON)
  SETUP :=
endif
PIP_INSTALL := $(PY) -m pip install -q -e '.$(if $(EXTRAS),[$(EXTRAS)])'

.PHONY: install wordcount test bench soak lint dist jvm-classes clean

install: $(if $(BASE_PYTHON),$(PY))  ## install petrel and its development tools
	$(PIP_INSTALL)
	$(if $(SETUP),@touch $(SETUP))

wordcount: $(or $(SETUP),install)  ## the main job: run the word count locally for 15 seconds
	rm -rf $(WORDCOUNT_LOGS) && mkdir -p $(WORDCOUNT_LOGS)
	cd topologies/wordcount && $(PY) -m petrel.cli submit --config topology.yaml \
	  --duration $(WORDCOUNT_SECONDS) --logdir $(WORDCOUNT_LOGS)
	$(PY) topologies/wordcount/topwords.py $(WORDCOUNT_LOGS)

test: $(SETUP)  ## the whole test suite (PYTEST_ARGS=... picks a part)
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(SETUP)  ## benchmarks, each reported as a ratio against a reference measured in the same run
	$(PY) -m tests.bench

soak: $(SETUP)  ## word count under random kill -9 for 30 minutes: lost ids (must be 0) and memory over time; not in CI
	$(PY) -m tests.soak $(SOAK_ARGS)

lint: $(SETUP)  ## ruff on everything, and the mypy type checker on petrel/
	$(PY) -m ruff check petrel tests topologies
	$(PY) -m mypy

dist: $(SETUP)  ## a wheel and an sdist of petrel in dist/ (with this environment's setuptools)
	rm -rf dist
	$(PY) -m build --no-isolation --outdir dist .

jvm-classes: $(SETUP)  ## recompile the Java class petrel ships (needs a JDK and Storm 2.x in petrel's cache)
	$(PY) jvm/build_classes.py

clean:
	rm -rf build dist *.egg-info .pytest_cache logs
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

ifdef SETUP
$(SETUP): pyproject.toml $(if $(BASE_PYTHON),$(PY))
	$(PIP_INSTALL)
	@touch $@
endif

ifdef BASE_PYTHON
# The project's environment: venv (with ensurepip), else virtualenv, else the apt line that
# gives Debian's and Ubuntu's Python its venv module.
$(PY):
	@if $(BASE_PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  echo "make: creating $(VENV) with $(BASE_PYTHON); petrel and its tools are installed there"; \
	  $(BASE_PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
	elif $(BASE_PYTHON) -m virtualenv --version >/dev/null 2>&1; then \
	  echo "make: creating $(VENV) with $(BASE_PYTHON) -m virtualenv (no ensurepip)"; \
	  $(BASE_PYTHON) -m virtualenv -q $(VENV) || { rm -rf $(VENV); exit 1; }; \
	else \
	  v=$$($(BASE_PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  echo "make: $(BASE_PYTHON) cannot create the project's $(VENV): its venv module" \
	    "has no ensurepip. Install it with 'sudo apt install python$$v-venv'" \
	    "(Debian, Ubuntu), or activate a virtualenv first, then run make again." >&2; \
	  exit 1; \
	fi
endif
