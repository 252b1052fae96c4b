# The two commands of the README: `make report` builds the default report, `make test` runs the
# tests. Each creates .venv with `python3 -m venv` when it is missing and installs the locked
# packages into it (again whenever requirements.lock or pyproject.toml changes).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
LAB_INSTALLED := $(VENV)/.lab-installed
AXE := tests/browser/node_modules/axe-core/axe.min.js
LOCALE := src/analysis/locale
MO := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po))

.DEFAULT_GOAL := help
.PHONY: help report watch lab test cov quick mutate bench lint format lock clean translations

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(INSTALLED): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# The report's words: one gettext catalogue per language (.po, committed), compiled to .mo (not
# committed) before anything builds. `make translations` also extracts the messages from the code and
# templates (babel.cfg) and merges them into every .po, so a new message waits there for its translator.
$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po $(INSTALLED)
	$(BIN)/pybabel compile -i $< -o $@ -l $*

translations: $(INSTALLED) ## extract the report's words, update every language's .po, compile them to .mo
	@mkdir -p .cache
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs=".* __pycache__" --no-wrap --sort-by-file --add-comments=Translators: \
		--project=analysis --copyright-holder="the analysis authors" -o .cache/messages.pot src/analysis
	$(BIN)/pybabel update --no-wrap --ignore-pot-creation-date --ignore-obsolete -i .cache/messages.pot -d $(LOCALE)
	$(BIN)/pybabel compile -d $(LOCALE)

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the accessibility check (axe-core) will be skipped"; \
	fi

$(LAB_INSTALLED): requirements-lab.lock $(INSTALLED)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lab.lock
	@touch $@

report: $(INSTALLED) $(MO) ## build the default report, English and Spanish, into reports/ (HTML, PDF, notebook, metrics)
	$(BIN)/analysis build params/russia-mexico-fdi.yaml params/russia-mexico-fdi.es.yaml --jobs 2

watch: $(INSTALLED) $(MO) ## build the default report, then rebuild on every saved change, served with live reload
	$(BIN)/analysis watch

# JupyterLab is an optional extra with its own lock (requirements-lab.lock, resolved within
# requirements.lock), so `make report` stays lean. The project's kernel is the .venv's Python,
# registered in the .venv; JUPYTER_PATH puts it before any kernel of the same name elsewhere.
lab: $(LAB_INSTALLED) $(MO) ## open the report notebook in JupyterLab, on the project's kernel (.venv)
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (analysis, .venv)"
	JUPYTER_PATH=$(VENV)/share/jupyter $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=. \
		$(if $(filter 0,$(shell id -u)),--allow-root) notebooks/russia_mexico_fdi.ipynb

test: $(INSTALLED) $(MO) $(AXE) ## lint, then run every test (unit, build, PDF, and browser tests where Chromium is)
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/python -m pytest -n 2

# Coverage of src/analysis across processes: pytest's, its workers', and every Python process they
# start (the command line, the report's kernels, pebble's children); [tool.coverage] in pyproject.toml.
# The total is printed last, whatever the tests' outcome; the exit status is the tests'.
cov: export COVERAGE_FILE := $(CURDIR)/.cache/coverage/data
cov: $(INSTALLED) $(MO) $(AXE) ## run every test under coverage and print the total (slower than make test)
	@rm -rf .cache/coverage && mkdir -p .cache/coverage
	$(BIN)/python -m coverage run -m pytest -n 2; status=$$?; \
	$(BIN)/python -m coverage combine --quiet && $(BIN)/python -m coverage report; exit $$status

quick: $(INSTALLED) $(MO) ## the tests to run while editing: no process, kernel, build or browser (under 45 s)
	$(BIN)/python -m pytest -n 2 -q -m "not slow and not browser"

mutate: $(INSTALLED) ## mutation testing of metrics, loading, the cache key, outputs, formatting and escaping (long)
	$(BIN)/python bench/mutate.py

bench: $(INSTALLED) $(MO) ## measure build speed and memory; writes bench/results.md
	$(BIN)/python bench/run.py

lint: $(INSTALLED) ## check lint, formatting and import order with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED) ## format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: $(INSTALLED) ## re-resolve requirements.lock (and requirements-lab.lock within it) from pyproject.toml
	$(BIN)/pip-compile --quiet --extra test --all-build-deps --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --extra lab --constraint requirements.lock --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements-lab.lock pyproject.toml

clean: ## remove build outputs (reports/) and caches, keeping .venv
	rm -rf reports .pytest_cache .ruff_cache bench/work mutants .cache/coverage
