"""The public summary's fund sheets: one per fund, its service lines as an Excel table with a
total row the Summary sheet links to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.reconcile import FundReconciliation
from pipeline.summary_layout import (
    HEADER_ROW,
    ROW_HEIGHT,
    TABLE_STYLE,
    Formats,
    column_name,
    date_width,
    empty_table,
    fit_row,
    money_value,
    money_width,
    page_setup,
    public_text,
    table_name,
    text_width,
    write_title,
    write_total_row,
)
from pipeline.summary_text import WIDEST, longest_line, wrapped_lines
from pipeline.summary_worksheet import cell_writers
from pipeline.textsafe import starts_like_formula
from pipeline.values import format_money

# The service-line columns of a fund sheet: header, width cap, and the line's attribute.
LINE_COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("Service", 30, "service"),
    ("Delivery organisation", 24, "organisation"),
    ("Provision", 36, "provision"),
    ("Start date", 11, "start"),
    ("End date", 11, "end"),
    ("Extension options", 22, "extension_options"),
    ("Mechanism", 14, "mechanism"),
    ("How commissioned", 34, "how_commissioned"),
    ("Budget", 13, "budget"),
)
_NOT_TEXT = ("start", "end", "budget")
_START_COL, _END_COL = 3, 4


@dataclass(frozen=True)
class FundSheet:
    """A fund's sheet: its figures, its (unique, valid) sheet name and its total's cell."""

    rec: FundReconciliation
    name: str
    total_cell: str | None  # the budget total's cell, e.g. "I14"; None: the fund has no lines


def fund_sheet(ws: Any, sheet: FundSheet, year: str, formats: Formats, tables: set[str]) -> None:
    """The fund's service lines as a table, its budget total in the last column."""
    rec = sheet.rec
    lines = rec.lines
    money_fmt = formats.money(rec.has_pence)
    # A fund held for in-year commissioning: "0 service lines committing £0" said it oddly.
    committing = (
        f"{len(lines)} service line{'' if len(lines) == 1 else 's'} committing "
        f"{format_money(rec.committed)}"
        if lines
        else "no service line commits any of it yet"
    )
    headers = [h if key != "budget" else f"{year} budget (£)" for h, _, key in LINE_COLUMNS]
    text_cols = [col for col, (_, _, key) in enumerate(LINE_COLUMNS) if key not in _NOT_TEXT]
    # Clean every text cell first: the column widths and row heights depend on it.
    texts = [
        [public_text(str(getattr(line, LINE_COLUMNS[col][2]))) for col in text_cols]
        for line in lines
    ]
    widths = [text_width(0, cap, header) for header, cap, _ in LINE_COLUMNS]
    for index, col in enumerate(text_cols):
        header, cap, _ = LINE_COLUMNS[col]
        longest = max(map(longest_line, {row[index] for row in texts}), default=0)
        widths[col] = text_width(longest, cap, header)
    widths[_START_COL] = date_width(lines, "start")
    widths[_END_COL] = date_width(lines, "end")
    budget_col = len(LINE_COLUMNS) - 1
    widths[budget_col] = money_width((rec.committed, *(ln.budget for ln in lines)), rec.has_pence)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    write_title(
        ws,
        formats,
        f"{rec.fund.name}: services commissioned in {year}",
        f"Allocation {format_money(rec.allocation)}; {committing}. Figures are in pounds (£).",
        width=sum(widths),
    )
    fit_row(ws, HEADER_ROW, zip(headers, widths, strict=True))
    page_setup(ws)
    if not lines:
        note = "No services are commissioned from this fund."
        empty_table(
            ws, HEADER_ROW, headers, note, table_name("Services", sheet.name, tables), formats
        )
        return

    first = HEADER_ROW + 1
    # The hot loop of a large plan: formats and widths are looked up once, and a row's height
    # is worked out once per text and column (organisations and wording repeat line after
    # line), only for text that may be too long for its column.
    text_plan: list[tuple[int, int, dict[str, int]]] = [(col, widths[col], {}) for col in text_cols]
    text_fmt, quoted_fmt = formats.text, formats.text_quoted
    write_string, write_datetime, write_number = cell_writers(ws, "string", "datetime", "number")
    for offset, (line, row_texts) in enumerate(zip(lines, texts, strict=True)):
        row = first + offset
        tallest = 1
        for text, (col, width, fitted) in zip(row_texts, text_plan, strict=True):
            if not text:
                continue  # an empty cell stays empty
            write_string(row, col, text, quoted_fmt if starts_like_formula(text) else text_fmt)
            if len(text) * WIDEST > width or "\n" in text:
                known = fitted.get(text)
                if known is None:
                    known = fitted[text] = wrapped_lines(text, width)
                tallest = max(tallest, known)
        if tallest > 1:
            ws.set_row(row, ROW_HEIGHT * tallest)
        write_datetime(
            row, _START_COL, line.start, formats.month if line.start_month_only else formats.date
        )
        write_datetime(
            row, _END_COL, line.end, formats.month if line.end_month_only else formats.date
        )
        write_number(row, budget_col, money_value(line.budget), money_fmt)
    last = first + len(lines) - 1
    budget = column_name(budget_col)
    columns: list[dict[str, Any]] = [
        {"header": h, "header_format": formats.header} for h in headers
    ]
    columns[0]["total_string"] = "Total"
    columns[budget_col].update(
        format=money_fmt,
        total_function=f"SUM({budget}{first + 1}:{budget}{last + 1})",
        total_value=money_value(rec.committed),
    )
    ws.add_table(
        HEADER_ROW,
        0,
        last + 1,
        budget_col,
        {
            "name": table_name("Services", sheet.name, tables),  # already free of contact details
            "style": TABLE_STYLE,
            "total_row": True,
            "columns": columns,
        },
    )
    write_total_row(ws, last + 1, columns, formats, rec.has_pence)
