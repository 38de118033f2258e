"""A multi-year plan's budgets for the later financial years, typed on each line beside this
year's ("2021/22 (£)", "2022/23 (£)", "2023/24 (£)"): the commitments beyond the year are those
figures where the plan gives them (a tapered grant of £100,000, £80,000, £60,000), not this
year's rate carried on. They were passed over without a word, and the published
commitments showed £100,000 for each later year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pipeline import contract
from pipeline.budget_column import header_years
from pipeline.read_cells import CellReader, Layout, headers_named
from pipeline.sheets import Cell, column_letter
from pipeline.shorthand import Year, parse_amount
from pipeline.values import ValueProblem, clean_text, format_date

LaterBudgets = tuple[tuple[int, Decimal], ...]  # (a later financial year's first year, budget)


@dataclass(frozen=True)
class LaterColumn:
    """A budget column headed with one financial year after the plan's."""

    first_year: int  # 2022 for 2022/23
    col: int
    header: str


def later_columns(cells_of: CellReader, layout: Layout, year: Year) -> tuple[LaterColumn, ...]:
    """The Services columns beside this year's budget headed with a later financial year."""
    if year is None:
        return ()
    header = cells_of.sheet.rows.get(layout.header_row, ())
    found = []
    for col, text in headers_named(header, contract.SERVICES, "budget"):
        years = header_years(text)
        if col != layout.columns["budget"] and len(years) == 1 and years[0][0] > year[0].year:
            found.append(LaterColumn(years[0][0], col, text))
    return tuple(found)


def read_later_budgets(
    cells_of: CellReader,
    r: int,
    cells: Sequence[tuple[LaterColumn, Cell]],
    end: date,
) -> LaterBudgets | None:
    """The later years' budgets typed on row ``r`` (a blank cell gives none: that year is
    carried at this year's yearly rate); None after an E-VALUE for an amount that cannot be
    read, or for money in a year the line has ended by."""
    budgets: list[tuple[int, Decimal]] = []
    for column, raw in cells:
        ref = f"{column_letter(column.col)}{r}"
        try:
            amount = parse_amount(raw) if raw is not None and clean_text(raw) else None
        except ValueProblem as problem:
            cells_of.add("E-VALUE", f'"{column.header}" {problem}.', ref)
            return None
        if amount is None:
            continue
        if amount and end < date(column.first_year, 4, 1):
            cells_of.add(
                "E-VALUE",
                f'"{column.header}" holds {clean_text(raw)} but the line ends '
                f"{format_date(end)}, before that year begins. Correct the End date, or clear "
                "the figure (an extension option's money is shown apart, as still to be "
                "decided).",
                ref,
            )
            return None
        budgets.append((column.first_year, amount))
    return tuple(budgets)
