"""The public summary's Changes sheet: each line's and each fund's figures in last year's plan
and this one, the change in pounds and per cent (when last year's plan was found)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pipeline.comparison import STATUS_LABELS, Comparison, LineChange
from pipeline.summary_layout import (
    HEADER_ROW,
    ROW_HEIGHT,
    TABLE_STYLE,
    Formats,
    cell_name,
    column_name,
    empty_table,
    fit_row,
    money_value,
    page_setup,
    public_text,
    put_text,
    table_name,
    write_text,
    write_title,
    write_total_row,
)
from pipeline.summary_text import wrapped_lines
from pipeline.summary_worksheet import cell_writers
from pipeline.textsafe import starts_like_formula

CHANGES_SHEET = "Changes"


NOT_APPLICABLE = "–"  # % change of a line new or ended this year, or from nothing
ZERO = Decimal(0)
_RATIO_PLACES = Decimal("1E-12")


def _percent_formula(previous: str, current: str, change: str) -> str:
    # A blank year (new or ended line) or nothing last year has no % change, and no #DIV/0!.
    return (
        f'=IF(OR({previous}="",{current}="",{previous}=0),"{NOT_APPLICABLE}",{change}/{previous})'
    )


def _percent_value(previous: Decimal | None, current: Decimal | None) -> Decimal | str:
    if previous is None or current is None or previous == 0:
        return NOT_APPLICABLE
    return ((current - previous) / previous).quantize(_RATIO_PLACES)


class _ChangeCells:
    """Writes a row's last year, this year, Change (£) and Change (%) from column ``col``:
    the amounts (blank for a year the line was not in the plan), then the changes as
    formulas with their values. It runs once a row (over ten thousand rows at 10,000
    lines), so the column letters and the sheet's methods are looked up once."""

    def __init__(self, ws: Any, col: int, money_fmt: Any, percent_fmt: Any):
        self.col = col
        self.letters = [column_name(c) for c in range(col, col + 3)]
        self.money_fmt, self.percent_fmt = money_fmt, percent_fmt
        # xlsxwriter's own cell writers behind its public ones (see summary_worksheet.cell_writers).
        self.write_number, self.write_blank, self.write_formula = cell_writers(
            ws, "number", "blank", "formula"
        )

    def write(self, row: int, previous: Decimal | None, current: Decimal | None) -> None:
        col, money_fmt = self.col, self.money_fmt
        for offset, amount in enumerate((previous, current)):
            if amount is None:
                self.write_blank(row, col + offset, None, money_fmt)
            else:
                self.write_number(row, col + offset, money_value(amount), money_fmt)
        number = str(row + 1)
        before, now, change = (letter + number for letter in self.letters)
        self.write_formula(
            row,
            col + 2,
            f"={now}-{before}",
            money_fmt,
            money_value((current or ZERO) - (previous or ZERO)),
        )
        self.write_formula(
            row,
            col + 3,
            _percent_formula(before, now, change),
            self.percent_fmt,
            _percent_value(previous, current),
        )


def changes_sheet(
    ws: Any, comparison: Comparison, year: str, formats: Formats, tables: set[str]
) -> None:
    """Each fund's allocation, MoJ grant and committed total in both years, then every line's
    budget in both years.

    The funds come first, a short table, so the lines' header row can be printed on every
    page the long table runs to without standing over the fund figures (print titles repeat
    only from the page they first appear on); with two tables, nothing is frozen."""
    previous_year = comparison.previous_year
    changes = [change for fund in comparison.funds for change in fund.lines]
    amounts = [
        a
        for f in comparison.funds
        for a in (f.previous_allocation, f.allocation, f.previous_moj, f.moj)
    ]
    amounts += [a for c in changes for a in (c.previous_budget, c.budget)]
    has_pence = any(a != a.to_integral_value() for a in amounts)
    write_title(
        ws,
        formats,
        f"Changes from {previous_year} to {year}",
        f"Each fund and line of this plan against the {previous_year} plan (decision "
        f"{public_text(comparison.previous_reference)}). Lines are matched by fund, service "
        "and delivery organisation, then by service alone (Moved). Figures are in pounds "
        "(£); a blank amount: the line was not in that year's plan.",
    )
    for col, width in enumerate(_WIDTHS):
        ws.set_column(col, col, width)
    page_setup(ws, one_table=False)
    header = _fund_totals(ws, comparison, year, formats, tables, has_pence) + 2
    write_text(ws, header, 0, "Service lines", formats, formats.bold)
    ws.repeat_rows(header + 1)
    _lines(ws, changes, (previous_year, year), header + 1, formats, tables, has_pence)


_WIDTHS = [22.0, 30.0, 24.0, 14.0, 24.0, 14.0, 14.0, 14.0, 11.0]


def _columns(headers: list[str], figures_from: int, formats: Formats) -> list[dict[str, Any]]:
    """A table's columns: the headers over figures (from column ``figures_from``) line up
    with them, on the right."""
    return [
        {
            "header": h,
            "header_format": formats.header_number if col >= figures_from else formats.header,
        }
        for col, h in enumerate(headers)
    ]


def _fund_totals(
    ws: Any, comparison: Comparison, year: str, formats: Formats, tables: set[str], has_pence: bool
) -> int:
    """Each fund's figures from row ``HEADER_ROW``, taken from each year's plan (a line moved
    between funds counts in the fund it was in that year); the last row written."""
    write_text(ws, HEADER_ROW, 0, "Fund totals", formats, formats.bold)
    fund_header = HEADER_ROW + 1
    fund_headers = [
        "Fund",
        "Figure",
        f"{comparison.previous_year} (£)",
        f"{year} (£)",
        "Change (£)",
        "Change (%)",
    ]
    row = fund_header + 1
    cells = _ChangeCells(ws, 2, formats.money(has_pence), formats.percent)
    for fund in comparison.funds:
        figures = [("Allocation", fund.previous_allocation, fund.allocation)]
        if fund.previous_moj or fund.moj:
            figures.append(("MoJ grant", fund.previous_moj, fund.moj))
        figures.append(("Committed", fund.previous_committed, fund.committed))
        for label, previous, current in figures:
            name = public_text(fund.fund)
            put_text(ws, row, 0, name, formats)
            put_text(ws, row, 1, label, formats)
            fit_row(ws, row, [(name, _WIDTHS[0])])
            cells.write(row, previous, current)
            row += 1
    ws.add_table(  # every plan has a fund, so the table has rows
        fund_header,
        0,
        row - 1,
        len(fund_headers) - 1,
        {
            "name": table_name("Changes", "by_fund", tables),
            "style": TABLE_STYLE,
            "columns": _columns(fund_headers, 2, formats),
        },
    )
    return row - 1


def _lines(
    ws: Any,
    changes: list[LineChange],
    years: tuple[str, str],
    header_row: int,
    formats: Formats,
    tables: set[str],
    has_pence: bool,
) -> None:
    """Every line of either year (last year's, this) from ``header_row``, with a total row."""
    previous_year, year = years
    money_fmt = formats.money(has_pence)
    headers = [
        "Fund",
        "Service",
        "Delivery organisation",
        "Status",
        "Note",
        f"{previous_year} (£)",
        f"{year} (£)",
        "Change (£)",
        "Change (%)",
    ]
    previous_col = 5
    fit_row(ws, header_row, zip(headers, _WIDTHS, strict=True))
    first = header_row + 1
    cells = _ChangeCells(ws, previous_col, money_fmt, formats.percent)
    # The hot loop, a row per line of either year. Each distinct text of a column is made
    # public, given its format and measured once (a plan repeats its funds, providers and
    # services); a row's height is that of its tallest cell, as fit_row works it out.
    text_fmt, quoted_fmt = formats.text, formats.text_quoted
    seen: list[dict[str, tuple[str, Any, int]]] = [{} for _ in range(5)]

    def cell(col: int, raw: str) -> tuple[str, Any, int]:
        text = public_text(raw) if col != 3 else raw  # the status is our own word
        fmt = quoted_fmt if starts_like_formula(text) else text_fmt
        found = seen[col][raw] = (text, fmt, wrapped_lines(text, _WIDTHS[col]) if text else 1)
        return found

    write_string, write_blank = cell_writers(ws, "string", "blank")
    for offset, change in enumerate(changes):
        row = first + offset
        line = change.line
        raws = (line.fund, line.service, line.organisation, STATUS_LABELS[change.status])
        tallest = 1
        for col, raw in enumerate((*raws, change.note)):
            text, fmt, lines = seen[col].get(raw) or cell(col, raw)
            if text:
                write_string(row, col, text, fmt)
            else:
                write_blank(row, col, None, text_fmt)  # blank, not an empty string
            if lines > tallest:
                tallest = lines
        if tallest > 1:
            ws.set_row(row, ROW_HEIGHT * tallest)
        cells.write(
            row,
            change.previous.budget if change.previous else None,
            change.current.budget if change.current else None,
        )
    total_row = first + len(changes)
    columns = _columns(headers, previous_col, formats)
    columns[0]["total_string"] = "Total"
    previous_total = sum((c.previous_budget for c in changes), Decimal(0))
    current_total = sum((c.budget for c in changes), Decimal(0))
    for col, amount in (
        (previous_col, previous_total),
        (previous_col + 1, current_total),
        (previous_col + 2, current_total - previous_total),
    ):
        letter = column_name(col)
        columns[col].update(
            format=money_fmt,
            total_value=money_value(amount),
            total_function=f"SUM({letter}{first + 1}:{letter}{total_row})",
        )
    before, now = cell_name(total_row, previous_col), cell_name(total_row, previous_col + 1)
    columns[previous_col + 3].update(
        format=formats.percent,
        total_function=_percent_formula(before, now, cell_name(total_row, previous_col + 2))[1:],
        total_value=_percent_value(previous_total, current_total),
    )
    if changes:
        ws.add_table(
            header_row,
            0,
            total_row,
            len(headers) - 1,
            {
                "name": table_name("Changes", "by_line", tables),
                "style": TABLE_STYLE,
                "total_row": True,
                "columns": columns,
            },
        )
        write_total_row(ws, total_row, columns, formats, has_pence)
    else:
        note = "Neither plan has service lines."
        empty_table(
            ws, header_row, headers, note, table_name("Changes", "by_line", tables), formats
        )
