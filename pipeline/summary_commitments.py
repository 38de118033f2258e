"""The public summary's Commitments sheet: what the plan's lines already carry into later years.

One Excel table, a row per line that runs beyond the financial year, a column per later year
(the line's yearly rate this year, by days for part of a year, :mod:`pipeline.commitments`),
with a live ``SUM`` total row. A line running past the ten later years shown (a contract to
2040) has its money after them in a last column, "After 2031/32", so the total is the whole
commitment. What extension options would add is said under the title, apart: an option is a
decision still to be made.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pipeline.commitments import YEARLY_RATE, Commitments
from pipeline.later_years import after_shown
from pipeline.summary_layout import (
    HEADER_ROW,
    TABLE_STYLE,
    Formats,
    column_name,
    fit_row,
    money_value,
    page_setup,
    public_text,
    put_text,
    table_name,
    write_title,
    write_total_row,
)
from pipeline.summary_worksheet import cell_writers
from pipeline.values import format_money

COMMITMENTS_SHEET = "Commitments"
_TEXT_COLUMNS = (("Fund", 24), ("Service", 40), ("Delivery organisation", 30))


def commitments_sheet(
    ws: Any, commitments: Commitments, year: str, formats: Formats, tables: set[str]
) -> None:
    """Write the lines' commitments beyond ``year`` as a table on ``ws``."""
    after = after_shown(commitments)
    later = after.lines if after else [(Decimal(0), Decimal(0))] * len(commitments.lines)
    # A line committing money only after the years shown (a contract to 2040) still has a row.
    rows = [(c, a) for c, (a, _) in zip(commitments.lines, later, strict=True) if c.total or a]
    lines = [c for c, _ in rows]
    labels = [y.label for y in commitments.years] + ([after.label] if after else [])
    options = sum(commitments.option_totals, Decimal(0)) + (after.options if after else 0)
    # A multi-year plan's own later-year budgets are used where it types them.
    typed = any(c.line.later_budgets for c in lines)
    note = (
        f"Amounts the {year} plan already commits in later financial years, "
        + (f"as the plan budgets them ({YEARLY_RATE} where it does not)" if typed else YEARLY_RATE)
        + ". Figures are in pounds (£)."
    )
    if options:
        note += f" Extension options, if exercised, would add {format_money(options)} more."
    write_title(ws, formats, f"Commitments beyond {year}", note)
    headers = [*(h for h, _ in _TEXT_COLUMNS), "Ends", *(f"{label} (£)" for label in labels)]
    for col, (_, width) in enumerate(_TEXT_COLUMNS):
        ws.set_column(col, col, width)
    ws.set_column(3, 3, 12)
    ws.set_column(4, 3 + len(labels), 15)
    page_setup(ws)
    first = HEADER_ROW + 1
    money = formats.money(True)
    write_datetime, write_number = cell_writers(ws, "datetime", "number")
    for offset, item in enumerate(lines):
        row = first + offset
        texts = [
            public_text(t) for t in (item.line.fund, item.line.service, item.line.organisation)
        ]
        for col, text in enumerate(texts):
            put_text(ws, row, col, text, formats)
        # Wrapped text does not grow its row in a file written by a program: set the height.
        fit_row(ws, row, zip(texts, (width for _, width in _TEXT_COLUMNS), strict=True))
        write_datetime(row, 3, item.line.end, formats.date)
        beyond = (rows[offset][1],) if after else ()
        for index, amount in enumerate((*item.years, *beyond)):
            write_number(row, 4 + index, money_value(amount), money)
    last = first + len(lines) - 1
    columns: list[dict[str, Any]] = [
        {"header": h, "header_format": formats.header} for h in headers
    ]
    columns[0]["total_string"] = "Total"
    for index, total in enumerate((*commitments.totals, *([after.committed] if after else []))):
        letter = column_name(4 + index)
        columns[4 + index].update(
            format=money,
            total_function=f"SUM({letter}{first + 1}:{letter}{last + 1})",
            total_value=money_value(total),
        )
    ws.add_table(
        HEADER_ROW,
        0,
        last + 1,
        len(headers) - 1,
        {
            "name": table_name("Commitments", "beyond the year", tables),
            "style": TABLE_STYLE,
            "total_row": True,
            "columns": columns,
        },
    )
    write_total_row(ws, last + 1, columns, formats, True)
