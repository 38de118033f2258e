"""The open-data files as outputs of a build (README "Publishing"): 360Giving with the
publisher prefix set, the Transparency Code files always, and nothing in them that a published
file must not carry (finding codes, cell references, paths, names of officers)."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from tests.test_mail import circulated
from tests.test_three_sixty import PLANS, errors, schema_validator

SETTINGS = 'funder_prefix = "lincolnshirepcc"\nforce_area_code = "E23000020"\n'
OPEN_DATA = {
    "360giving-015-2021.json",
    "360giving-015-2021.xlsx",
    "grants-2021-22.csv",
    "contracts-2021-22.csv",
}
# What must never reach a published file: codes, cell references, paths, officers' details.
UNPUBLISHABLE = re.compile(
    r"\b[EWI]-[A-Z0-9-]{3,}\b|Services!|\b[A-Z]{1,2}\d{1,4}\b|/tmp/|input/"
    r"|Joanne|Davison|947406|jane\.smith|@example"
)


def build(folder: Path, workbook: Path, settings: str = SETTINGS) -> tuple[Path, str]:
    config = folder / "pcc-report.toml"
    config.write_text(settings, encoding="utf-8")
    out = folder / "output"
    result = CliRunner().invoke(
        cli,
        ["build", str(workbook), "--out", str(out), "--config", str(config)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return out / "015-2021", result.output


def published_text(path: Path) -> str:
    """Every piece of text in an open-data file, as a reader would get it out."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row]
        props = book.properties
        return "\n".join([*cells, str(props.title), str(props.creator), str(props.description)])
    return path.read_bytes().decode("utf-8-sig")


def test_a_build_writes_the_open_data_beside_the_report(tmp_path: Path) -> None:
    folder, _ = build(tmp_path, circulated(tmp_path / "input"))
    names = {p.name for p in folder.iterdir()}
    assert names >= OPEN_DATA

    data = json.loads((folder / "360giving-015-2021.json").read_text(), parse_float=Decimal)
    assert errors(schema_validator(), data) == []
    assert [g["amountAwarded"] for g in data["grants"]] == [Decimal(a) for a in PLANS["sample"][3]]
    grants = list(
        csv.DictReader(io.StringIO((folder / "grants-2021-22.csv").read_text("utf-8-sig")))
    )
    assert len(grants) == 7 and grants[0]["Beneficiary"] == "Rape Crisis"

    manifest = json.loads((tmp_path / "output" / "manifest.json").read_text())
    [entry] = manifest["workbooks"].values()
    assert {Path(o["path"]).name for o in entry["outputs"]} >= OPEN_DATA

    findings = json.loads((folder / "findings.json").read_text())["findings"]
    org_ids = [f for f in findings if f["code"] == "W-ORG-ID"]
    assert len(org_ids) == 8  # one per grant line, none of which has a Recipient org ID
    assert {f["sheet"] for f in org_ids} == {"Services"}

    for name in OPEN_DATA:
        found = UNPUBLISHABLE.findall(published_text(folder / name))
        assert found == [], (name, found)


def test_without_a_prefix_the_360giving_files_are_skipped_with_a_note(tmp_path: Path) -> None:
    folder, _ = build(tmp_path, circulated(tmp_path / "input"), settings="")
    names = {p.name for p in folder.iterdir()}
    assert not [n for n in names if n.startswith("360giving")]
    assert {"grants-2021-22.csv", "contracts-2021-22.csv"} <= names
    findings = json.loads((folder / "findings.json").read_text())["findings"]
    [note] = [f for f in findings if f["code"] == "I-360-SKIPPED"]
    assert "funder_prefix" in note["message"]
    assert not [f for f in findings if f["code"] == "W-ORG-ID"]


def test_changing_the_prefix_rebuilds(tmp_path: Path) -> None:
    workbook = circulated(tmp_path / "input")
    build(tmp_path, workbook, settings="")
    folder, output = build(tmp_path, workbook)
    assert "1 built, 0 up to date" in output
    assert (folder / "360giving-015-2021.json").is_file()


@pytest.mark.parametrize("name", ["sample"])
def test_check_lists_the_360giving_warnings_without_writing(tmp_path: Path, name: str) -> None:
    config = tmp_path / "pcc-report.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["check", PLANS[name][0], "--json", "--config", str(config)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    [workbook] = json.loads(result.output)["workbooks"]
    assert [f["cell"] for f in workbook["findings"] if f["code"] == "W-ORG-ID"] == [
        f"N{row}" for row in (9, 10, 13, 24, 26, 27, 28, 29)
    ]
