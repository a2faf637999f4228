# petrel developer commands. `make test` is the one test command (CI runs it via .ci/run).
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: install wordcount test bench lint clean

install:  ## install petrel and its development tools into the current Python
	$(PIP) install -q -e '.[dev]'

wordcount: install  ## the main job: run the word-count topology locally for 15 seconds
	cd topologies/wordcount && petrel submit --config topology.yaml --duration 15

test:  ## the whole test suite
	$(PYTHON) -m pytest -q

bench:  ## benchmarks, each reported as a ratio against a reference measured in the same run
	$(PYTHON) -m tests.bench

lint:  ## ruff on everything, and the mypy type checker on petrel/
	$(PYTHON) -m ruff check petrel tests topologies
	$(PYTHON) -m mypy

clean:
	rm -rf build dist *.egg-info .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
