# pcc-report: `make report` builds every workbook in input/ into output/; `make test` checks it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report check test lint bench sample clean venv-install

# Two people may run `make report` at once on a fresh clone: two pip runs in one .venv break
# each other. So the install runs under `flock` (util-linux; where the system has it) and checks
# again inside the lock whether the other run has already done it. Without flock it runs
# unguarded, as before.
FLOCK ?= $(shell command -v flock 2>/dev/null)

$(STAMP): pyproject.toml
	@mkdir -p $(VENV)
	@$(if $(FLOCK),$(FLOCK) $(VENV)/.install.lock )$(MAKE) --no-print-directory venv-install

venv-install:  # (internal) run by $(STAMP), under the lock where flock exists
	@if [ $(STAMP) -nt pyproject.toml ]; then \
	  echo "The virtual environment in $(VENV)/ is ready (set up by another run)."; exit 0; \
	fi; \
	set -e; \
	echo "Setting up $(VENV)/ (first run: this takes a minute or two)"; \
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip; \
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'; \
	touch $(STAMP)

report: $(STAMP)  ## build every workbook in input/ into output/
	$(BIN)/pcc-report build input --out output

check: $(STAMP)  ## validate the workbooks in input/ without writing anything
	$(BIN)/pcc-report check input

test: $(STAMP) lint  ## lint, type-check and run the test suite
	$(BIN)/pcc-report --help > /dev/null
	$(BIN)/python -m pytest -W error -q

lint: $(STAMP)
	$(BIN)/ruff check pipeline scripts tests bench
	$(BIN)/ruff format --check pipeline scripts tests bench
	$(BIN)/mypy

bench: $(STAMP)  ## speed and memory against the floor (bench/README.md)
	$(BIN)/python -m bench.run

sample: $(STAMP)  ## re-make input/lincolnshire-2021-22.xlsx from scripts/make_sample.py
	$(BIN)/python scripts/make_sample.py input/lincolnshire-2021-22.xlsx

clean:
	rm -rf $(VENV) output/* .mypy_cache .ruff_cache .pytest_cache .hypothesis *.egg-info
	touch output/.gitkeep
