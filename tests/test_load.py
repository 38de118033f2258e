"""The loader (issue 3): each input quirk of domain §2 is read correctly or gives the right finding.

Every fixture is the sample with one change, built in code. Each test asserts the complete list of
``(code, sheet, cell)`` the loader gives, and a fragment of each message.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pipeline import contract
from pipeline.load import load, sniff
from pipeline.model import Plan
from pipeline.new_workbook import Formula, WorkbookContent
from pipeline.s143 import s143_purpose
from scripts.make_corpus import sample_book, write_book
from tests.workbooks import decision_field, make_workbook, sample_content, service_row

CORPUS = Path(__file__).resolve().parent / "corpus"
HEADERS = [c.header for c in contract.SERVICES.columns]
BLANK = [""] * 12


def two_lines(**second: Any) -> list[list[Any]]:
    """Two Victims Fund lines in Services rows 2 and 3 (no title rows), the second changed."""
    return [
        service_row(service="Victim Support", budget=Decimal(1000)),
        service_row(**{"service": "Rape Crisis", "budget": Decimal(2000), **second}),
    ]


def with_services(rows: list[list[Any]], titles: tuple[str, ...] = ()) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        def edit(c: WorkbookContent) -> None:
            c.title_rows = {"Services": titles} if titles else {}

        return make_workbook(folder, services=rows, edit=edit)

    return build


def with_book(
    change: Callable[[dict[str, list[list[Any]]]], object], **options: Any
) -> Callable[[Path], Path]:
    """The sample laid out sheet by sheet, changed, and written with xlsxwriter."""

    def build(folder: Path) -> Path:
        book = sample_book()
        change(book)
        path = folder / "plan.xlsx"
        write_book(path, book, **options)
        return path

    return build


def renamed(sheet: str, names: dict[str, str]) -> Callable[[dict[str, list[list[Any]]]], None]:
    def change(book: dict[str, list[list[Any]]]) -> None:
        header = next(row for row in book[sheet] if "Fund" in row or "Field" in row)
        header[:] = [names.get(text, text) for text in header]

    return change


def resaved_by_openpyxl(rows: list[list[Any]]) -> Callable[[Path], Path]:
    """A workbook saved by openpyxl, which keeps formulas but drops their saved results."""

    def build(folder: Path) -> Path:
        from openpyxl import load_workbook

        path = with_services(rows)(folder)
        book = load_workbook(path)
        book.save(path)
        return path

    return build


def revised_beside(book: dict[str, list[list[Any]]]) -> None:
    """A "Revised budget (£)" column after the Services table, the budget's figures doubled
    (the office's working column: the hidden "Budget (£)" keeps the old ones)."""
    rows = book["Services"]
    header = next(i for i, row in enumerate(rows) if "Fund" in row)
    rows[header].append("Revised budget (£)")
    for row in rows[header + 1 :]:
        row.append(row[11] * 2 if isinstance(row[11], Decimal | int) else "")


def tab_per_fund(book: dict[str, list[list[Any]]]) -> None:
    """The Services sheet's lines on a sheet per fund, each under the header row."""
    rows = book.pop("Services")
    header = next(i for i, row in enumerate(rows) if "Fund" in row)
    for fund in ("Victims Fund", "Community Safety Fund"):
        book[fund] = [rows[header], *(row for row in rows[header:] if row[:1] == [fund])]


def tab_per_fund_named_only(book: dict[str, list[list[Any]]], funds: tuple[str, ...]) -> None:
    """A sheet per fund whose name alone says the fund: no Fund column on any."""
    rows = book.pop("Services")
    header = next(i for i, row in enumerate(rows) if "Fund" in row)
    for fund in funds:
        book[fund] = [rows[header][1:], *(row[1:] for row in rows[header:] if row[:1] == [fund])]


def csf_on_its_own_tab(book: dict[str, list[list[Any]]]) -> None:
    """The Community Safety Fund's lines moved to a tab named after it, without the Fund."""
    rows = book["Services"]
    header = next(i for i, row in enumerate(rows) if "Fund" in row)
    csf = [row for row in rows[header:] if row[:1] == ["Community Safety Fund"]]
    book["Services"] = rows[: header + 1] + [
        row for row in rows[header + 1 :] if row[:1] == ["Victims Fund"]
    ]
    book["Community Safety Fund"] = [rows[header][1:], *(row[1:] for row in csf)]


def plans_of_two_years(book: dict[str, list[list[Any]]]) -> None:
    """The plan's tabs named 2021-22, with next year's beside them (its figures doubled)."""
    for name in ("Funds", "Funding sources", "Services"):
        rows = book.pop(name)
        book[f"{name} 2021-22"] = rows
        book[f"{name} 2022-23"] = [
            [cell * 2 if isinstance(cell, Decimal | int) else cell for cell in row] for row in rows
        ]


@dataclass
class Quirk:
    build: Callable[[Path], Path]
    expect: list[tuple[str, str, str, str]] = field(default_factory=list)
    check: Callable[[Plan], None] | None = None


def lines_are(*rows: int) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        assert [ln.at.row for ln in plan.lines] == list(rows)

    return check


def budgets_are(*amounts: str) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        assert [ln.budget for ln in plan.lines] == [Decimal(a) for a in amounts]

    return check


def sample_lines(plan: Plan) -> None:
    assert len(plan.lines) == 24
    assert plan.lines[0].start == date(2018, 10, 1)
    assert sum((ln.budget for ln in plan.lines), Decimal(0)) == Decimal(805_212 + 464_058)


def second_line_runs(start: date, end: date) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        assert (plan.lines[1].start, plan.lines[1].end) == (start, end)

    return check


def funds_described(plan: Plan) -> None:
    """The sample's lines, and each fund's legal basis and description."""
    sample_lines(plan)
    assert all(f.legal_basis and f.description for f in plan.funds), plan.funds


def total_kept_aside(plan: Plan) -> None:
    assert len(plan.lines) == 2
    (total,) = plan.totals
    assert (total.label, total.amount, total.closes) == ("TOTAL:", Decimal(3000), (0, 1))
    assert total.at.cell("amount") == "L4"


def totals_close(*closes: tuple[int, ...]) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        assert [t.closes for t in plan.totals] == list(closes)
        assert len(plan.lines) == 2

    return check


def canonical_fund(plan: Plan) -> None:
    assert {ln.fund for ln in plan.lines} == {"Victims Fund"}


def extension_in_end_date(plan: Plan) -> None:
    line = plan.lines[1]
    assert (line.end, line.extension_options) == (
        date(2022, 3, 31),
        "1 x 12 months option to 31/03/2023",
    )


def decision_015(plan: Plan) -> None:
    assert (plan.decision.reference, plan.decision.date) == ("015/2021", date(2021, 5, 28))
    assert plan.decision.at.cell("reference") == "B2"  # one row up: no header


def notes_under_tables(book: dict[str, list[list[Any]]]) -> None:
    book["Funds"].append(["Note: allocations are subject to the precept"])
    book["Funding sources"].append(["* MoJ allocation confirmed on 12/01/2021"])


def units_under_headers(book: dict[str, list[list[Any]]]) -> None:
    services = book["Services"]
    at = next(i for i, row in enumerate(services) if "Fund" in row) + 1
    services.insert(at, ["", "", "", "", "", "dd/mm/yyyy", "DD/MM/YYYY", "", "", "", "", "(£)"])
    book["Funds"].insert(1, ["", "£"])


def guidance_under_headers(book: dict[str, list[list[Any]]]) -> None:
    """A template's guidance row under the headers, as offices' own templates print it."""
    services = book["Services"]
    at = next(i for i, row in enumerate(services) if "Fund" in row) + 1
    services.insert(
        at,
        [
            "Choose from list",
            "e.g. Victim Support",
            "Free text",
            "Select from drop-down",
            "Optional",
            "dd/mm/yyyy",
            "dd/mm/yyyy",
            "Optional - leave blank if none",
            "Choose from the list",
            "Free text",
            "Required for Community Safety Fund lines",
            "£",
        ],
    )
    book["Funds"].insert(1, ["Select", "£", "Free text"])


def decision_across(decisions: int) -> Callable[[dict[str, list[list[Any]]]], None]:
    """The Decision sheet's fields across row 1, each decision's values in a row below."""

    def change(book: dict[str, list[list[Any]]]) -> None:
        rows = book["Decision"][1:]
        values = [row[1] if len(row) > 1 else "" for row in rows]
        book["Decision"] = [[row[0] for row in rows], *([*values] for _ in range(decisions))]

    return change


def money_formulas_filled_down(book: dict[str, list[list[Any]]]) -> None:
    """The money column's formula filled down below each table, showing £0 on empty rows."""
    for name, col in (("Funds", 1), ("Funding sources", 2), ("Services", 11)):
        rows = book[name]
        for _ in range(5):
            row: list[Any] = [""] * (col + 1)
            row[col] = Formula(f"=SUM(M{len(rows) + 1}:P{len(rows) + 1})", 0)
            rows.append(row)


def en_dash_years(book: dict[str, list[list[Any]]]) -> None:
    """A multi-year plan's money headed "2021–22 (£)", and a blank "2022–23 (£)" on Services."""
    renamed("Funds", {"Allocation (£)": "2021\u201322 (£)"})(book)
    renamed("Services", {"Budget (£)": "2021\u201322 (£)"})(book)
    next(row for row in book["Services"] if "Fund" in row).append("2022\u201323 (£)")


def next_years_allocations(book: dict[str, list[list[Any]]], year: str = "2021/22") -> None:
    funds = book["Funds"]
    funds[0][1] = f"{year} allocation (£)"
    for row in funds:
        row.append("2022/23 allocation (£)" if row is funds[0] else Decimal(1))


# Essex's decision report names its fields its own way.
ESSEX_FIELDS = {
    "Reference": "Report reference number",
    "Date": "Date of report",
    "Subject": "Title of report",
    "Contact officer": "Enquiries to",
    "Executive summary": "Purpose of report",
}


def second_decision(book: dict[str, list[list[Any]]]) -> list[list[Any]]:
    """The Decision sheet's rows as another decision's: its Reference 016/2021."""
    return [
        ["Reference", "016/2021"] if row[:1] == ["Reference"] else list(row)
        for row in book["Decision"]
    ]


def decision_renamed(book: dict[str, list[list[Any]]], names: dict[str, str]) -> None:
    for row in book["Decision"]:
        row[0] = names.get(row[0], row[0])


def decision_in_b3(plan: Plan) -> None:
    decision = plan.decision
    assert (decision.reference, decision.date) == ("015/2021", date(2021, 5, 28))
    assert decision.subject.startswith("Police and Crime Commissioner's Commissioning")
    assert decision.executive_summary.startswith("To propose a Commissioning Strategy")
    assert decision.at.cell("reference") == "B3"


def voluntary_grant(plan: Plan) -> None:
    assert (plan.lines[1].organisation_type, plan.lines[1].mechanism) == (
        "Voluntary & community",
        "Grant",
    )


def marked_ring_fenced(book: dict[str, list[list[Any]]], marks: list[str]) -> None:
    """The Funding sources' Ring-fenced cells typed as ``marks``, one per source."""
    rows = book["Funding sources"]
    column = rows[0].index("Ring-fenced")
    for row, mark in zip(rows[1:], marks, strict=True):
        row[column] = mark


def ring_fenced_is(*expected: bool) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        assert [source.ring_fenced for source in plan.sources] == list(expected)

    return check


def add_column(book: dict[str, list[list[Any]]], header: str, text: str) -> None:
    """A column of text after the Services sheet's last, headed ``header``."""
    width = len(book["Services"][2])  # the header row
    for i, row in enumerate(book["Services"][2:]):
        row.extend([""] * (width - len(row)))
        row.append(header if i == 0 else text)


def profile_first(book: dict[str, list[list[Any]]], months: int) -> None:
    """A monthly profile of ``months`` columns before the Services sheet's own."""
    for row in book["Services"]:
        header = "Fund" in row
        row[:0] = [f"Month {i}" if header else (100 if row else "") for i in range(1, months + 1)]


def add_notes(book: dict[str, list[list[Any]]]) -> None:
    """A Notes column beside every Services row (blank rows too) and an unknown Decision field."""
    width = len(book["Services"][2])  # the header row
    for i, row in enumerate(book["Services"][2:]):
        row.extend([""] * (width - len(row)))
        row.append("Notes" if i == 0 else "call LCC")
    book["Decision"].append(["Internal note", "keep"])


QUIRKS: dict[str, Quirk] = {
    "title rows above the header": Quirk(
        with_services(two_lines(), titles=("Commissioning Plan 2021 - 2022", "Draft", "")),
        check=lines_are(5, 6),
    ),
    "the seed's own headings": Quirk(
        with_book(
            renamed(
                "Services",
                {
                    "Service": "Service Name/Area",
                    "Delivery organisation": "Current Delivery Org.",
                    "How commissioned": "How service is commissioned",
                    "Budget (£)": "2021/22 budget (£)",
                },
            )
        ),
        check=sample_lines,
    ),
    "headers in other case": Quirk(
        with_book(
            renamed(
                "Services", {"Fund": "FUND", "Start date": "start DATE", "Budget (£)": "BUDGET"}
            )
        ),
        check=sample_lines,
    ),
    "headers with trailing and double spaces": Quirk(
        with_book(renamed("Services", {"Fund": "Fund  ", "End date": "End  date "})),
        check=sample_lines,
    ),
    "headers with non-breaking spaces": Quirk(
        with_book(
            renamed(
                "Services", {"Start date": "Start\u00a0date", "Budget (£)": "Budget\u00a0(£)\u00a0"}
            )
        ),
        check=sample_lines,
    ),
    "fund names in other case and spacing": Quirk(
        with_services(
            [
                service_row(fund="victims\u00a0fund "),
                service_row(fund=" VICTIMS  FUND", service="Rape Crisis"),
            ]
        ),
        check=canonical_fund,
    ),
    "blank rows inside and after the table": Quirk(
        with_services(
            [two_lines()[0], BLANK, BLANK, two_lines()[1], BLANK, BLANK, ["", " ", "\u00a0"]]
        ),
        check=lines_are(2, 5),
    ),
    "a typed Total row": Quirk(
        with_services([*two_lines(), ["TOTAL:", *[""] * 10, Decimal(3000)]]), check=total_kept_aside
    ),
    "Sub-totals, then the fund's Total": Quirk(
        with_services(
            [
                two_lines()[0],
                ["", "Sub-total", *[""] * 9, Decimal(1000)],
                two_lines()[1],
                ["", "Sub-total", *[""] * 9, Decimal(2000)],
                ["Total", *[""] * 10, Decimal(3000)],
            ]
        ),
        check=totals_close((0,), (1,), (0, 1)),
    ),
    "a fund in Sub-totals, the next fund closed by a Total": Quirk(
        with_services(
            [
                two_lines()[0],
                ["", "Sub-total", *[""] * 9, Decimal(1000)],
                two_lines()[1],
                ["TOTAL:", *[""] * 10, Decimal(2000)],
            ]
        ),
        check=totals_close((0,), (1,)),
    ),
    "a Total labelled with its fund's name": Quirk(
        with_services([*two_lines(), ["", "Victims Fund total", *[""] * 9, Decimal(3000)]]),
        check=totals_close((0, 1)),
    ),
    "a formula with its saved result": Quirk(
        with_services(two_lines(budget=Formula("=1000*2", 2000))), check=budgets_are("1000", "2000")
    ),
    "a formula with no saved result (openpyxl)": Quirk(
        resaved_by_openpyxl(two_lines(budget=Formula("=1000*2", 2000))),
        [
            (
                "E-VALUE",
                "Services",
                "L3",
                "Budget holds the formula =1000*2 with no saved result (the file was written by a "
                "program, not Excel); open the workbook in Excel, let it calculate, and save it.",
            )
        ],
    ),
    "a formula with no saved result (xlsxwriter)": Quirk(
        with_services([*two_lines(), ["Total", *[""] * 10, Formula("=SUM(L2:L3)", None)]]),
        [("E-VALUE", "Services", "L4", "row's figure holds the formula =SUM(L2:L3) with no saved")],
    ),
    "a hidden sheet": Quirk(
        with_book(
            lambda book: book.update(Workings=[["Note"], ["draft"]]), hidden={"Workings": "hidden"}
        ),
        [("I-HIDDEN", "Workings", "", 'Hidden sheet "Workings" was ignored')],
        check=sample_lines,
    ),
    "the 1904 date system": Quirk(with_book(lambda book: None, date_1904=True), check=sample_lines),
    "merged title cells": Quirk(
        with_book(lambda book: None, merges={"Services": ("A1:L1",)}), check=sample_lines
    ),
    "a missing sheet": Quirk(
        with_book(lambda book: book.pop("Funds")),
        [
            (
                "E-SHEET",
                "",
                "",
                'No "Funds" sheet. Sheets found: "Decision", "Funding sources", '
                '"Services", "Document control". Add a sheet named "Funds"',
            )
        ],
    ),
    "the Services sheet hidden": Quirk(
        with_book(lambda book: None, hidden={"Services": "hidden"}),
        [
            ("I-HIDDEN", "Services", "", 'Hidden sheet "Services" was ignored'),
            (
                "E-SHEET",
                "Services",
                "",
                'The "Services" sheet is hidden, so it was not read; unhide it',
            ),
        ],
    ),
    # A very hidden sheet is not listed under Unhide: 'right-click a sheet tab > Unhide' was a
    # fix no one could follow.
    "the Funds sheet very hidden": Quirk(
        with_book(lambda book: None, hidden={"Funds": "veryHidden"}),
        [
            ("I-HIDDEN", "Funds", "", 'Sheet "Funds" is very hidden'),
            ("E-SHEET", "Funds", "", "not listed under Unhide; in Excel press Alt+F11"),
        ],
    ),
    "a missing column": Quirk(
        with_book(renamed("Services", {"Provision": "Notes"})),
        [
            (
                "E-COLUMN",
                "Services",
                "3:3",
                "Column \"Provision\" (or 'Description', 'Service description', 'Project "
                "description', …) is missing. Headers found in row 3: "
                '"Fund", "Service", "Delivery organisation"',
            )
        ],
    ),
    "no header row at all": Quirk(
        with_book(lambda book: book.update(Funds=[["Victims Fund", 1_009_000]])),
        [
            (
                "E-COLUMN",
                "Funds",
                "",
                'No header row found on "Funds". Expected columns: "Fund", "Allocation (£)"',
            )
        ],
    ),
    "a required blank": Quirk(
        with_services(two_lines(service="")),
        [("E-REQUIRED", "Services", "B3", "Service is blank; fill it in.")],
    ),
    "a budget of TBC": Quirk(
        with_services(two_lines(budget="TBC")),
        [("E-VALUE", "Services", "L3", 'Budget reads "TBC", which is not an amount')],
    ),
    # A number cell's 12.345 (a calculated uplift, or three decimals typed) was 'a point
    # between thousands ... type the amount as 82661', advice that could enter £12,345.
    "a budget of 12.345 in a number cell": Quirk(
        with_services(two_lines(budget=12.345)),
        [("E-VALUE", "Services", "L3", 'Budget reads "12.345", which has fractions of a penny')],
    ),
    "a budget typed as the text 82.661": Quirk(
        with_services(two_lines(budget="82.661")),
        [("E-VALUE", "Services", "L3", 'Budget reads "82.661": a point between thousands')],
    ),
    "a date typed month-first": Quirk(
        with_services(two_lines(end="04/30/2022")),
        [
            (
                "E-VALUE",
                "Services",
                "G3",
                'End date reads "04/30/2022", which is not a date: it looks month-first (US style)',
            )
        ],
    ),
    "an unknown organisation type": Quirk(
        with_services(two_lines(organisation_type="Consortium")),
        [
            (
                "E-VALUE",
                "Services",
                "D3",
                'Organisation type reads "Consortium", which is not a known organisation type',
            )
        ],
    ),
    "a Services sheet with no lines": Quirk(
        with_services([BLANK]),
        [("E-REQUIRED", "Services", "", "The Services sheet has no budget lines")],
    ),
    "a fund listed twice": Quirk(
        with_book(lambda book: book["Funds"].append(["victims fund", 1, "", ""])),
        [("E-VALUE", "Funds", "A4", 'Fund "victims fund" is listed twice (also at A2)')],
    ),
    "a decision date that is not a date": Quirk(
        with_book(lambda book: book["Decision"].__setitem__(3, ["Date", "28th of May"])),
        [("E-VALUE", "Decision", "B4", 'Date reads "28th of May", which is not a date')],
    ),
    "a financial year that is not one": Quirk(
        with_book(lambda book: book["Decision"].__setitem__(4, ["Financial year", "2021"])),
        # It was 'type it as 2021/22', though "2021" may be the year ending in March 2021.
        [("E-VALUE", "Decision", "B5", "type 2020/21 (April 2020 to March 2021) or 2021/22")],
    ),
    # A multi-year decision: it was told only 'type it as 2021/22', not that a plan is one year.
    "a multi-year decision's financial years": Quirk(
        with_book(
            lambda book: book["Decision"].__setitem__(4, ["Financial year", "2021/22 to 2023/24"])
        ),
        [
            (
                "E-VALUE",
                "Decision",
                "B5",
                '"2021/22 to 2023/24", 3 financial years (2021/22 to 2023/24); a plan is read '
                "for one. Type the year whose budgets it holds, e.g. 2021/22",
            )
        ],
    ),
    # This year's plan and next year's in one workbook, their tabs named by year: three
    # E-SHEETs ('2 sheets answer to "Services"') though the Decision names the year.
    "this year's and next year's plans in one workbook": Quirk(
        with_book(lambda book: plans_of_two_years(book)),
        [
            ("I-SHEET", name, "", f'"{name}" sheet is named for another year than')
            for name in ("Funds 2022-23", "Funding sources 2022-23", "Services 2022-23")
        ],
        check=sample_lines,
    ),
    # Old figures kept in a hidden "Budget (£)" column beside the visible "Revised budget
    # (£)" the office worked in were read without a word (then with a W-HIDDEN-COLUMN, the
    # old figures still built into the report): two budget columns, the officer says which.
    "old figures in a hidden budget column": Quirk(
        with_book(lambda book: revised_beside(book), hidden_columns={"Services": ["L"]}),
        [("E-COLUMN", "Services", "3:3", '"Budget (£)" (L3), "Revised budget (£)" (O3)')],
    ),
    "a hidden allocation column": Quirk(
        with_book(lambda book: None, hidden_columns={"Funds": ["B"]}),
        [("W-HIDDEN-COLUMN", "Funds", "B1", "are the ones read as the Allocation")],
        check=sample_lines,
    ),
    # Helper columns and the rest of the sheet hidden, as offices tidy a sheet for print.
    "hidden columns that hold no figures": Quirk(
        with_book(lambda book: None, hidden_columns={"Services": ["M", "O:XFD"]}),
        check=sample_lines,
    ),
    # A tab per fund: 'No "Services" sheet ... Add a sheet named "Services"', and people
    # added an empty one beside their plan.
    "a tab of lines per fund": Quirk(
        with_book(lambda book: tab_per_fund(book)),
        [
            (
                "E-SHEET",
                "Victims Fund",
                "",
                'the "Victims Fund" and "Community Safety Fund" sheets have its columns',
            )
        ],
    ),
    # ... and with no Fund column, as the tab's name says the fund: it was the generic 'No
    # "Services" sheet ... Add a sheet named "Services"'.
    "a tab of lines per fund, no Fund column": Quirk(
        with_book(
            lambda book: tab_per_fund_named_only(book, ("Victims Fund", "Community Safety Fund"))
        ),
        [
            (
                "E-SHEET",
                "Victims Fund",
                "",
                'the "Victims Fund" and "Community Safety Fund" sheets have its columns except '
                'Fund: the plan is read from one sheet named "Services", each row naming its '
                "fund. Copy their rows onto one sheet of that name, under one header row, add a "
                "Fund column",
            )
        ],
    ),
    # The Services sheet with one fund's lines, another fund's on a tab of its own without a
    # Fund column: the tab's lines counted for nothing, without a word.
    "a fund's lines on a tab of its own beside the Services sheet": Quirk(
        with_book(csf_on_its_own_tab),
        [
            (
                "I-SHEET",
                "Community Safety Fund",
                "",
                'The "Community Safety Fund" sheet has the columns of the "Services" sheet except '
                "Fund, and was not read",
            )
        ],
        check=lines_are(*range(4, 14)),
    ),
    "one fund's tab, no Fund column": Quirk(
        with_book(lambda book: tab_per_fund_named_only(book, ("Victims Fund",))),
        [
            (
                "E-SHEET",
                "Victims Fund",
                "",
                'the "Victims Fund" sheet has its columns except Fund: the plan is read from one '
                'sheet named "Services", each row naming its fund. Rename that sheet "Services" '
                "and add a Fund column",
            )
        ],
    ),
    "a blank decision reference": Quirk(
        with_book(lambda book: book["Decision"].__setitem__(2, ["Reference", ""])),
        [("E-REQUIRED", "Decision", "B3", 'row for "Reference" has no value, e.g. 015/2021')],
    ),
    "no recommendations": Quirk(
        with_book(
            lambda book: book.__setitem__(
                "Decision",
                [r for r in book["Decision"] if not str(r[0]).startswith("Recommendation")],
            )
        ),
        [("E-REQUIRED", "Decision", "", 'no "Recommendation 1" row')],
    ),
    "a Decision sheet without its Field/Value header": Quirk(
        with_book(lambda book: book["Decision"].pop(0)), check=decision_015
    ),
    "end dates typed with their extension options, as in the seed": Quirk(
        with_services(two_lines(end="31/03/2022 (1 x 12 months option to 31/03/2023)")),
        check=extension_in_end_date,
    ),
    "the budget header written 'Budget 2021/22 (£)'": Quirk(
        with_book(renamed("Services", {"Budget (£)": "Budget 2021/22 (£)"})), check=sample_lines
    ),
    # Last year's workbook copied and its Financial year changed (or the reverse): the one
    # budget column, headed with another year, was read as this year's without a word.
    "the one budget column headed with another year": Quirk(
        with_book(renamed("Services", {"Budget (£)": "Budget 2020-21 (£)"})),
        [
            (
                "E-COLUMN",
                "Services",
                "L3",
                'The budget column is headed "Budget 2020-21 (£)" (L3), another year than the '
                "Decision sheet's Financial year, 2021/22. If its figures are 2021/22's, head it "
                '"2021/22 budget (£)" (or "Budget (£)"); if they are of the year it names, '
                "correct the Financial year on the Decision sheet.",
            )
        ],
    ),
    # The same with an en dash, as a heading pasted from Word has it: the year was not seen,
    # and last year's figures were read as this year's without a word.
    "the one budget column headed with another year, an en dash between": Quirk(
        with_book(renamed("Services", {"Budget (£)": "Budget 2020\u201321 (£)"})),
        [("E-COLUMN", "Services", "L3", 'The budget column is headed "Budget 2020\u201321 (£)"')],
    ),
    "a multi-year plan's columns with en dashes": Quirk(
        with_book(lambda book: en_dash_years(book)),
        check=sample_lines,
    ),
    # Funds as Services: last year's allocations were read as this year's without a word.
    "the one allocation column headed with another year": Quirk(
        with_book(renamed("Funds", {"Allocation (£)": "2020/21 allocation (£)"})),
        [
            (
                "E-COLUMN",
                "Funds",
                "B1",
                'The allocation column is headed "2020/21 allocation (£)" (B1), another year '
                "than the Decision sheet's Financial year, 2021/22. If its figures are "
                '2021/22\'s, head it "2021/22 allocation (£)" (or "Allocation (£)")',
            )
        ],
    ),
    "the one budget column headed with this year in short": Quirk(
        with_book(renamed("Services", {"Budget (£)": "Budget 21-22"})), check=sample_lines
    ),
    "money headers in GBP ('Allocation (GBP)', 'Amount (GBP)', 'Budget (GBP)')": Quirk(
        with_book(
            lambda book: (
                renamed("Funds", {"Allocation (£)": "Allocation (GBP)"})(book),
                renamed("Funding sources", {"Amount (£)": "Amount (GBP)"})(book),
                renamed("Services", {"Budget (£)": "Budget (GBP)"})(book),
            )
        ),
        check=sample_lines,
    ),
    "organisation type and mechanism in another area's words": Quirk(
        with_services(two_lines(organisation_type="Voluntary sector", mechanism="Grant agreement")),
        check=voluntary_grant,
    ),
    "headers as templates and other teams write them": Quirk(
        with_book(
            lambda book: (
                renamed("Funds", {"Fund": "Fund:", "Allocation (£)": "Allocation(£)"})(book),
                renamed("Funding sources", {"Amount (£)": "£ Amount*"})(book),
                renamed(
                    "Services",
                    {
                        "Fund": "Fund*",
                        "Delivery organisation": "Provider name",
                        "Start date": "Start date (dd/mm/yyyy)",
                        "End date": "Contract end date",
                        "Budget (£)": "Budget(£)*",
                    },
                )(book),
            )
        ),
        check=sample_lines,
    ),
    "a budget headed in thousands is not read as pounds": Quirk(
        with_book(renamed("Services", {"Budget (£)": "Budget (£000)"})),
        [("E-COLUMN", "Services", "3:3", 'Column "Budget (£)"')],
    ),
    "a grants plan's budget heading ('Grant value')": Quirk(
        with_book(renamed("Services", {"Budget (£)": "Grant value (£)"})), check=sample_lines
    ),
    "every column headed in another office's words": Quirk(
        with_book(
            lambda book: (
                renamed("Funds", {"Allocation (£)": "Fund value (£)"})(book),
                renamed(
                    "Funding sources",
                    {
                        "Source": "Funder",
                        "Amount (£)": "Value (£)",
                        "Ring-fenced": "Ring-fenced? (Y/N)",
                        "Grant reference": "Grant ref",
                    },
                )(book),
                renamed(
                    "Services",
                    {
                        "Service": "Project name",
                        "Delivery organisation": "Recipient organisation",
                        "Organisation type": "Provider type",
                        "Provision": "Description",
                        "Start date": "Date from",
                        "End date": "Date to",
                        "Extension options": "Option to extend",
                        "Mechanism": "Contract/Grant",
                        "How commissioned": "Route to market",
                        "Purpose": "s.143 purpose",
                        "Budget (£)": "Funding 2021/22 (£)",
                    },
                )(book),
            )
        ),
        check=sample_lines,
    ),
    # A grants plan's dates and a year's cost: each was E-COLUMN.
    **{
        f"headings {start!r}, {end!r}, {budget!r}": Quirk(
            with_book(
                renamed("Services", {"Start date": start, "End date": end, "Budget (£)": budget})
            ),
            check=sample_lines,
        )
        for start, end, budget in (
            ("Grant start", "Grant end", "Annual cost (£)"),
            ("Project start date", "Project end date", "2021/22 cost"),
            ("Grant start", "Grant end", "Cost 2021-22 (£)"),
        )
    },
    # The money headed as the decision's stage names it; each was E-COLUMN, and a Legal
    # basis headed 'Statutory basis' was dropped from the report without a word.
    "money headed as the decision's stage names it": Quirk(
        with_book(
            lambda book: (
                renamed(
                    "Funds",
                    {
                        "Allocation (£)": "Approved allocation (£)",
                        "Legal basis": "Statutory basis",
                        "Description": "Fund description",
                    },
                )(book),
                renamed("Funding sources", {"Amount (£)": "Contribution (£)"})(book),
                renamed("Services", {"Budget (£)": "Proposed budget 2021/22 (£)"})(book),
            )
        ),
        check=funds_described,
    ),
    # A footnote's mark or "excl. VAT" after a heading: each was E-COLUMN.
    "headings with a footnote's mark or 'excl. VAT'": Quirk(
        with_book(
            lambda book: (
                renamed("Funds", {"Allocation (£)": "Allocation (£) [1]"})(book),
                renamed("Funding sources", {"Amount (£)": "Amount (£) (see note 2)"})(book),
                renamed("Services", {"Budget (£)": "Budget (£)\u00b9 excl. VAT"})(book),
            )
        ),
        check=sample_lines,
    ),
    "a budget headed 'Approved budget'": Quirk(
        with_book(renamed("Services", {"Budget (£)": "Approved budget"})), check=sample_lines
    ),
    "a budget headed 'FY21/22 budget'": Quirk(
        with_book(renamed("Services", {"Budget (£)": "FY21/22 budget"})), check=sample_lines
    ),
    "a Funding column naming the stream beside the Budget is not a second budget": Quirk(
        with_book(lambda book: add_column(book, "Funding", "MoJ grant")), check=sample_lines
    ),
    "ring-fenced marked 'RF' and with a tick; local money 'Not RF'": Quirk(
        with_book(lambda book: marked_ring_fenced(book, ["RF", "Not RF", "\u2713"])),
        check=ring_fenced_is(True, False, True),
    ),
    "Ring-fenced as a checklist: the MoJ grant ticked, local money left blank": Quirk(
        with_book(lambda book: marked_ring_fenced(book, ["\u2713", "", ""])),
        check=ring_fenced_is(True, False, False),
    ),
    "a Welsh body's tabs named in Welsh, or in both languages": Quirk(
        with_book(
            lambda book: book.update(
                {
                    "Penderfyniad - Decision": book.pop("Decision"),
                    "Cronfeydd": book.pop("Funds"),
                    "Ffynonellau cyllid": book.pop("Funding sources"),
                    "Services \u2013 Gwasanaethau": book.pop("Services"),
                }
            )
        ),
        check=sample_lines,
    ),
    "sheets as Apple Numbers exports them ('Services - Table 1')": Quirk(
        with_book(
            lambda book: book.update(
                {f"{name} - Table 1": book.pop(name) for name in list(book)}
                | {"Export Summary": [["Sheet", "Table"], ["Services", "Table 1"]]}
            )
        ),
        check=sample_lines,
    ),
    "amounts in GBP, and one with VAT to resolve": Quirk(
        with_services(
            [
                service_row(service="Victim Support", budget="GBP 1,000"),
                service_row(service="Rape Crisis", budget="£2,000 + VAT"),
            ]
        ),
        [("E-VALUE", "Services", "L3", 'Budget reads "£2,000 + VAT", which carries VAT words')],
    ),
    # A plus sign before a budget, and a month's start and end in words: each was E-VALUE.
    "a budget typed '+£1,000' and dates 'Start of October 2021', 'End of March 2022'": Quirk(
        with_services(
            two_lines(budget="+£1,000", start="Start of October 2021", end="End of March 2022")
        ),
        check=second_line_runs(date(2021, 10, 1), date(2022, 3, 31)),
    ),
    "a budget with a footnote's mark is not read without its note": Quirk(
        with_services(two_lines(budget="£10,000*")),
        [("E-VALUE", "Services", "L3", "a footnote's mark (*) after it")],
    ),
    "a line dated with its financial year ('2021/22' as Start and End date)": Quirk(
        with_services(two_lines(start="2021/22", end="FY 2021-22")),
        check=second_line_runs(date(2021, 4, 1), date(2022, 3, 31)),
    ),
    "a line's budget typed as a year's amount ('£10,000 pa') and run all year": Quirk(
        with_services(two_lines(budget="£10,000 pa")), check=budgets_are("1000", "10000")
    ),
    "a year's amount on a line that runs part of the year is not guessed": Quirk(
        with_services(two_lines(budget="£10,000 p.a.", start=date(2021, 10, 1))),
        [("E-VALUE", "Services", "L3", "runs 01/10/2021 to 31/03/2022, not the whole")],
    ),
    "an end date typed 'Ongoing' and a start 'Existing' say which date to type": Quirk(
        with_services(two_lines(end="Ongoing", start="Existing")),
        [
            ("E-VALUE", "Services", "F3", "the date the line's current agreement started"),
            ("E-VALUE", "Services", "G3", "31/03/2022, for a line funded a year at a time"),
        ],
    ),
    # A wide sheet: the plan's columns after a 60-month profile, beyond column BL. Each
    # contract column was E-COLUMN "is missing", listing the 60 headers before it.
    "the plan's columns after 60 columns of a monthly profile": Quirk(
        with_book(lambda book: profile_first(book, 60)),
        check=sample_lines,
    ),
    "extra columns and unknown fields": Quirk(
        with_book(lambda book: add_notes(book)), check=sample_lines
    ),
    # A row of units under the headers, as templates print it: each of its cells was an error.
    "a row of units under the headers": Quirk(
        with_book(lambda book: units_under_headers(book)), check=sample_lines
    ),
    # A fund's name alone above its sources, as a heading: it was three errors ('Source is
    # blank', 'Amount is blank', 'Ring-fenced is blank').
    "a fund's name as a heading above its sources": Quirk(
        with_book(
            lambda book: book["Funding sources"].insert(1, ["", " victims fund "]),
        ),
        check=sample_lines,
    ),
    # A fund or a funding source on a hidden row is counted (an old figure kept beside the
    # new): the E-SOURCES listing it left the officer, who saw only the visible rows, baffled.
    "a fund and a funding source on hidden rows": Quirk(
        with_book(
            lambda book: book["Funding sources"].insert(
                2, ["Victims Fund", "MoJ grant (old figure)", Decimal(850_000), "Yes", ""]
            ),
            hidden_rows={"Funds": [3], "Funding sources": [3]},
        ),
        [
            (
                "I-HIDDEN-ROWS",
                "Funds",
                "3:3",
                "1 fund on hidden or filtered-out rows (3) was counted, £556,000 in all",
            ),
            (
                "I-HIDDEN-ROWS",
                "Funding sources",
                "3:3",
                "1 funding source on hidden or filtered-out rows (3) was counted, £850,000",
            ),
        ],
        check=sample_lines,
    ),
    # The Decision's fields across a row with the values below, as a decisions register
    # lays them out: it was an E-REQUIRED per field, each naming the police area as a row
    # the sheet had and the tool did not read.
    "the Decision's fields across a row": Quirk(
        with_book(decision_across(1)),
        [
            (
                "E-COLUMN",
                "Decision",
                "1:1",
                'The Decision sheet has its fields across row 1 ("Police area", "Reference", '
                '"Date", …) with their values below; it is read down two columns headed Field '
                "and Value, one row per field. Copy the rows, and on a new sheet use Paste "
                "Special > Transpose",
            )
        ],
    ),
    "a register of three decisions on the Decision sheet": Quirk(
        with_book(decision_across(3)),
        [
            (
                "E-COLUMN",
                "Decision",
                "1:1",
                "It holds 3 rows of values (rows 2–4): one workbook is one decision",
            )
        ],
    ),
    # A formula filled down the money column (=SUM of the quarters) shows £0 on each empty
    # row below the table: each was an error ('Fund is blank', 'Row 31 holds only an amount').
    "money formulas filled down below the tables": Quirk(
        with_book(money_formulas_filled_down), check=sample_lines
    ),
    # ... or a template's guidance ("Choose from list", "e.g. Victim Support"): each cell an
    # error (Mechanism reads "Choose from the list", Start date reads "dd/mm/yyyy", ...).
    "a row of guidance under the headers": Quirk(
        with_book(lambda book: guidance_under_headers(book)), check=sample_lines
    ),
    # A multi-year plan heads its money columns with the year alone.
    "money columns headed with the year alone": Quirk(
        with_book(
            lambda book: (
                renamed("Funds", {"Allocation (£)": "2021/22 (£)"})(book),
                renamed("Services", {"Budget (£)": "2021/22 (£)"})(book),
            )
        ),
        check=sample_lines,
    ),
    # Next year's allocations beside this year's: the Financial year's column is read, as on
    # Services (it was an E-COLUMN 'Several allocation columns', the year plain in both).
    "two allocation columns, one of the Financial year": Quirk(
        with_book(lambda book: next_years_allocations(book)), check=sample_lines
    ),
    # Neither of the year: never the first taken without a word.
    "two allocation columns, neither of the Financial year": Quirk(
        with_book(lambda book: next_years_allocations(book, "2020/21")),
        [
            (
                "E-COLUMN",
                "Funds",
                "1:1",
                'Several allocation columns: "2020/21 allocation (£)" (B1), "2022/23 allocation '
                '(£)" (E1); none is plainly for the financial year 2021/22.',
            )
        ],
    ),
    # A note typed under the Funds and Funding sources tables was an error per empty cell.
    "notes typed under the Funds and Funding sources tables": Quirk(
        with_book(lambda book: notes_under_tables(book)),
        [
            ("I-NOTE-ROW", "Funds", "4", '"Note: allocations are subject to the precept"'),
            ("I-NOTE-ROW", "Funding sources", "5", "read as a note"),
        ],
        check=sample_lines,
    ),
    # It said 'Add a sheet named "Services"': people added an empty one beside their plan.
    "the Services table on a sheet of another name": Quirk(
        with_book(lambda book: book.update({"Commissioned services": book.pop("Services")})),
        [
            (
                "E-SHEET",
                "Commissioned services",
                "",
                'No "Services" sheet, but the "Commissioned services" sheet has its columns: '
                'rename that sheet "Services"',
            )
        ],
    ),
    "the Services sheet hidden and the plan kept on its copy": Quirk(
        with_book(
            lambda book: book.update({"Services (2)": book["Services"]}),
            hidden={"Services": "hidden"},
        ),
        [
            ("I-HIDDEN", "Services", "", 'Hidden sheet "Services"'),
            (
                "E-SHEET",
                "Services",
                "",
                'If the visible "Services (2)" sheet holds the plan, rename it',
            ),
        ],
    ),
    # Welsh bodies head their tables in both languages; each was 'No header row found'.
    "headings in Welsh and English": Quirk(
        with_book(
            lambda book: (
                renamed(
                    "Funds",
                    {"Fund": "Cronfa / Fund", "Allocation (£)": "Dyraniad / Allocation (£)"},
                )(book),
                renamed(
                    "Services",
                    {
                        "Fund": "Cronfa / Fund",
                        "Service": "Gwasanaeth / Service",
                        "Budget (£)": "Cyllideb / Budget (£)",
                    },
                )(book),
            )
        ),
        check=sample_lines,
    ),
    # The two languages on two lines of the heading's cell (Alt+Enter), or beside a bar; each
    # was E-COLUMN 'is missing' though the heading was there.
    "headings in Welsh above English, on two lines or beside a bar": Quirk(
        with_book(
            lambda book: (
                renamed(
                    "Funds",
                    {"Fund": "Cronfa\nFund", "Allocation (£)": "Dyraniad (£)\nAllocation (£)"},
                )(book),
                renamed(
                    "Funding sources",
                    {"Fund": "Fund\r\nCronfa", "Amount (£)": "Swm (£) | Amount (£)"},
                )(book),
                renamed(
                    "Services",
                    {
                        "Fund": "Cronfa\nFund",
                        "Service": "Gwasanaeth | Service",
                        "Budget (£)": "Cyllideb (£)\nBudget (£)",
                        "Start date": "Dyddiad dechrau\nStart date",
                    },
                )(book),
            )
        ),
        check=sample_lines,
    ),
    "headings other offices use": Quirk(
        with_book(
            lambda book: (
                renamed("Funds", {"Allocation (£)": "2021/22 allocation (£)"})(book),
                renamed(
                    "Services",
                    {
                        "Organisation type": "Type of organisation",
                        "Start date": "Commencement date",
                        "End date": "Expiry date",
                        "Mechanism": "Funding mechanism",
                        "How commissioned": "Procurement route",
                    },
                )(book),
            )
        ),
        check=sample_lines,
    ),
    # One known column among the headings: it was 'No header row found' on a sheet whose
    # header row is plainly there; the missing column is named with the headings seen.
    "a header row short of a column other than the first": Quirk(
        with_book(renamed("Funds", {"Allocation (£)": "Grant value (£)"})),
        [("E-COLUMN", "Funds", "1:1", 'Headers found in row 1: "Fund", "Grant value (£)"')],
    ),
    "a Decision sheet in another body's own field names": Quirk(
        with_book(lambda book: decision_renamed(book, ESSEX_FIELDS)), check=decision_in_b3
    ),
    # Warwickshire's decision notices: "Decision Reference Number: WPCC3-0049", "Decision
    # Title", "Decision summary" (the reference was E-REQUIRED, its row not read).
    "a Decision sheet in a decision notice's field names": Quirk(
        with_book(
            lambda book: decision_renamed(
                book,
                {
                    "Reference": "Decision Reference Number",
                    "Subject": "Decision Title",
                    "Executive summary": "Decision summary",
                },
            )
        ),
        check=decision_in_b3,
    ),
    # Two decisions in one workbook, the second on a sheet of its own name: it was passed
    # over without a word, its Request for Decision never made.
    "a second decision's sheet beside the Decision sheet": Quirk(
        with_book(lambda book: book.update({"Decision 016-2021": second_decision(book)})),
        [
            (
                "I-SHEET",
                "Decision 016-2021",
                "",
                'has the fields of a Decision sheet (Reference "016/2021") but was not read',
            )
        ],
        check=sample_lines,
    ),
    "a missing Decision field names the rows not read": Quirk(
        with_book(lambda book: decision_renamed(book, {"Reference": "Our ref"})),
        [
            (
                "E-REQUIRED",
                "Decision",
                "",
                'The Decision sheet has no "Reference" row; add one, e.g. 015/2021 (or rename '
                "one of the rows it "
                'does not read: "Our ref")',
            )
        ],
    ),
}


@pytest.mark.parametrize("quirk", list(QUIRKS), ids=list(QUIRKS))
def test_loader_quirk(quirk: str, tmp_path: Path) -> None:
    case = QUIRKS[quirk]
    result = load(case.build(tmp_path))
    got = [(f.code, f.sheet, f.cell) for f in result.findings]
    assert got == [(code, sheet, ref) for code, sheet, ref, _ in case.expect], result.findings
    for finding, (_, _, _, says) in zip(result.findings, case.expect, strict=True):
        assert says in finding.message
    errors = [f for f in result.findings if f.code.startswith("E-")]
    assert (result.plan is None) == bool(errors)
    if case.check is not None:
        assert result.plan is not None
        case.check(result.plan)


# -- the sample -------------------------------------------------------------------------------


def test_the_sample_loads_without_findings(sample_path: Path) -> None:
    result = load(sample_path)
    assert result.findings == []
    assert result.plan is not None


def test_the_sample_reproduces_decision_015_2021(sample_plan: Plan) -> None:
    by_fund = {
        f.name: sum((ln.budget for ln in sample_plan.lines if ln.fund_key == f.key), Decimal(0))
        for f in sample_plan.funds
    }
    assert by_fund == {"Victims Fund": Decimal(805_212), "Community Safety Fund": Decimal(464_058)}
    sources = {f.name: [s.amount for s in sample_plan.sources_of(f)] for f in sample_plan.funds}
    assert sources == {
        "Victims Fund": [Decimal(884_000), Decimal(125_000)],
        "Community Safety Fund": [Decimal(556_000)],
    }
    assert [sum(ln.fund_key == f.key for ln in sample_plan.lines) for f in sample_plan.funds] == [
        10,
        14,
    ]
    assert [(t.label, t.amount) for t in sample_plan.totals] == [
        ("Total", Decimal(805_212)),
        ("Total", Decimal(464_058)),
    ]
    decision = sample_plan.decision
    assert (decision.reference, decision.date, decision.year_label) == (
        "015/2021",
        date(2021, 5, 28),
        "2021/22",
    )
    csf = [ln for ln in sample_plan.lines if ln.fund == "Community Safety Fund"]
    assert {(ln.start, ln.end, ln.start_month_only) for ln in csf} == {
        (date(2021, 4, 1), date(2022, 3, 31), True)
    }


def test_decision_fields_typed_with_a_colon_or_a_full_stop_are_read(tmp_path: Path) -> None:
    # "Recommendation 2:" must not drop silently out of the Request for Decision (it used to
    # land among the unprinted extra fields), and "Reference:" is the Reference.
    def edit(c: WorkbookContent) -> None:
        renamed = {"Recommendation 2": "Recommendation 2:", "Reference": "Reference:"}
        c.decision = [(renamed.get(k, k), v) for k, v in c.decision]
        c.decision.append(("Recommendation 10.", "That the plan be published."))

    result = load(make_workbook(tmp_path, edit=edit))
    assert result.findings == []
    assert result.plan is not None
    decision = result.plan.decision
    assert decision.reference == "015/2021"
    assert decision.recommendations == (
        "That the Commissioning Strategy be approved;",
        "That the funding proposals within the Commissioning Plan at Appendix 3 of the Strategy "
        "be approved.",
        "That the plan be published.",
    )
    assert dict(decision.extra) == {}


_BILINGUAL_FIELDS = {
    "Police area": "Ardal heddlu / Police area",
    "Reference": "Cyfeirnod\nReference",
    "Date": "Dyddiad | Date",
    "Recommendation 2": "Argymhelliad 2 / Recommendation 2",
}


def test_decision_fields_named_in_welsh_and_english_are_read(tmp_path: Path) -> None:
    # A Welsh body's form names each field in both languages: every one was passed over as an
    # unknown field, and the Police area, Reference and Date were each E-REQUIRED 'no row'.
    content = sample_content()
    content.decision = [(_BILINGUAL_FIELDS.get(k, k), v) for k, v in content.decision]
    content.decision.append(("Nodyn / Note", "kept"))
    result = load(make_workbook(tmp_path, decision=content.decision))
    assert result.findings == []
    assert result.plan is not None
    decision = result.plan.decision
    assert (decision.police_area, decision.reference) == ("Lincolnshire", "015/2021")
    assert decision.date == date(2021, 5, 28)
    assert len(decision.recommendations) == 2
    assert dict(decision.extra) == {"Nodyn / Note": "kept"}


def test_recommendations_without_numbers_keep_their_order(tmp_path: Path) -> None:
    # Bare "Recommendation" rows (and rows repeating a number) are read in sheet order, never
    # dropped or re-sorted by their wording.
    def edit(c: WorkbookContent) -> None:
        c.decision = [(k, v) for k, v in c.decision if not k.startswith("Recommendation")]
        c.decision += [
            ("Recommendation", "Zebra crossings be funded."),
            ("Recommendation", "Approve the plan."),
            ("Recommendations", "Monitor quarterly."),
        ]

    result = load(make_workbook(tmp_path, edit=edit))
    assert result.plan is not None, result.findings
    assert result.plan.decision.recommendations == (
        "Zebra crossings be funded.",
        "Approve the plan.",
        "Monitor quarterly.",
    )


def test_every_value_knows_its_cell(sample_plan: Plan) -> None:
    rape_crisis = next(ln for ln in sample_plan.lines if ln.service == "Rape Crisis")
    assert (rape_crisis.at.sheet, rape_crisis.at.row) == ("Services", 9)
    assert rape_crisis.at.cell("budget") == "L9"
    assert rape_crisis.at.cell("end") == "G9"
    assert sample_plan.funds[1].at.cell("allocation") == "B3"


def test_ten_thousand_lines(tmp_path: Path) -> None:
    """A big plan loads whole (its speed is measured by make bench, not here)."""
    rows = [service_row(service=f"Service {i}", budget=Decimal("12.34")) for i in range(10_000)]
    rows.append(["Total", *[""] * 10, Formula("=SUM(L2:L10001)", Decimal("123400.00"))])

    def edit(c: WorkbookContent) -> None:
        c.funds = [["Victims Fund", Decimal(1_009_000), "", ""], list(c.funds[1])]

    result = load(make_workbook(tmp_path, services=rows, edit=edit))
    assert result.findings == []
    assert result.plan is not None
    assert len(result.plan.lines) == 10_000
    assert sum((ln.budget for ln in result.plan.lines), Decimal(0)) == Decimal("123400.00")


# -- files that are not workbooks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("zero-bytes.xlsx", "is an empty file (0 bytes), perhaps an interrupted copy"),
        ("truncated.xlsx", "is damaged (an incomplete or corrupt .xlsx)"),
        ("old-excel-format.xlsx", "is an old Excel 97-2003 (.xls) workbook; open it in Excel"),
        (
            "password-protected.xlsx",
            "is password-protected (encrypted); open it in Excel, remove the password",
        ),
        ("csv-renamed.xlsx", "is not an Excel workbook (it looks like text or CSV)"),
        ("~$owner-file.xlsx", "is an Excel owner file (~$)"),
        ("word-document-renamed.xlsx", "is a zip file but not an Excel workbook"),
        # LibreOffice's and Numbers' own formats: the fix is said in that program's words.
        ("libreoffice-ods.ods", "is an OpenDocument spreadsheet (.ods, LibreOffice's own"),
        ("numbers-file.numbers", "is an Apple Numbers file, not an Excel workbook; open it in"),
        ("zip-bomb.xlsx", "(a 'zip bomb'); it was not opened"),
        ("billion-laughs.xlsx", "contains an XML document type declaration (xl/sharedStrings.xml)"),
    ],
)
def test_files_that_are_not_workbooks_are_named_for_what_they_are(name: str, says: str) -> None:
    result = load(CORPUS / name)
    assert result.plan is None
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [("E-READ", "", "")]
    assert result.findings[0].message == f"{name} {sniff(CORPUS / name)}."
    assert says in result.findings[0].message


def test_openpyxl_refuses_entity_expansion_through_defusedxml() -> None:
    """Any other openpyxl reader in the project is safe from the billion laughs too."""
    import openpyxl.xml
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    assert openpyxl.xml.DEFUSEDXML
    with pytest.raises((DefusedXmlException, ValueError)):
        load_workbook(CORPUS / "billion-laughs.xlsx", read_only=True)


# -- the formula scan -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chunk", "tail"), [(8 * 1024 * 1024, 64 * 1024), (997, 300), (64, 200), (1, 100)]
)
def test_the_formula_scan_finds_each_problem_once_whatever_the_chunks(
    chunk: int, tail: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of any size, as long as the tail kept between them is longer than a cell."""
    import io

    from pipeline import sheets as loader

    monkeypatch.setattr(loader, "_SCAN_CHUNK", chunk)
    monkeypatch.setattr(loader, "_SCAN_TAIL", tail)
    cells = []
    for r in range(1, 400):
        if r % 7 == 0:
            cells.append(f'<c r="L{r}" s="4"><f>SUM(L1:L{r - 1})</f><v></v></c>')
        elif r % 11 == 0:
            cells.append(
                f'<x:c r="AB{r}" t="e"><x:f>#REF!&amp;"&quot;"</x:f><x:v>#REF!</x:v></x:c>'
            )
        elif r % 13 == 0:
            cells.append(f'<c r="B{r}"><f>1+1</f><v>2</v></c>')  # saved result: no problem
        else:
            cells.append(f'<c r="A{r}" t="s"><v>{r}</v></c>')
    xml = ("<f>" + "".join(cells)).encode()  # a stray <f> before any cell is ignored
    found = list(loader.scan_formulas(io.BytesIO(xml)))
    expected_uncached = [(r, 12) for r in range(1, 400) if r % 7 == 0]
    expected_errors = [(r, 28) for r in range(1, 400) if r % 11 == 0 and r % 7 != 0]
    assert sorted((r, c) for r, c, _ in found) == sorted(expected_uncached + expected_errors)
    problems = {(r, c): p for r, c, p in found}
    assert problems[(7, 12)].startswith("holds the formula =SUM(L1:L6) with no saved result")
    assert problems[(11, 28)] == (
        'shows the Excel error #REF! from the formula =#REF!&"""; '
        "correct the formula in Excel and save the workbook"
    )


# -- the reader's own errors, and ours --------------------------------------------------------


def test_a_malformed_worksheet_is_a_read_error_naming_the_file(tmp_path: Path) -> None:
    from scripts.make_corpus import rewrite_zip

    path = make_workbook(tmp_path)
    # The Decision sheet's part is gone, though the workbook still lists the sheet.
    rewrite_zip(path, lambda name, data: None if name == "xl/worksheets/sheet1.xml" else data)
    result = load(path)
    assert result.plan is None
    assert [(f.code, f.sheet) for f in result.findings] == [("E-READ", "")]
    assert result.findings[0].message.startswith(f"{path.name} could not be read as a workbook (")


def test_a_bug_of_ours_is_not_dressed_up_as_an_unreadable_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the reader's own errors become E-READ; ours raise, so --debug shows the traceback."""
    from pipeline import sheets

    def broken(*args: object) -> None:
        raise TypeError("a bug in pcc-report")

    monkeypatch.setattr(sheets, "_read_values", broken)
    with pytest.raises(TypeError, match="a bug in pcc-report"):
        load(make_workbook(tmp_path))


# -- far-away cells and limits checked before the work (issue 16) -----------------------------


def test_every_sheet_read_through_its_used_area_gives_the_same_plan(
    sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The used-area path (packed rows, real row numbers kept) reads exactly what calamine's
    dense range reads."""
    from pipeline import sheets

    paths = (sample_path, CORPUS / "formulas-uncached.xlsx", CORPUS / "error-value-pasted.xlsx")
    dense = [load(path) for path in paths]
    monkeypatch.setattr(sheets, "MAX_DENSE_CELLS", 0)
    for path, expected in zip(paths, dense, strict=True):
        packed = load(path)
        assert packed.findings == expected.findings, path.name
        assert packed.plan == expected.plan
        assert packed.readable == expected.readable


def without_addresses(xml: bytes) -> bytes:
    """A worksheet as a program writing no ``r=`` writes it: every row and cell up to the last
    in place, the blank ones empty (``<row/>``, ``<c/>``), none with its address."""
    import re

    from pipeline.sheets import column_index

    def row_of(match: re.Match[bytes]) -> bytes:
        cells, col = [], 0
        for cell in re.finditer(rb'<c r="([A-Z]+)[0-9]+"(.*?)(?:/>|>.*?</c>)', match[2], re.S):
            cells += [b"<c/>"] * (column_index(cell[1]) - col - 1)
            cells.append(cell[0].replace(b' r="' + cell[1], b' x="'))
            col = column_index(cell[1])
        return b"<row>" + b"".join(cells) + b"</row>"

    rows, last = [], 0
    for match in re.finditer(rb'<row r="([0-9]+)"[^>]*>(.*?)</row>', xml, re.S):
        rows += [b"<row/>"] * (int(match[1]) - last - 1) + [row_of(match)]
        last = int(match[1])
    body = re.search(rb"<sheetData>.*</sheetData>|<sheetData/>", xml, re.S)
    assert body is not None
    data = b"<sheetData>" + b"".join(rows) + b"</sheetData>"
    return re.sub(rb' x="[0-9]+"', b"", xml[: body.start()] + data + xml[body.end() :])


def test_a_workbook_whose_cells_carry_no_addresses_reads_as_the_same_plan(
    sample_path: Path, tmp_path: Path
) -> None:
    """Rows and cells written without ``r=`` (optional in the standard; Excel opens such a
    file) were read as empty sheets: four E-COLUMN 'No header row found', the plan lost."""
    import dataclasses
    import zipfile

    path = tmp_path / "no-addresses.xlsx"
    with zipfile.ZipFile(sample_path) as source, zipfile.ZipFile(path, "w") as copy:
        for member in source.infolist():
            data = source.read(member)
            if member.filename.startswith("xl/worksheets/"):
                data = without_addresses(data)
                assert b' r="' not in data
            copy.writestr(member, data)
    expected, read = load(sample_path), load(path)
    assert read.plan is not None and expected.plan is not None, read.findings
    assert read.plan == dataclasses.replace(expected.plan, file=read.plan.file)
    assert [(f.code, f.sheet, f.cell) for f in read.findings] == [
        (f.code, f.sheet, f.cell) for f in expected.findings
    ]


def test_a_hidden_row_of_a_sheet_without_addresses_is_still_told(tmp_path: Path) -> None:
    """Hidden rows are known by their addresses: once placed, a hidden row of an address-less
    sheet is an I-HIDDEN-ROWS at its real rows as in the workbook Excel saved."""
    import re
    import zipfile

    source_path = CORPUS / "hidden-rows-counted.xlsx"
    path = tmp_path / "hidden.xlsx"
    with zipfile.ZipFile(source_path) as source, zipfile.ZipFile(path, "w") as copy:
        for member in source.infolist():
            data = source.read(member)
            if member.filename.startswith("xl/worksheets/"):
                hidden = {int(n) for n in re.findall(rb'<row r="([0-9]+)"[^>]*hidden="1"', data)}
                parts = re.split(rb"<row(?=/?>)", without_addresses(data))
                marks = [b'<row hidden="1"' if n in hidden else b"<row" for n in range(len(parts))]
                data = b"".join(m + p for m, p in zip([b"", *marks[1:]], parts, strict=True))
            copy.writestr(member, data)
    found = [(f.code, f.cell) for f in load(path).findings]
    assert found == [(f.code, f.cell) for f in load(source_path).findings]
    assert ("I-HIDDEN-ROWS", "5:6") in found


def test_a_sheet_with_more_rows_than_any_plan_is_refused_at_that_sheet(
    sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import sheet_extent, sheets

    monkeypatch.setattr(sheets, "MAX_DENSE_CELLS", 0)
    monkeypatch.setattr(sheet_extent, "MAX_ROWS", 25)  # the sample's Services has 29
    result = load(sample_path)
    assert result.plan is None
    # Each sheet over the limit is refused at itself (the How sheet lists the s143 purposes
    # below its text, down to row 31).
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [
        ("E-READ", "Services", ""),
        ("E-READ", "How to fill this in", ""),
    ]
    assert result.findings[0].message.startswith(
        'The "Services" sheet holds values in 29 rows, down to row 30; no plan has more than 25.'
    )


def test_a_run_with_a_far_away_value_builds_every_workbook(tmp_path: Path) -> None:
    """One value at XFD1048576 used to abort the reader natively, losing the whole run."""
    import shutil
    import subprocess
    import sys

    another_reference = decision_field("Reference", "016/2021")

    folder = tmp_path / "input"
    folder.mkdir()
    shutil.copy(CORPUS / "far-away-value.xlsx", folder / "far-away-value.xlsx")
    make_workbook(folder, edit=another_reference)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pipeline.cli import main; main()",
            "build",
            str(folder),
            "--out",
            str(tmp_path / "output"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    built = sorted(p.name for p in (tmp_path / "output").rglob("RfD-*.docx"))
    assert built == ["RfD-015-2021.docx", "RfD-016-2021.docx"]


def test_a_zip_of_too_many_parts_is_refused_before_its_directory_is_read(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(20_000):
            archive.writestr(f"xl/media/p{index}.bin", b"")
    result = load(path)
    assert [(f.code, f.sheet) for f in result.findings] == [("E-READ", "")]
    assert "is a zip of 20,000 parts, far more than any workbook has" in result.findings[0].message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as sparse:  # 3 GB on paper, nothing on disk
        sparse.truncate(3 * 1024**3)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    assert sniff(path) == (
        "is 3,072 MB, over the 50 MB limit for a plan workbook; remove pictures or unused "
        "sheets and save it again"
    )


def test_2099_00_is_a_financial_year() -> None:
    assert contract.financial_year_bounds("2099/00") == (2099, 2100)
    assert contract.financial_year_bounds("2021/22") == (2021, 2022)
    assert contract.financial_year_bounds("2021/23") is None


def test_a_year_ending_in_one_digit_is_the_year_after() -> None:
    # Essex's decisions write "2023-4" and "2024-5"; a digit that is not the next year's is
    # no year, nor is "21/2" (a date).
    assert contract.financial_year_bounds("2023-4") == (2023, 2024)
    assert contract.financial_year_bounds("2029/0") == (2029, 2030)
    assert contract.financial_year_bounds("2023-5") is None
    assert contract.financial_year_bounds("21/2") is None
    # A span that is not 1 April to 31 March a year later is no financial year.
    assert contract.financial_year_bounds("April 2021 - April 2022") is None
    assert contract.financial_year_bounds("1 May 2021 to 30 April 2022") is None
    assert contract.financial_year_bounds("April 2021 - March 2023") is None
    assert contract.financial_year_bounds("2021/22 - 2022/23") is None


# -- what the readers keep and refuse (issue 16) ----------------------------------------------


def test_line_breaks_in_narrative_fields_are_kept(tmp_path: Path) -> None:
    """Numbered paragraphs typed with Alt+Enter stay paragraphs; names stay one line."""

    def edit(c: WorkbookContent) -> None:
        typed = {
            "Executive summary": "1. The plan.\r\n2.  The  funds.\n\n\n3. The risks.",
            "Recommendation 1": "Approve the plan;\nand publish it.",
            "Subject": "Commissioning\nPlan",
        }
        c.decision = [(k, typed.get(k, v)) for k, v in c.decision]

    result = load(make_workbook(tmp_path, edit=edit))
    assert result.plan is not None, result.findings
    decision = result.plan.decision
    assert decision.executive_summary == "1. The plan.\n2. The funds.\n\n3. The risks."
    assert decision.recommendations[0] == "Approve the plan;\nand publish it."
    assert decision.subject == "Commissioning Plan"


def test_line_breaks_in_fund_descriptions_and_service_text_are_kept(tmp_path: Path) -> None:
    """A fund's narrative and a line's provision typed with Alt+Enter keep their breaks (the
    Word report shows them as paragraphs and line breaks); a service name stays one line."""

    def edit(c: WorkbookContent) -> None:
        fund = list(c.funds[0])
        fund[3] = "The grant is ring-fenced.\r\n\nIt is supplemented locally."
        c.funds = [fund, *c.funds[1:]]
        line = list(c.services[0])
        line[1], line[4], line[9] = "Victim\nSupport", "Outreach\nHelpline", "Tender\n2019"
        c.services = [line, *c.services[1:]]

    result = load(make_workbook(tmp_path, edit=edit))
    assert result.plan is not None, result.findings
    assert (
        result.plan.funds[0].description
        == "The grant is ring-fenced.\n\nIt is supplemented locally."
    )
    first = result.plan.lines[0]
    assert (first.service, first.provision, first.how_commissioned) == (
        "Victim Support",
        "Outreach\nHelpline",
        "Tender\n2019",
    )


def test_names_match_after_unicode_normalisation_and_show_what_still_differs() -> None:
    from pipeline.values import normalise, show_invisible

    assert normalise("Cafe\u0301 Fund") == normalise("Café Fund")  # NFD and NFC
    assert normalise("Victims\u200b Fund") == normalise("\ufeffVictims Fund\u00ad")
    assert show_invisible("Victims\u200bFund") == "Victims<U+200B>Fund"


@pytest.mark.parametrize(
    ("purpose", "named"),
    [
        ("Crime and disorder reduction", "Crime and disorder reduction"),
        ("asb", "Crime and disorder reduction"),
        ("Reducing reoffending.", "Reducing re-offending"),
        (
            "Substance misuse; Reducing re-offending",
            "Reducing misuse of drugs, alcohol and other substances",
        ),
        # The Act's and the strategy's own wording, and the shorthand finance teams type
        # (each was an E-PURPOSE on a line that names its purpose).
        (
            "Crime and disorder reduction, including antisocial behaviour, in communities and "
            "neighbourhoods",
            "Crime and disorder reduction",
        ),
        (
            "Helping victims, witnesses or other people affected by crime and antisocial "
            "behaviour (where services are not already being commissioned by the PCC)",
            "Helping victims and witnesses",
        ),
        ("Crime & disorder reduction", "Crime and disorder reduction"),
        ("Crime and Disorder Reduction (including ASB)", "Crime and disorder reduction"),
        ("Drugs & alcohol", "Reducing misuse of drugs, alcohol and other substances"),
        ("Reducing re-offending, Crime and disorder reduction", "Reducing re-offending"),
        ("N/A", None),
        ("None", None),
        ("-", None),
        ("TBC", None),
        ("Community safety", None),
        ("Road safety", None),
    ],
)
def test_an_s143_purpose_is_one_of_the_four(purpose: str, named: str | None) -> None:
    assert s143_purpose(purpose) == named


# -- all errors at once (issue 15): what could be read still goes through the rules ------------


def five_defects(c: WorkbookContent) -> None:
    """Two unreadable cells, an unknown fund, a partnership with a charity, a blank purpose."""
    rows = [list(r) for r in c.services]
    by_service = {(r[1], r[2]): r for r in rows}
    by_service[("Spring Lodge SARC", "LPFT")][11] = "TBC"
    by_service[("Restorative Justice", "Restorative Solutions CIC")][6] = "31/13/2022"
    by_service[("Hate Crime Prevention", "Stop Hate")][0] = "Victim Fund"
    isva = by_service[("Independent Sexual Violence Advisor", "LPFT")]
    isva[8], isva[3] = "Partnership agreement", "Voluntary & community"
    by_service[("Crimestoppers", "Crimestoppers")][10] = "TBC"
    c.services = rows


def test_the_loader_returns_what_it_could_read_beside_its_errors(tmp_path: Path) -> None:
    result = load(make_workbook(tmp_path, edit=five_defects))
    assert result.plan is None
    assert result.readable is not None and result.funds_complete
    # Every line but the two with an unreadable cell, and no Total rows (they close lines by
    # position, which the missing lines would shift).
    assert len(result.readable.lines) == 22 and result.readable.totals == ()
    assert {ln.service for ln in result.readable.lines} >= {"Hate Crime Prevention"}


def test_a_first_check_lists_every_error_that_can_be_known(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from pipeline.cli import cli

    path = make_workbook(tmp_path, edit=five_defects)
    result = CliRunner().invoke(cli, ["check", "--json", str(path)])
    assert result.exit_code == 1, result.output
    (workbook,) = json.loads(result.stdout)["workbooks"]
    errors = sorted(
        (f["code"], f["cell"]) for f in workbook["findings"] if f["severity"] == "error"
    )
    assert errors == [
        ("E-FUND", "A13"),
        ("E-PARTNERSHIP", "I8"),
        ("E-PURPOSE", "K26"),
        ("E-VALUE", "G12"),
        ("E-VALUE", "L7"),
    ]


def test_an_unreadable_funds_row_holds_back_unknown_fund_errors(tmp_path: Path) -> None:
    def edit(c: WorkbookContent) -> None:
        c.funds = [list(c.funds[0]), [c.funds[1][0], "lots", *c.funds[1][2:]]]

    result = load(make_workbook(tmp_path, edit=edit))
    assert result.readable is not None
    assert not result.funds_complete  # so E-FUND waits: the CSF lines name a real fund
    assert [f.name for f in result.readable.funds] == ["Victims Fund"]


def test_a_blank_recommendation_1_is_said_to_be_blank(tmp_path: Path) -> None:
    def edit(c: WorkbookContent) -> None:
        c.decision = [
            (k, "" if k == "Recommendation 1" else v)
            for k, v in c.decision
            if k != "Recommendation 2"
        ]

    result = load(make_workbook(tmp_path, edit=edit))
    assert [(f.code, f.sheet) for f in result.findings] == [("E-REQUIRED", "Decision")]
    assert result.findings[0].message.startswith(
        'The Decision sheet\'s row for "Recommendation 1" has no value'
    )
    assert result.findings[0].cell.startswith("B")


def test_a_file_over_the_size_limit_is_refused_by_a_run_before_it_is_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from pipeline import manifest
    from pipeline.cli import cli

    folder = tmp_path / "input"
    folder.mkdir()
    with (folder / "huge.xlsx").open("wb") as sparse:
        sparse.truncate(3 * 1024**3)
    hashed: list[Path] = []
    real = manifest.sha256

    def watched(path: Path) -> str:
        hashed.append(Path(path))
        return real(path)

    import pipeline.batch  # noqa: F401  (every module a build imports, so each one's sha256 is watched)

    for name, module in list(sys.modules.items()):
        if name.startswith("pipeline.") and getattr(module, "sha256", None) is real:
            monkeypatch.setattr(module, "sha256", watched)
    for command in (["check"], ["build", "--out", str(tmp_path / "out")]):
        result = CliRunner().invoke(cli, [*command, str(folder)])
        assert result.exit_code == 1, result.output
        assert "huge.xlsx is 3,072 MB, over the 50 MB limit" in result.output
    assert not [p for p in hashed if p.name == "huge.xlsx"]


@pytest.mark.parametrize(("field_name", "cell"), [("Reference", "B3"), ("Police area", "B2")])
def test_a_reference_or_area_far_too_long_is_found_by_check(
    field_name: str, cell: str, tmp_path: Path
) -> None:
    def edit(c: WorkbookContent) -> None:
        c.decision = [(k, "R" * 300 if k == field_name else v) for k, v in c.decision]

    result = load(make_workbook(tmp_path, edit=edit))
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [("E-VALUE", "Decision", cell)]
    assert f'{field_name} reads "{"R" * 60}…" (300 characters)' in result.findings[0].message


def test_cells_written_without_their_address_cannot_reach_far(tmp_path: Path) -> None:
    """calamine places address-less cells one after another: 16,384 of them on the last row
    would be a dense range of 17 billion cells. Such a sheet is read from its used area."""
    from scripts.make_corpus import rewrite_zip

    path = make_workbook(tmp_path)
    # No row or cell says where it is, so no reference gives the extent away.
    far = b"<row/>" * 100_000 + b"<row>" + b"<c><v>1</v></c>" * 16_384 + b"</row>"
    rewrite_zip(
        path,
        lambda name, data: (
            data.replace(b"</sheetData>", far + b"</sheetData>", 1)
            if name == "xl/worksheets/sheet4.xml"
            else data
        ),
    )
    result = load(path)
    # The stray row is read where Excel shows it, 100,000 rows below the table (its cells
    # were dropped unread before, as cells without an address could not be placed).
    assert {f.cell for f in result.findings} == {"D100031", "I100031", "F100031", "G100031"}


def test_what_check_passes_build_builds_a_subject_of_300_characters(tmp_path: Path) -> None:
    """A long Subject is fine for check, so build must not fail on Word's 255-character
    properties: the metadata is trimmed, the report keeps the whole Subject."""
    from click.testing import CliRunner
    from docx import Document

    from pipeline.cli import cli

    subject = ("Commissioning Strategy and Plan for victims' services " * 6)[:300]

    edit = decision_field("Subject", subject)
    path = make_workbook(tmp_path, edit=edit)
    assert CliRunner().invoke(cli, ["check", str(path)]).exit_code == 0
    built = CliRunner().invoke(cli, ["build", str(path), "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    (report,) = (tmp_path / "out").rglob("RfD-*.docx")
    document = Document(str(report))
    assert len(document.core_properties.title) <= 255  # cut at a word (docx_finish)
    assert document.core_properties.title.endswith("…")
    assert subject.strip() in "\n".join(p.text for p in document.paragraphs) + "".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_data(tmp_path: Path) -> None:
    # `--previous` (or `check`) naming a pipe once blocked for ever on its first read.
    pipe = tmp_path / "plan.xlsx"
    os.mkfifo(pipe)
    said: list[str | None] = []
    reader = threading.Thread(target=lambda: said.append(sniff(pipe)), daemon=True)
    reader.start()
    reader.join(timeout=30)
    if reader.is_alive():  # unblock the reader, so the test run ends, then fail
        with open(pipe, "wb"):
            pass
        pytest.fail("sniff waited on the pipe")
    assert said == [
        "is not a file but a folder, pipe or device; name the workbook file itself "
        "(e.g. input/plan-2021-22.xlsx)"
    ]


@pytest.mark.parametrize(
    ("sheet", "field", "cell"),
    [
        ("Decision", "Reference", "B3"),
        ("Decision", "Budget approval reference", "B13"),
        ("Funding sources", "Grant reference", "E2"),
    ],
)
def test_a_reference_excel_turned_into_a_date_is_refused_at_its_cell(
    sheet: str, field: str, cell: str, tmp_path: Path
) -> None:
    # Typed "4/2021" (or "001/2022"), Excel keeps 01/04/2021: the report was filed under
    # "2021-04-01" (output/2021-04-01/RfD-2021-04-01.docx) without a word.
    typed_as = date(2021, 4, 1)

    def edit(c: WorkbookContent) -> None:
        if sheet == "Decision":
            c.decision = [(k, typed_as if k == field else v) for k, v in c.decision]
        else:
            c.sources = [[*row[:4], typed_as] if i == 0 else row for i, row in enumerate(c.sources)]

    result = load(make_workbook(tmp_path, edit=edit))
    assert result.plan is None
    [finding] = [f for f in result.findings if f.severity == "error"]
    assert (finding.code, finding.sheet, finding.cell) == ("E-VALUE", sheet, cell)
    assert f"{field} holds the date 01/04/2021, not a reference" in finding.message
    assert "Format the cell as Text" in finding.message


@pytest.mark.parametrize("typed", ["///", "-", ".."])
def test_a_reference_with_no_letter_or_digit_is_refused_and_files_nothing(
    typed: str, tmp_path: Path
) -> None:
    # "///" was filed as output/untitled/RfD-untitled.docx; two such workbooks were told they
    # shared a reference (E-DUPLICATE-REF), not what was wrong with either.
    edit = decision_field("Reference", typed)
    result = load(make_workbook(tmp_path, edit=edit))
    assert result.plan is None and result.reference == ""
    [finding] = [f for f in result.findings if f.severity == "error"]
    assert (finding.code, finding.sheet, finding.cell) == ("E-VALUE", "Decision", "B3")
    assert f'Reference reads "{typed}", which has no letter or digit' in finding.message
    assert "e.g. 015/2021" in finding.message


@pytest.mark.parametrize(
    "name",
    [
        "Mayor approval date",
        "Deputy Mayor approval date",
        "PFCC approval date",
        "DMPC approval date",
    ],
)
def test_the_signature_date_under_the_decision_makers_own_title_is_read(
    name: str, tmp_path: Path
) -> None:
    # A mayor's or a PFCC's office names the row by its own decision maker; the signed date
    # fell among the unknown fields and the Request for Decision printed a blank signature.
    def edit(c: WorkbookContent) -> None:
        renamed = {"PCC approval date": name, "Budget approval": "Budget approval date"}
        c.decision = [
            (renamed.get(k, k), date(2021, 6, 1) if k == "PCC approval date" else v)
            for k, v in c.decision
        ]

    result = load(make_workbook(tmp_path, edit=edit))
    assert result.plan is not None, result.findings
    assert result.plan.decision.pcc_approval_date == date(2021, 6, 1)
    assert result.plan.decision.budget_approval == date(2021, 2, 24)
    assert dict(result.plan.decision.extra) == {}


def test_a_date_cell_in_a_text_column_reads_day_first(tmp_path: Path) -> None:
    # An extension option typed as the date it runs to: the Request for Decision printed
    # "30/09/2024 (2023-03-31)".
    rows = [service_row(extension_options=date(2023, 3, 31))]
    result = load(make_workbook(tmp_path, services=rows))
    assert result.plan is not None, result.findings
    assert result.plan.lines[0].extension_options == "31/03/2023"


def test_recommendations_typed_with_their_own_numbers_are_numbered_once(tmp_path: Path) -> None:
    # The report numbers the recommendations: "1. That ..." typed in the cell came out
    # "1. 1. That ...", and two numbered lines in one cell as one recommendation holding both.
    def edit(c: WorkbookContent) -> None:
        c.decision = [(k, v) for k, v in c.decision if not k.startswith("Recommendation")]
        c.decision += [
            ("Recommendations", "1. Approve the strategy;\n2) Approve the plan,\nas amended."),
            ("Recommendation 3", "(3) Publish it."),
            ("Recommendation 4", "That the 2021/22 budget of 1. 5 million stands."),
            # Bulleted, the report printed "5. • That ...".
            ("Recommendation 5", "\u2022 That the grants be made;\n- That it be published."),
        ]

    result = load(make_workbook(tmp_path, edit=edit))
    assert result.plan is not None, result.findings
    assert result.plan.decision.recommendations == (
        "Approve the strategy;",
        "Approve the plan,\nas amended.",
        "Publish it.",
        "That the 2021/22 budget of 1. 5 million stands.",
        "That the grants be made;",
        "That it be published.",
    )


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Budget (£000)", "thousands"),
        ("Budget £'000", "thousands"),
        ("Budget (£k)", "thousands"),
        # Only thousands were warned of: renamed as the E-COLUMN asked, "Budget (£m)" figures
        # (0.26 for £260,000) would be read as pence.
        ("Budget (£m)", "millions"),
        ("Budget £ millions", "millions"),
        ("Budget (£mn)", "millions"),
    ],
)
def test_a_budget_header_in_thousands_or_millions_is_not_to_be_renamed(
    header: str, unit: str, tmp_path: Path
) -> None:
    # The E-COLUMN said "rename the matching one": renamed, "Budget (£000)" figures would be
    # read a thousand times too small.
    book = sample_book()
    book["Services"][2][11] = header  # the header is row 3, below two title rows
    path = tmp_path / "plan.xlsx"
    write_book(path, book)
    [finding] = [f for f in load(path).findings if f.severity == "error"]
    assert (finding.code, finding.sheet) == ("E-COLUMN", "Services")
    assert f'"{header}" (L3) is in {unit} of pounds' in finding.message
    assert "do not just rename it" in finding.message
    assert ("(1009000 for 1.009)" in finding.message) is (unit == "millions")


def test_a_decision_sheet_laid_out_as_a_form_reads_its_values(tmp_path: Path) -> None:
    # Field names in A, a narrow blank column B, the values in C, no header row: each field
    # was "has no value" (13 errors) with its value one column further on.
    book = sample_book()
    book["Decision"] = [[name, None, value] for name, value in book["Decision"][1:]]
    path = tmp_path / "plan.xlsx"
    write_book(path, book)
    result = load(path)
    assert result.plan is not None, result.findings
    assert result.plan.decision.reference == "015/2021"
    assert result.plan.decision.at.cells["reference"] == "C2"


@pytest.mark.parametrize(
    "typed",
    [
        "21/22",
        "FY 2021/22",
        "FY21-22",
        "2021 to 2022",
        "2021-2",
        "2021/2",
        # With the words around it, or as its first and last days: each was E-VALUE.
        "Financial year 2021-22",
        "2021/22 financial year",
        "Year: 2021/22",
        "2021/22 (FY)",
        "April 2021 - March 2022",
        "1 April 2021 to 31 March 2022",
        "01/04/2021 \u2013 31/03/2022",
        # In Welsh, and with a sentence's full stop: each was E-VALUE.
        "Blwyddyn ariannol 2021/22",
        "2021/22.",
    ],
)
def test_a_financial_year_in_the_short_forms_offices_use_is_read(
    typed: str, tmp_path: Path
) -> None:
    # Each was E-VALUE 'type it as 2021/22'; the report shows the year as 2021/22 whatever form.
    edit = decision_field("Financial year", typed)
    result = load(make_workbook(tmp_path, edit=edit))
    assert result.plan is not None, result.findings
    decision = result.plan.decision
    assert (decision.year_start, decision.year_end) == (date(2021, 4, 1), date(2022, 3, 31))
    assert decision.year_label == decision.financial_year == "2021/22"


@pytest.mark.parametrize("suffix", [".xlsb", ".xls"])
def test_an_xlsx_under_another_name_is_read_by_what_it_is(
    sample_path: Path, tmp_path: Path, suffix: str
) -> None:
    # calamine chose its reader by the name: E-READ "CalamineError: File not found:
    # 'xl/workbook.bin'" (or "Invalid OLE") for a workbook it could read.
    renamed = tmp_path / f"plan{suffix}"
    renamed.write_bytes(sample_path.read_bytes())
    result = load(renamed)
    assert result.findings == []
    assert result.plan is not None
    sample_lines(result.plan)


def test_a_plan_saved_in_another_format_is_said_by_every_build(
    sample_path: Path, tmp_path: Path
) -> None:
    # Beside a workbook that was built, a plan saved as .xlsb or .xls was skipped with a note
    # shown only with --verbose: "1 workbook: 1 built", and that plan never mentioned.
    from click.testing import CliRunner

    from pipeline.cli import cli

    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "plan.xlsx").write_bytes(sample_path.read_bytes())
    (folder / "csf-plan.xlsb").write_bytes(b"binary workbook")
    (folder / "notes.txt").write_text("not a plan", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "csf-plan.xlsb is not an .xlsx or .xlsm workbook and was skipped" in result.output
    assert "notes.txt" not in result.output  # other files stay a --verbose note


@pytest.mark.parametrize(
    ("name", "typed", "says"),
    [
        # A month was read as its first day and printed on the form as "1 May 2021".
        ("Date", "May 2021", 'Date reads "May 2021", a month, which the form would print'),
        ("Budget approval", "Feb 2021", "type the day as dd/mm/yyyy"),
        # Not yet signed: it was 'not a date ... type it as dd/mm/yyyy, or as a month'.
        ("PCC approval date", "TBC", 'reads "TBC": leave it blank until it is signed'),
        ("Chief Executive approval date", "Awaiting signature", "leave it blank until"),
        ("PCC approval date", "Signed", "type it as dd/mm/yyyy, e.g. 01/04/2021."),
        # A date with a word beside it was 'not a date ... type it as dd/mm/yyyy', though the
        # date was there.
        ("PCC approval date", "Signed 01/06/2021", 'words beside it ("Signed"); type the date'),
        ("Date", "28/05/2021 (approved)", "type the date alone, 28/05/2021"),
    ],
)
def test_a_decision_date_is_a_day_and_a_signature_date_blank_until_signed(
    name: str, typed: str, says: str, tmp_path: Path
) -> None:
    result = load(make_workbook(tmp_path, edit=decision_field(name, typed)))
    (finding,) = [f for f in result.findings if f.code == "E-VALUE"]
    assert (finding.sheet, says in finding.message) == ("Decision", True), finding.message
    assert "or as a month" not in finding.message


@pytest.mark.parametrize(
    ("last", "width"), [("C", 3), ("Z", 26), ("c", 3), ("AB", 28)], ids=["C", "Z", "lower", "AB"]
)
def test_a_long_narrow_sheet_is_known_for_its_real_width(last: str, width: int) -> None:
    """A ledger of 100,000 rows in three columns was taken for 26 columns wide (only columns
    beyond Z were noted), so over the dense read's limit, and read the slow way from its used
    area: 20 s for a force's 190,000-row .xlsx export where the dense read takes 2 s."""
    import io

    from pipeline.sheets import MAX_DENSE_CELLS, scan_part

    rows = b"".join(
        b'<row r="%d"><c r="A%d"/><c r="B%d"/><c r="%s%d"><v>1</v></c></row>'
        % (n, n, n, last.encode(), n)
        for n in range(1, 100_001)
    )
    part = b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>"
    scan = scan_part(io.BytesIO(part))
    assert scan.dense_cells == 100_000 * width
    assert (scan.dense_cells <= MAX_DENSE_CELLS) is (width < 20)


def test_a_stray_note_far_below_a_narrow_table_still_reads_from_the_used_area() -> None:
    """A plan of a few rows with a note typed at row 140,000: read directly, calamine builds
    140,000 empty rows (0.9 s and 113 MB to check the sample); from its used area, 0.2 s."""
    import io

    from pipeline.sheets import MAX_DENSE_CELLS, scan_part

    rows = b"".join(b'<row r="%d"><c r="A%d"/><c r="N%d"/></row>' % (n, n, n) for n in range(1, 31))
    note = b'<row r="140000"><c r="A140000" t="inlineStr"><is><t>note</t></is></c></row>'
    part = b"<worksheet><sheetData>" + rows + note + b"</sheetData></worksheet>"
    scan = scan_part(io.BytesIO(part))
    assert scan.dense_cells == 140_000 * 26 > MAX_DENSE_CELLS
