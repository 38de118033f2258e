"""Which column of the Services sheet holds this year's budget, where several headers name a
budget: last year's "2020/21 budget (£)" kept beside this year's, or a multi-year plan's
"2021/22 (£)", "2022/23 (£)"."""

from __future__ import annotations

import re

from pipeline import contract
from pipeline.read_cells import CellReader, Layout, headers_named
from pipeline.sheets import column_letter


def budget_column(cells_of: CellReader, layout: Layout, year: str) -> Layout | None:
    """The layout with its budget column chosen: where several headers name a budget (last
    year's "2020/21 budget (£)" kept beside this year's), the one of the Financial year."""
    header = cells_of.sheet.rows.get(layout.header_row, ())
    candidates = headers_named(header, contract.SERVICES, "budget")
    bounds = contract.financial_year_bounds(year) if year else None
    if len(candidates) < 2:
        return layout if of_the_year(cells_of, layout, candidates, year) else None
    matching = [
        index for index, text in candidates if bounds is not None and bounds in header_years(text)
    ]
    plain = [index for index, text in candidates if not _YEARS.search(text)]
    chosen = matching or plain
    if len(chosen) == 1:
        return Layout(layout.header_row, {**layout.columns, "budget": chosen[0]})
    named = ", ".join(
        f'"{text}" ({column_letter(index)}{layout.header_row})' for index, text in candidates
    )
    for_year = f"the financial year {year}" if bounds is not None else "the financial year"
    cells_of.add(
        "E-COLUMN",
        f"Several budget columns: {named}; none is plainly for {for_year}. Head this year's "
        f'column "{year or "2021/22"} budget (£)" (or "Budget (£)") and rename the others, '
        'e.g. "2020/21 actual (£)".',
        f"{layout.header_row}:{layout.header_row}",
    )
    return None


def of_the_year(
    cells_of: CellReader,
    layout: Layout,
    candidates: list[tuple[int, str]],
    year: str,
    money: str = "budget",
) -> bool:
    """False, after an E-COLUMN, when the one ``money`` column (budget, allocation) is headed
    with another financial year than the Decision sheet's (last year's workbook copied and its
    Financial year changed, or the reverse): its figures were read as the year's without a
    word."""
    bounds = contract.financial_year_bounds(year) if year else None
    if bounds is None or len(candidates) != 1:
        return True
    index, text = candidates[0]
    named = header_years(text)
    if not named or bounds in named:
        return True
    ref = f"{column_letter(index)}{layout.header_row}"
    cells_of.add(
        "E-COLUMN",
        f'The {money} column is headed "{text}" ({ref}), another year than the Decision '
        f"sheet's Financial year, {year}. If its figures are {year}'s, head it "
        f'"{year} {money} (£)" (or "{money.capitalize()} (£)"); if they are of the year it '
        "names, correct the Financial year on the Decision sheet.",
        ref,
    )
    return False


# A year's two parts beside a stroke, a hyphen or a dash as Word and web pages write it
# ("2021–22", an en dash pasted into a heading).
_YEARS = re.compile(r"(?<!\d)(\d{4}|\d{2})\s*[/\-\u2010-\u2015\u2212]\s*(\d{4}|\d{1,2})(?!\d)")


def header_years(text: str) -> list[tuple[int, int]]:
    """The financial years a budget header names: "2021/22", "2021-2022", "21/22" or "2021-2"."""
    years = []
    for start, end in _YEARS.findall(text):
        if len(start) == 2 and len(end) == 1:
            continue  # "21/2" is a date, not a year
        century = "20" if len(start) == 2 else ""  # "21/22": a plan of this century
        bounds = contract.financial_year_bounds(f"{century}{start}/{end}")
        if bounds is not None:
            years.append(bounds)
    return years
