"""The Services sheet's cells as the line reader reads them (pipeline.read_services, #21).

A line's cells are read with what does not depend on the row worked out once per sheet; these
hold that it still says what the cell-by-cell reading said: a text cell holding an Excel error
or a formula Excel never calculated is a located E-VALUE, and text with a "#" in it is text.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pipeline.load import load
from pipeline.model import Plan
from pipeline.new_workbook import Formula
from pipeline.reconcile import reconcile
from scripts.make_corpus import Book, appendix3, sample_book, write_book
from tests.workbooks import make_workbook, service_row


def lines(**second: Any) -> list[list[Any]]:
    """Two lines in Services rows 2 and 3, the second changed."""
    return [
        service_row(service="Victim Support", budget=Decimal(1000)),
        service_row(**{"service": "Rape Crisis", "budget": Decimal(2000), **second}),
    ]


def test_an_excel_error_typed_in_a_text_cell_is_located(tmp_path: Path) -> None:
    result = load(make_workbook(tmp_path, services=lines(organisation=" #N/A ")))
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [("E-VALUE", "Services", "C3")]
    assert "Delivery organisation holds the error #N/A" in result.findings[0].message
    assert result.plan is None


def test_a_text_formula_without_its_result_is_located(tmp_path: Path) -> None:
    result = load(make_workbook(tmp_path, services=lines(provision=Formula('="Out"&"reach"'))))
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [("E-VALUE", "Services", "E3")]
    assert "no saved result" in result.findings[0].message


def test_a_formula_without_its_result_on_a_row_spares_the_other_cells(tmp_path: Path) -> None:
    # The row is read cell by cell: only the formula's cell is a finding, and the next row
    # is read as usual.
    rows = [*lines(budget=Formula("=1000*2")), service_row(service="Refuge", budget=Decimal(5))]
    result = load(make_workbook(tmp_path, services=rows))
    assert [(f.code, f.cell) for f in result.findings] == [("E-VALUE", "L3")]
    assert result.readable is not None
    assert [line.service for line in result.readable.lines] == ["Victim Support", "Refuge"]


def test_text_with_a_hash_in_it_is_text(tmp_path: Path) -> None:
    result = load(
        make_workbook(
            tmp_path, services=lines(service="Project #2", provision="Room #4: #N/A never")
        )
    )
    assert result.plan is not None, result.findings
    assert [line.service for line in result.plan.lines] == ["Victim Support", "Project #2"]
    assert result.plan.lines[1].provision == "Room #4: #N/A never"


def total_row(column: int, label: str, amount: Decimal) -> list[Any]:
    """A row holding ``label`` in ``column`` (0: Fund) and ``amount`` in the budget column."""
    row: list[Any] = [""] * 12
    row[column] = label
    row[11] = amount
    return row


def test_a_total_labelled_beside_its_figure_is_a_total_row(tmp_path: Path) -> None:
    # "Total" typed in the Purpose column (K), next to the figure: one E-TOTAL when it is
    # wrong, not seven "blank" errors for a budget line nobody meant.
    wrong = load(
        make_workbook(tmp_path, services=[*lines(), total_row(10, "Total", Decimal(3500))])
    )
    assert wrong.plan is not None, wrong.findings
    assert [(f.code, f.cell) for f in reconcile(wrong.plan).findings if f.code == "E-TOTAL"] == [
        ("E-TOTAL", "L4")
    ]
    right = load(
        make_workbook(tmp_path, services=[*lines(), total_row(9, "Sub-total:", Decimal(3000))])
    )
    assert right.plan is not None, right.findings
    assert [(t.label, t.closes) for t in right.plan.totals] == [("Sub-total:", (0, 1))]
    assert not [f for f in reconcile(right.plan).findings if f.code == "E-TOTAL"]


def test_an_amount_alone_on_a_row_is_one_finding(tmp_path: Path) -> None:
    result = load(make_workbook(tmp_path, services=[*lines(), total_row(0, "", Decimal(3000))]))
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [
        ("E-REQUIRED", "Services", "L4")
    ]
    assert "holds only an amount (£3,000)" in result.findings[0].message
    assert 'type "Total" in its Fund column' in result.findings[0].message


def test_a_note_with_the_word_total_and_no_figure_stays_a_note(tmp_path: Path) -> None:
    note = [""] * 12
    note[9] = "Total to be confirmed in July"
    result = load(make_workbook(tmp_path, services=[*lines(), note]))
    assert [f.code for f in result.findings if f.code != "I-EXPIRING"] == ["I-NOTE-ROW"]


def test_a_note_below_the_lines_is_not_told_to_move_below_them(tmp_path: Path) -> None:
    # A note typed under the last line was told "move it below the table": it was there.
    note = [""] * 12
    note[1] = "Figures subject to the MoJ allocation letter"
    below = load(make_workbook(tmp_path, "below.xlsx", services=[*lines(), note, note]))
    told = [f for f in below.findings if f.code == "I-NOTE-ROW"]
    assert [f.cell for f in told] == ["B4", "B5"]
    assert all("read as a note" in f.message and "move it" not in f.message for f in told)
    among = load(make_workbook(tmp_path, "among.xlsx", services=[lines()[0], note, lines()[1]]))
    [between] = [f for f in among.findings if f.code == "I-NOTE-ROW"]
    assert between.cell == "B3" and "move it below the table" in between.message


def test_a_note_below_the_funds_is_not_told_to_move_below_them(tmp_path: Path) -> None:
    def notes(content: Any) -> None:
        content.funds.append(["Note: allocations are subject to the precept"])
        content.sources.append(["* MoJ allocation confirmed on 12/01/2021"])

    result = load(make_workbook(tmp_path, edit=notes))
    told = [f for f in result.findings if f.code == "I-NOTE-ROW"]
    assert [f.sheet for f in told] == ["Funds", "Funding sources"]
    assert all("read as a note" in f.message and "move it" not in f.message for f in told)


@pytest.mark.parametrize("column", [0, 1])
def test_a_fund_named_alone_above_its_lines_is_a_heading(column: int, tmp_path: Path) -> None:
    # Plans banded by fund: "Victims Fund" alone on a row (in the Fund or the Service column)
    # above its lines. It was an I-NOTE-ROW telling the officer to move it below the table.
    heading = [""] * 12
    heading[column] = " VICTIMS  fund"
    note = [""] * 12
    note[column] = "Victims Fund bids"  # not a fund's name: still a note
    result = load(make_workbook(tmp_path, services=[heading, *lines(), note]))
    assert result.plan is not None and len(result.plan.lines) == 2
    letter = "AB"[column]
    assert [(f.code, f.cell) for f in result.findings if f.code != "I-EXPIRING"] == [
        ("I-NOTE-ROW", f"{letter}5")
    ]


def test_a_fund_heading_showing_its_allocation_is_not_a_line(tmp_path: Path) -> None:
    # "Victims Fund" above its lines with its allocation in the budget column (as a plan
    # printed by fund shows it), or typed with a colon: it was an error per empty cell.
    heading: list[Any] = [""] * 12
    heading[0], heading[11] = "Victims Fund", Decimal(1_009_000)
    colon = [""] * 12
    colon[0] = "VICTIMS FUND:"
    other: list[Any] = [""] * 12
    other[0], other[11] = "Victims Fund", Decimal(1_000)  # not its allocation: a line
    result = load(make_workbook(tmp_path, services=[heading, colon, *lines()]))
    assert result.plan is not None, result.findings
    assert len(result.plan.lines) == 2
    assert [f.code for f in result.findings if f.code != "I-EXPIRING"] == []
    wrong = load(make_workbook(tmp_path, "wrong.xlsx", services=[other, *lines()]))
    assert wrong.plan is None
    assert ("E-REQUIRED", "B2") in [(f.code, f.cell) for f in wrong.findings]


def test_a_fund_typed_once_for_its_lines_is_one_finding_per_block(tmp_path: Path) -> None:
    # The Fund typed on a block's first line only, as a heading: one E-REQUIRED naming the
    # rows and the fund above them, not one per line; the lines are still read for the
    # other checks as if the fund were carried down.
    rows = [
        service_row(service="Victim Support", budget=Decimal(1000)),
        service_row(fund="", service="Rape Crisis", budget=Decimal(2000)),
        service_row(fund="", service="Refuge", budget=Decimal(3000)),
        total_row(0, "Total", Decimal(6000)),
        service_row(fund="Community Safety Fund", service="Youth", purpose="Reducing re-offending"),
        service_row(fund="", service="Night bus", mechanism="Partnership agreement"),
    ]
    result = load(make_workbook(tmp_path, services=rows))
    errors = [(f.code, f.cell) for f in result.findings if f.code.startswith("E-")]
    assert errors == [("E-REQUIRED", "A3:A4"), ("E-REQUIRED", "A7")]
    assert 'below "Victims Fund" (A2)' in result.findings[0].message
    assert result.plan is None and result.readable is not None
    assert [(ln.fund, ln.service) for ln in result.readable.lines] == [
        ("Victims Fund", "Victim Support"),
        ("Victims Fund", "Rape Crisis"),
        ("Victims Fund", "Refuge"),
        ("Community Safety Fund", "Youth"),
        ("Community Safety Fund", "Night bus"),
    ]


def test_a_blank_fund_on_the_first_line_is_still_blank(tmp_path: Path) -> None:
    rows = [service_row(fund="", service="Victim Support"), *lines()]
    result = load(make_workbook(tmp_path, services=rows))
    assert [(f.code, f.cell) for f in result.findings if f.code.startswith("E-")] == [
        ("E-REQUIRED", "A2")
    ]
    assert result.findings[0].message == "Fund is blank; fill it in."


def test_extension_options_that_say_there_are_none_are_blank(tmp_path: Path) -> None:
    # "N/A" in Extension options was an option to decide (I-EXPIRING on every such line)
    # and a commitment of unknown length on the public summary's Commitments sheet.
    none_said = [
        "N/A",
        "None",
        "-",
        "No",
        "No extension",
        "n/a - final year",
        "No option to extend",
    ]
    rows = [
        service_row(service=f"Service {i}", extension_options=said)
        for i, said in enumerate(none_said)
    ]
    rows.append(service_row(service="Kept", extension_options="No more than 2 x 12 months"))
    result = load(make_workbook(tmp_path, services=rows))
    assert result.plan is not None, result.findings
    assert [line.extension_options for line in result.plan.lines] == [
        *[""] * len(none_said),
        "No more than 2 x 12 months",
    ]
    expiring = [f.cell for f in reconcile(result.plan).findings if f.code == "I-EXPIRING"]
    assert expiring == [f"G{2 + len(none_said)}"]


def test_a_balance_row_under_the_lines_is_not_a_line(tmp_path: Path) -> None:
    # "Unallocated" and its figure under a fund's lines, as finance teams show what is left:
    # it was six errors ("Service is blank", "Start date is blank", ...). Right, it says nothing.
    for row in (
        total_row(0, "Unallocated", Decimal(1_006_000)),
        total_row(1, "Balance remaining", Decimal(1_006_000)),
        total_row(0, "Total unallocated", Decimal(1_006_000)),
    ):
        result = load(make_workbook(tmp_path, services=[*lines(), row]))
        assert result.plan is not None, result.findings
        assert [f.code for f in result.findings if f.code != "I-EXPIRING"] == []
        assert [line.service for line in result.plan.lines] == ["Victim Support", "Rape Crisis"]


def test_a_stale_balance_row_is_an_e_total(tmp_path: Path) -> None:
    named = total_row(1, "Still to allocate", Decimal(1_000_000))
    named[0] = "Victims Fund"
    result = load(make_workbook(tmp_path, services=[*lines(), named]))
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [("E-TOTAL", "Services", "L4")]
    assert result.findings[0].message == (
        'The "Still to allocate" row reads £1,000,000, but Victims Fund\'s allocation of '
        "£1,009,000 less its lines (£3,000) leaves £1,006,000 uncommitted. Correct the figure "
        "(or its formula), or the lines or the allocation."
    )


CORPUS = Path(__file__).resolve().parent / "corpus"


def test_the_seed_appendix_3_layout_reads_as_the_sample(tmp_path: Path) -> None:
    # A heading per fund ("Victims Fund - £1,009,000"), its header row, its lines and its
    # Total, no Fund column: each line's fund is its heading's. It was one E-COLUMN, "Column
    # "Fund" is missing", for a plan whose every line names its fund plainly above it.
    banded = load(CORPUS / "appendix3-fund-headings.xlsx")
    sample = load(make_workbook(tmp_path))
    assert banded.plan is not None and sample.plan is not None, banded.findings
    assert [f.code for f in banded.findings] == []

    def content(line: Any) -> tuple[Any, ...]:
        return (line.fund, line.service, line.organisation, line.budget, line.start, line.end)

    assert [content(line) for line in banded.plan.lines] == [
        content(line) for line in sample.plan.lines
    ]
    # Each Total closes its own fund's lines, as the sample's do.
    assert [(t.amount, t.closes[0], len(t.closes)) for t in banded.plan.totals] == [
        (Decimal(805212), 0, 10),
        (Decimal(464058), 10, 14),
    ]
    # A line's fund is located at the heading that gave it (no Fund cell on the sheet).
    first_vf, first_csf = banded.plan.lines[0], banded.plan.lines[10]
    assert (first_vf.at.row, first_vf.at.cell("fund")) == (5, "A3")
    assert (first_csf.at.row, first_csf.at.cell("fund")) == (19, "A17")
    assert first_csf.at.cell("budget") == "K19"


def test_fund_headings_under_one_header_are_read_the_same(tmp_path: Path) -> None:
    # One header row at the top, each fund's heading as the first row of its band (the
    # allocation typed in the budget column beside it), no Fund column.
    book = sample_book()
    rows = appendix3(("VICTIMS FUND", "Community Safety Fund:"))
    assert rows[3] == rows[17] and rows[16] == ["Community Safety Fund:"]
    rows[2], rows[3] = rows[3], [*rows[2], *[""] * 9, Decimal(1009000)]
    del rows[17]  # the second fund's header row
    book["Services"] = rows
    plan = clean_plan(tmp_path, book)
    funds = [line.fund for line in plan.lines]
    assert funds == ["Victims Fund"] * 10 + ["Community Safety Fund"] * 14
    assert plan.lines[0].at.cell("fund") == "A4"


def test_lines_with_no_fund_and_no_heading_still_want_a_fund_column(tmp_path: Path) -> None:
    book = sample_book()
    rows = appendix3()
    rows[2] = ["Commissioning Plan"]  # not a fund's name: nothing says the lines' fund
    rows[16] = ["Other services"]
    book["Services"] = rows
    path = tmp_path / "plan.xlsx"
    write_book(path, book)
    result = load(path)
    assert [(f.code, f.cell) for f in result.findings] == [("E-COLUMN", "4:4")]
    assert 'Column "Fund"' in result.findings[0].message


def clean_plan(tmp_path: Path, book: Book) -> Plan:
    """The plan of ``book``, written and loaded with no finding at all."""
    path = tmp_path / "plan.xlsx"
    write_book(path, book)
    result = load(path)
    assert result.plan is not None, result.findings
    assert [f.code for f in result.findings] == []
    return result.plan


def multi_year(
    path: Path,
    later: dict[str, list[Any]],
    headers: tuple[str, str, str] = ("2021/22 (£)", "2022/23 (£)", "2023/24 (£)"),
) -> Path:
    """The sample with '2022/23 (£)' and '2023/24 (£)' columns beside its budget, headed
    '2021/22 (£)' (or ``headers``), holding ``later`` for the services named (the others left
    blank)."""
    book = sample_book()
    rows = book["Services"]
    header = next(i for i, row in enumerate(rows) if "Fund" in row)
    width = len(rows[header])
    rows[header] = [*rows[header][:11], headers[0], *rows[header][12:], headers[1]]
    rows[header].append(headers[2])
    for row in rows[header + 1 :]:
        if len(row) > 1 and row[1] in later:
            row += [""] * (width - len(row)) + later[row[1]]
    write_book(path, book)
    return path


def test_a_multi_year_plans_later_budgets_are_its_commitments(tmp_path: Path) -> None:
    # Restorative Justice runs 01/04/2021-31/03/2024 at £100,000 this year, tapered by the
    # plan to £80,000 and £60,000: the published commitments showed £100,000 and £100,273.97
    # (this year's rate carried on), the plan's own figures passed over without a word.
    from pipeline.commitments import commitments

    path = multi_year(tmp_path / "plan.xlsx", {"Restorative Justice": [80000, "£60,000"]})
    result = load(path)
    assert result.plan is not None, result.findings
    [line] = [ln for ln in result.plan.lines if ln.service == "Restorative Justice"]
    assert line.budget == Decimal(100000)
    assert line.later_budgets == ((2022, Decimal(80000)), (2023, Decimal(60000)))
    carried = commitments(result.plan)
    labels = [y.label for y in carried.years]
    [rj] = [c for c in carried.lines if c.line.service == "Restorative Justice"]
    [isva] = [c for c in carried.lines if c.line.service.startswith("Children's Independent")]
    assert dict(zip(labels, rj.years, strict=True))["2022/23"] == Decimal(80000)
    assert dict(zip(labels, rj.years, strict=True))["2023/24"] == Decimal(60000)
    # A line with the later years blank is carried at its yearly rate, as before.
    assert dict(zip(labels, isva.years, strict=True))["2022/23"] == Decimal("200549.45")


@pytest.mark.parametrize(
    "headers",
    [
        ("Year 1 (2021/22)", "Year 2 (2022/23)", "Year 3 (2023/24)"),
        ("Budget for 2021/22", "Budget for 2022/23", "Budget for 2023/24"),
        ("2021/22 Total (£)", "2022/23 Total (£)", "2023/24 Total (£)"),
        ("Contract value 2021/22", "Contract value 2022/23", "Contract value 2023/24"),
    ],
)
def test_a_multi_year_plans_columns_headed_as_other_bodies_head_them(
    tmp_path: Path, headers: tuple[str, str, str]
) -> None:
    # "Year 1 (2021/22)" and its like were no budget column: E-COLUMN 'Column "Budget (£)" is
    # missing', and a plan whose headers said plainly which year each column held was refused.
    path = multi_year(tmp_path / "plan.xlsx", {"Restorative Justice": [80000, 60000]}, headers)
    result = load(path)
    assert result.plan is not None, result.findings
    assert [f.code for f in result.findings] == []
    [line] = [ln for ln in result.plan.lines if ln.service == "Restorative Justice"]
    assert line.budget == Decimal(100000)
    assert line.later_budgets == ((2022, Decimal(80000)), (2023, Decimal(60000)))


@pytest.mark.parametrize(
    ("later", "cell", "says"),
    [
        # Rape Crisis ends 31/03/2022: money for 2022/23 needs an End date that runs into it.
        (
            {"Rape Crisis": [18000, ""]},
            "O9",
            '"2022/23 (£)" holds 18000 but the line ends 31/03/2022, before that year begins',
        ),
        ({"Restorative Justice": ["TBC", ""]}, "O12", '"2022/23 (£)" reads "TBC"'),
    ],
)
def test_a_later_budget_that_cannot_be_a_commitment_is_located(
    tmp_path: Path, later: dict[str, list[Any]], cell: str, says: str
) -> None:
    result = load(multi_year(tmp_path / "plan.xlsx", later))
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [("E-VALUE", "Services", cell)]
    assert says in result.findings[0].message


def test_the_public_summary_says_the_plans_later_budgets_are_used(tmp_path: Path) -> None:
    import openpyxl

    from pipeline import batch
    from pipeline.config import Config

    drop = tmp_path / "input"
    drop.mkdir()
    multi_year(drop / "plan.xlsx", {"Restorative Justice": [80000, 60000]})
    [result], _ = batch.build([drop], tmp_path / "output", Config())
    assert result.outcome == "built", result.findings
    book = openpyxl.load_workbook(
        tmp_path / "output" / "015-2021" / "commissioning-summary-2021-22.xlsx"
    )
    note = book["Commitments"]["A2"].value
    assert (
        "as the plan budgets them (at each line's yearly rate this year (its cost this year for a whole year, by days for part of one) where it does not)"
        in (note)
    )
    rows = list(book["Commitments"].iter_rows(values_only=True))
    [rj] = [row for row in rows if row[1] == "Restorative Justice"]
    assert rj[4:6] == (80000, 60000)


@pytest.mark.parametrize("end", ["31/03/2022 (no extension)", "31/03/2022 (N/A)"])
def test_an_end_date_saying_there_is_no_extension_has_none(tmp_path: Path, end: str) -> None:
    # The seed prints options in brackets after the End date; "(no extension)" there was
    # taken as an option to decide (I-EXPIRING 'extension option: no extension').
    result = load(make_workbook(tmp_path, services=lines(end=end, extension_options="N/A")))
    assert result.plan is not None, result.findings
    assert [f.code for f in result.findings] == []  # nor a W-EXTENSION: both say none
    assert result.plan.lines[1].extension_options == ""
    assert result.plan.lines[1].end.isoformat() == "2022-03-31"


def test_a_band_whose_heading_names_no_fund_is_not_the_fund_above(tmp_path: Path) -> None:
    # A third fund's heading, its header and lines, the fund missing from the Funds sheet:
    # its lines were read as the Community Safety Fund's (the heading an I-NOTE-ROW).
    from pipeline.reconcile import check_readable

    book = sample_book()
    rows = appendix3()
    extra = [service_row(service="Bike marking", budget=Decimal(4000))[1:12]]
    extra.append(service_row(service="Street lights", budget=Decimal(6000))[1:12])
    rows += [["Safer Streets Fund - £150,000"], rows[3], *extra]
    book["Services"] = rows
    plan = clean_plan(tmp_path, book)
    assert [line.fund for line in plan.lines[-3:]] == [
        "Community Safety Fund",
        "Safer Streets Fund",
        "Safer Streets Fund",
    ]
    [unknown] = [f for f in check_readable(plan) if f.code == "E-FUND"]
    assert unknown.cell == "A35"
    assert "correct the fund name in their heading or add the fund" in unknown.message
    assert '2 lines (£10,000 in all, Services rows 37–38) name the fund "Safer Streets Fund"' in (
        unknown.message
    )


@pytest.mark.parametrize("provider", ["TBC", "To be commissioned", "tbc - open call"])
def test_a_line_with_no_provider_chosen_yet_is_one_finding_saying_it_is_headroom(
    tmp_path: Path, provider: str
) -> None:
    # Money set aside for a service not yet commissioned, its provider, type and mechanism
    # "TBC": two or three E-VALUEs each asking for a choice, which the officer could only
    # satisfy by making one up.
    second = {"organisation": provider, "organisation_type": "TBC", "mechanism": "TBC"}
    result = load(make_workbook(tmp_path, services=lines(**second)))
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [("E-VALUE", "Services", "C3")]
    message = result.findings[0].message
    assert f'Delivery organisation reads "{provider}"' in message
    assert "provider is not chosen yet stays in the plan with the type" in message
    assert "remove the row (its £2,000 then shows as the fund's uncommitted" in message
    assert result.plan is None
    # With its type and mechanism, a service still to be procured stays in the plan.
    (tmp_path / "chosen").mkdir()
    chosen = {"organisation": provider}
    assert load(make_workbook(tmp_path / "chosen", services=lines(**chosen))).plan is not None


@pytest.mark.parametrize("other", ["Revised budget (£)", "Original budget", "Current budget (£)"])
def test_a_revised_budget_beside_the_budget_is_not_passed_over(tmp_path: Path, other: str) -> None:
    # "Budget (£)" and "Revised budget (£)": the first was read and the revised figures
    # ignored without a word (an extra column); which one the plan holds is the officer's.
    book = sample_book()
    rows = book["Services"]
    at = next(i for i, row in enumerate(rows) if "Recipient org ID" in row)
    rows[at].append(other)
    for row in rows[at + 1 :]:
        if len(row) > 11 and isinstance(row[11], Decimal):
            row += [""] * (len(rows[at]) - 1 - len(row)) + [row[11] + 1000]
    write_book(tmp_path / "plan.xlsx", book)
    result = load(tmp_path / "plan.xlsx")
    assert result.plan is None
    [finding] = [f for f in result.findings if f.code == "E-COLUMN"]
    assert "Several budget columns" in finding.message and other in finding.message
    # Alone, it is the budget.
    rows[at][11], rows[at][-1] = other, "Notes"
    write_book(tmp_path / "alone.xlsx", book)
    assert load(tmp_path / "alone.xlsx").plan is not None
