"""The open-data files as outputs of a build (README "Publishing"): 360Giving with the
publisher prefix set, the Transparency Code files always, and nothing in them that a published
file must not carry (finding codes, cell references, paths, names of officers)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from tests.published import xml_text
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


def test_the_published_workbooks_say_they_are_in_english(tmp_path: Path) -> None:
    """WCAG 3.1.1: the public summary and the 360Giving spreadsheet say their language in
    docProps/core.xml (dc:language), as the Request for Decision does; xlsxwriter writes none."""
    folder, _ = build(tmp_path, circulated(tmp_path / "input"))
    for name in ("commissioning-summary-2021-22.xlsx", "360giving-015-2021.xlsx"):
        with zipfile.ZipFile(folder / name) as archive:
            core = ElementTree.fromstring(archive.read("docProps/core.xml"))
        languages = [e.text for e in core.iter("{http://purl.org/dc/elements/1.1/}language")]
        assert languages == ["en-GB"], name
        assert openpyxl.load_workbook(folder / name).properties.language == "en-GB"


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


def test_money_committed_past_the_ten_later_years_is_shown_not_cut_off(tmp_path: Path) -> None:
    # A contract to 2040 (or an end year typed wrongly): the commitments beyond the year show
    # ten later years; what the line commits after them was left out of both published tables
    # with no word for the reader, and their totals were short of it.
    import docx

    from pipeline.load import load
    from pipeline.reconcile import reconcile
    from pipeline.render_docx import render_docx
    from pipeline.render_xlsx import render_xlsx
    from pipeline.report import Report
    from tests.test_reconcile import sample_lines
    from tests.workbooks import make_workbook, service_row

    long_line = service_row(service="Long Contract", end=dt.date(2040, 3, 31))
    plan = load(make_workbook(tmp_path, services=sample_lines(long_line))).plan
    assert plan is not None
    report = Report.of(reconcile(plan))
    after = Decimal("8005.48")  # W-LATER-YEARS: "the £8,005.48 it commits after 31/03/2032"

    render_xlsx(report, tmp_path / "summary.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "summary.xlsx", data_only=True)["Commitments"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[2][-2:] == ["2031/32 (£)", "After 2031/32 (£)"]
    [line] = [row for row in rows if row[1] == "Long Contract"]
    assert Decimal(str(line[-1])).quantize(Decimal("0.01")) == after
    [total] = [row for row in rows if row[0] == "Total"]
    assert Decimal(str(total[-1])).quantize(Decimal("0.01")) == after
    formulas = openpyxl.load_workbook(tmp_path / "summary.xlsx")["Commitments"]
    assert str(formulas.cell(len(rows), len(rows[2])).value).startswith("=SUM(O4:O")

    render_docx(report, tmp_path / "rfd.docx")
    document = docx.Document(str(tmp_path / "rfd.docx"))
    table = next(
        t for t in document.tables if [c.text for c in t.rows[0].cells][1] == "Financial year"
    )
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert ["Victims Fund", "After 2031/32", "£8,005.48", "£0"] in cells
    shown = [Decimal(r[2].strip("£").replace(",", "")) for r in cells[1:-1]]
    assert Decimal(cells[-1][2].strip("£").replace(",", "")) == sum(shown)


def test_a_path_typed_into_the_plan_reaches_no_published_file(tmp_path: Path) -> None:
    # A Provision pointing colleagues at the specification on the share was published in the
    # Request for Decision, the summary, the 360Giving files and the Transparency Code CSVs.
    from tests.test_reconcile import sample_lines
    from tests.workbooks import make_workbook, service_row

    spec = r"Counselling (spec: \\opcc-fs01\finance$\Commissioning\Specs\Counselling v3.docx)"
    line = service_row(service="Counselling", provision=spec, mechanism="Grant")
    (tmp_path / "input").mkdir()
    workbook = make_workbook(tmp_path / "input", services=sample_lines(line))
    folder, _ = build(tmp_path, workbook)
    published = [
        *(folder / name for name in OPEN_DATA),
        folder / "commissioning-summary-2021-22.xlsx",
    ]
    for path in published:
        assert "opcc-fs01" not in published_text(path), path.name
    assert "Counselling (spec: [removed])" in published_text(folder / "360giving-015-2021.json")
    assert "opcc-fs01" not in xml_text(folder / "RfD-015-2021.docx")
