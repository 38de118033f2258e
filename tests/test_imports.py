"""What a command imports: paths that write nothing load no writer (issue 21).

``check`` needs no Word or Excel writer and no pandas; a no-op rerun (up to date) needs no
pandas and no writer either; neither needs importlib.metadata (the template cache keys on the
packages' own ``__version__``). Each command runs in a fresh interpreter, so the modules it
leaves in ``sys.modules`` are the ones it imported. No timing is asserted (domain §7).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real processes

WRITERS = ("docx", "docxtpl", "jinja2", "xlsxwriter", "openpyxl", "lxml", "pikepdf")
HEAVY = ("pandas", "numpy", "importlib.metadata")
# What only a build that writes needs: the output folder's lock, freshness and index page, the
# review note. ``check`` must not even import them.
BUILD_ONLY = (
    "filelock",
    "pipeline.batch",
    "pipeline.freshness",
    "pipeline.index_page",
    "pipeline.review",
    "pipeline.docx_finish",
)
# What only a plan with spend files or a previous year needs (the sample has neither).
SPEND_AND_PREVIOUS = (
    "pipeline.position",
    "pipeline.position_match",
    "pipeline.compare",
    "pipeline.ledger",  # a workbook named on its own has no spend/ folder to look in
)
# What only an unusual workbook needs: a sheet reaching too far for a dense range, a formula
# without its saved result (html unescapes its text).
UNUSUAL = ("pipeline.sheet_extent", "html")
# What reading a workbook needs: a rerun with every workbook up to date reads none.
READING = (
    "python_calamine",
    "email_validator",
    "pipeline.load",
    "pipeline.model",
    "pipeline.reconcile",
    "pipeline.report",
    "pipeline.deliver",
    "pipeline.three_sixty",
)

RUN = """
import json, sys
from pipeline.cli import main
sys.argv = ["pcc-report", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
with open(OUT, "w") as out:
    json.dump(sorted(sys.modules), out)
"""


def imported(args: list[str], tmp_path: Path) -> set[str]:
    """The top-level modules, importlib.metadata and the pipeline's own modules a fresh
    ``pcc-report ARGS`` imported."""
    listing = tmp_path / "modules.json"
    code = RUN.replace("OUT", repr(str(listing)))
    subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    names: list[str] = json.loads(listing.read_text())
    return {
        n for n in names if n == "importlib.metadata" or n.startswith("pipeline.") or "." not in n
    }


def test_check_imports_no_writer_and_no_pandas(tmp_path: Path, sample_path: Path) -> None:
    modules = imported(["check", str(sample_path)], tmp_path)
    assert "python_calamine" in modules  # it did read the workbook
    assert "pipeline.read_circulation" in modules  # and its Circulation sheet's addresses,
    assert "email_validator" not in modules  # plain ones, without the validator's import
    assert not modules & {*WRITERS, *HEAVY}
    assert not modules & {*BUILD_ONLY, *SPEND_AND_PREVIOUS, *UNUSUAL}
    assert "tempfile" not in modules  # check records no hash: it reads the workbook in place


def test_a_no_op_rerun_imports_no_writer_and_no_pandas(tmp_path: Path, sample_path: Path) -> None:
    out = tmp_path / "out"
    build = ["build", str(sample_path), "--out", str(out), "--quiet"]
    built = imported(build, tmp_path)
    assert "xlsxwriter" in built and "docxtpl" in built  # the first run did write
    assert "importlib.metadata" not in built
    modules = imported(build, tmp_path)
    assert "pipeline.freshness" in modules  # it did judge the workbook
    assert not modules & {*WRITERS, *HEAVY}
    assert not modules & {*READING, *SPEND_AND_PREVIOUS}
    # Nothing read, nothing compared: last year's plans are not looked for, and the layout's
    # headings and patterns (pipeline.contract) are not needed.
    assert not modules & {"pipeline.previous", "pipeline.contract"}
    assert "pipeline.index_page" not in modules  # the page is left as it is
    assert "filelock" not in modules  # nothing to write: the folder's lock is not needed
    assert not modules & {"zipfile", "tempfile", "shutil"}  # no workbook opened, nothing written


def test_help_imports_nothing_of_the_pipeline_beyond_the_command_line(tmp_path: Path) -> None:
    modules = imported(["build", "--help"], tmp_path)
    assert "click" in modules
    ours = {m for m in modules if m.startswith("pipeline.")}
    command_line = {"pipeline.cli", "pipeline.cli_options", "pipeline.console", "pipeline.runner"}
    catalogue = {
        "pipeline.findings",
        "pipeline.catalogue",
        "pipeline.catalogue_spend",
        "pipeline.codes",
    }
    assert ours <= {*command_line, *catalogue}


def test_check_reads_in_place_what_a_build_reads_from_its_hashed_copy(sample_path: Path) -> None:
    from pipeline.config import Config
    from pipeline.inputs import read_workbook
    from pipeline.manifest import sha256

    built = read_workbook(sample_path, Config())
    checked = read_workbook(sample_path, Config(), hashed=False)
    assert built.sha256 == sha256(sample_path) and checked.sha256 == ""
    assert checked.findings == built.findings and checked.reference == built.reference
    assert checked.reconciliation == built.reconciliation
