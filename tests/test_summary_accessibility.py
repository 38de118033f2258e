"""The public summary as a screen reader meets it (#19), read from the .xlsx's own XML.

Excel's accessibility checker and the Public Sector Bodies Accessibility Regulations ask for:
alternative text on every chart, a header row on every table, no merged cells, sheet names
that say what a sheet holds, and an accessibility statement. Each is checked on the sample,
the sample with last year's plan (the Changes sheet), and a plan with a fund without lines
(whose sheet has no data rows).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from pipeline.compare import compare
from pipeline.config import Config
from pipeline.load import load
from pipeline.new_workbook import WorkbookContent
from pipeline.reconcile import Reconciliation, reconcile
from pipeline.render_xlsx import render_xlsx
from pipeline.report import Report
from tests.workbooks import make_workbook

FIXTURES = Path(__file__).parent / "fixtures"
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
}
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def add_fund(content: WorkbookContent) -> None:
    """A third fund, with money but no service lines."""
    content.funds = [*content.funds, ["Road Safety Fund", Decimal(5000), "", "Roads."]]
    content.sources = [*content.sources, ["Road Safety Fund", "Local", Decimal(5000), "No", ""]]


def recon_of(path: Path) -> Reconciliation:
    result = load(path)
    assert result.plan is not None, result.findings
    return reconcile(result.plan)


@pytest.fixture(scope="module", params=["sample", "with last year", "fund without lines"])
def summary(
    request: pytest.FixtureRequest,
    sample_recon: Reconciliation,
    sample_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    folder = tmp_path_factory.mktemp("summary")
    report = Report.of(sample_recon)
    if request.param == "with last year":
        previous = recon_of(FIXTURES / "lincolnshire-2020-21.xlsx")
        config = Config()
        comparison = compare(sample_recon, previous, dict(config.aliases), config.uplift_threshold)
        report = Report.of(sample_recon, comparison)
    elif request.param == "fund without lines":
        report = Report.of(recon_of(make_workbook(folder, edit=add_fund)))
    path = folder / "summary.xlsx"
    render_xlsx(report, path)
    return path


def parts(path: Path, pattern: str) -> Iterator[tuple[str, ElementTree.Element]]:
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if re.fullmatch(pattern, name):
                yield name, ElementTree.fromstring(archive.read(name))


def test_no_cell_is_merged(summary: Path) -> None:
    sheets = list(parts(summary, r"xl/worksheets/sheet\d+\.xml"))
    assert len(sheets) >= 4
    for name, sheet in sheets:
        assert sheet.find("m:mergeCells", NS) is None, name


def test_every_sheet_holds_tables_and_every_table_has_a_named_header_row(summary: Path) -> None:
    with zipfile.ZipFile(summary) as archive:
        names = archive.namelist()
        for sheet in (n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)):
            rels = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
            assert rels in names, f"{sheet} has no table"
            targets = re.findall(
                r'Target="\.\./tables/(table\d+\.xml)"', archive.read(rels).decode()
            )
            assert targets, f"{sheet} has no table"
    workbook = openpyxl.load_workbook(summary)
    for ws in workbook.worksheets:
        for table in ws.tables.values():
            assert table.headerRowCount in (None, 1), (ws.title, table.name)
            assert re.fullmatch(r"[A-Z][A-Za-z]+_\w+", table.name), table.name
            first = ws[table.ref][0]
            headers = [cell.value for cell in first]
            assert all(isinstance(h, str) and h.strip() for h in headers), (ws.title, headers)
            assert [c.name for c in table.tableColumns] == headers


def test_the_chart_has_alternative_text_with_every_funds_figures(
    summary: Path, sample_recon: Reconciliation
) -> None:
    [(_, drawing)] = parts(summary, r"xl/drawings/drawing\d+\.xml")
    [properties] = drawing.iter(f"{{{NS['xdr']}}}cNvPr")
    description = properties.get("descr", "")
    assert description.startswith("Stacked bar chart of committed and uncommitted money by fund.")
    for fund in (
        "Victims Fund: £805,212 committed, £203,788 uncommitted of £1,009,000",
        "Community Safety Fund: £464,058 committed, £91,942 uncommitted of £556,000",
    ):
        assert fund in description


def test_sheet_names_say_what_each_sheet_holds(summary: Path) -> None:
    workbook = openpyxl.load_workbook(summary)
    names = workbook.sheetnames
    assert names[0] == "Summary" and names[-1] == "About"
    for name in names:
        assert not re.fullmatch(r"Sheet\d*", name), name  # Excel's default names say nothing
        assert re.search(r"[A-Za-z]{3}", name), name  # words a screen reader can speak
        assert name == name.strip(" '-–,;&"), name
    funds = [
        ws.title for ws in workbook.worksheets if ws.title not in ("Summary", "Changes", "About")
    ]
    for title in funds:  # each fund sheet's title row names the fund in full
        assert workbook[title]["A1"].value.startswith(title)


def test_the_about_sheet_has_an_accessibility_statement(summary: Path) -> None:
    about = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(summary)["About"].iter_rows(values_only=True)
    }
    statement = about["Accessibility"]
    assert isinstance(statement, str)
    for promise in (
        "screen reader",
        "WCAG) 2.1 at level AA",
        "header row",
        "no cells are merged",
        "the chart has a text description",
        "another format",
        "Office of the Police and Crime Commissioner for Lincolnshire",
    ):
        assert promise in statement


def test_the_about_sheets_contents_names_every_sheet_that_is_not_a_funds(
    summary: Path, sample_recon: Reconciliation
) -> None:
    # A screen-reader user finds the sheets from this list: the Commitments sheet was missing.
    workbook = openpyxl.load_workbook(summary)
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    contents = about["Contents"]
    assert isinstance(contents, str) and "One sheet per fund" in contents
    funds = {rec.fund.name for rec in sample_recon.funds} | {"Road Safety Fund"}
    others = [name for name in workbook.sheetnames if name not in funds]
    assert "Commitments" in others
    for name in others:
        assert f"{name}: " in contents, name


def test_a_table_with_no_data_still_has_its_header_row(tmp_path: Path) -> None:
    path = tmp_path / "summary.xlsx"
    render_xlsx(Report.of(recon_of(make_workbook(tmp_path, edit=add_fund))), path)
    ws = openpyxl.load_workbook(path)["Road Safety Fund"]
    [table] = ws.tables.values()
    assert table.ref == "A3:I4"
    assert ws["A3"].value == "Service" and ws["I3"].value == "2021/22 budget (£)"
    assert ws["A4"].value == "No services are commissioned from this fund."
    assert ws["A2"].value == (
        "Allocation £5,000; no service line commits any of it yet. Figures are in pounds (£)."
    )
