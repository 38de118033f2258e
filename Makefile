# pcc-report: `make report` builds every workbook in input/ into output/; `make test` checks it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
LOCK := requirements.lock

.PHONY: report check test test-fast lint bench sample clean venv-install venv-install-dev

# Two people may run `make report` at once on a fresh clone: two pip runs in one .venv break
# each other. So the install runs under `flock` (util-linux; where the system has it) and checks
# again inside the lock whether the other run has already done it. Without flock it runs
# unguarded, as before.
FLOCK ?= $(shell command -v flock 2>/dev/null)

# A first setup stopped half-way (Ctrl-C, the window closed) can leave .venv/bin/python without
# pip, and one made by a Python older than 3.11 (before a newer one was installed) can never
# install pcc-report: either is made again (its interpreter parts; the lock file stays), so
# nobody has to know to delete .venv/. A Python too old is named before anything is made.
NEW_ENOUGH := import sys; sys.exit(sys.version_info < (3, 11))
#
# Two stamps: $(STAMP) is what running needs (the dependencies pinned by requirements.lock);
# $(DEV_STAMP) adds the development tools (pytest, ruff, mypy, ...) that only `make test` needs,
# so the office machine's `make report` never installs them.
#
# The installs run with PYTHONWARNINGS=ignore: setuptools' warning about editable installs (a
# framed block of asterisks about folders named like the package) is for package authors and
# alarmed the finance officer at their first make report; pip's own messages still show.
#
# A run that finds another setting up .venv/ says it is waiting (flock -n exits 75 then): a
# minute or two of silence looked like a hang to the person at the keyboard.
INSTALL = $(MAKE) --no-print-directory venv-install
$(STAMP): pyproject.toml $(LOCK)
	@mkdir -p $(VENV)
	@$(if $(FLOCK),$(FLOCK) -n -E 75 $(VENV)/.install.lock $(INSTALL) || { test $$? -eq 75 \
	  && echo "Another make report is setting up $(VENV)/ right now; waiting for it to finish..." \
	  && $(FLOCK) $(VENV)/.install.lock $(INSTALL); },$(INSTALL))

$(DEV_STAMP): $(STAMP)
	@$(if $(FLOCK),$(FLOCK) $(VENV)/.install.lock )$(MAKE) --no-print-directory venv-install-dev

venv-install:  # (internal) run by $(STAMP), under the lock where flock exists
	@if [ $(STAMP) -nt pyproject.toml ] && [ $(STAMP) -nt $(LOCK) ]; then \
	  echo "The virtual environment in $(VENV)/ is ready (set up by another run)."; exit 0; \
	fi; \
	set -e; \
	if ! $(PYTHON) -c "$(NEW_ENOUGH)" >/dev/null 2>&1; then \
	  echo "pcc-report needs Python 3.11 or newer; '$(PYTHON)' is" \
	    "$$($(PYTHON) --version 2>/dev/null || echo 'not found'). Install Python 3.11 or newer, then" \
	    "run make report again (to name it: make report PYTHON=python3.11)."; exit 1; \
	fi; \
	echo "Setting up $(VENV)/ (first run: this takes a minute or two)"; \
	if ! $(BIN)/python -c "$(NEW_ENOUGH); import pip" >/dev/null 2>&1; then \
	  rm -rf $(VENV)/bin $(VENV)/lib $(VENV)/lib64 $(VENV)/include $(VENV)/pyvenv.cfg; \
	  $(PYTHON) -m venv $(VENV); \
	fi; \
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip; \
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK) -e .; \
	touch $(STAMP)

venv-install-dev:  # (internal) run by $(DEV_STAMP): the development tools, for make test
	@if [ $(DEV_STAMP) -nt $(STAMP) ]; then exit 0; fi; \
	set -e; \
	echo "Adding the development tools to $(VENV)/ (pytest, ruff, mypy, ...)"; \
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK) -e '.[dev]'; \
	touch $(DEV_STAMP)

report: $(STAMP)  ## build every workbook in input/ into output/
	$(BIN)/pcc-report build input --out output

check: $(STAMP)  ## validate the workbooks in input/ without writing anything
	$(BIN)/pcc-report check input

test: $(DEV_STAMP) lint  ## lint, type-check and run the whole test suite
	$(BIN)/pcc-report --help > /dev/null
	$(BIN)/python -m pytest -W error -q

test-fast: $(DEV_STAMP)  ## the tests not marked slow (no LibreOffice, Chromium, processes, hypothesis), on every core
	$(BIN)/python -m pytest -W error -q -m "not slow" -n auto

lint: $(DEV_STAMP)
	$(BIN)/ruff check pipeline scripts tests bench
	$(BIN)/ruff format --check pipeline scripts tests bench
	$(BIN)/mypy

bench: $(DEV_STAMP)  ## speed and memory against the floor (bench/README.md)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.spend

sample: $(STAMP)  ## re-make input/lincolnshire-2021-22.xlsx from scripts/make_sample.py
	$(BIN)/python scripts/make_sample.py input/lincolnshire-2021-22.xlsx

clean:
	rm -rf $(VENV) output/* .mypy_cache .ruff_cache .pytest_cache .hypothesis *.egg-info
	touch output/.gitkeep
