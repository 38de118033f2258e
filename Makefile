# pcc-report: `make report` builds every workbook in input/ into output/; `make test` checks it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report check test lint bench sample template clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
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
	$(BIN)/mypy

bench: $(STAMP)  ## speed and memory against the floor (bench/README.md)
	$(BIN)/python -m bench.run

sample: $(STAMP)  ## re-make input/lincolnshire-2021-22.xlsx from scripts/make_sample.py
	$(BIN)/python scripts/make_sample.py input/lincolnshire-2021-22.xlsx

template: $(STAMP)  ## re-make templates/request-for-decision.docx from scripts/make_template.py
	$(BIN)/python scripts/make_template.py

clean:
	rm -rf $(VENV) output/* .mypy_cache .ruff_cache .pytest_cache .hypothesis *.egg-info
	touch output/.gitkeep
