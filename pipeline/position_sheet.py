"""One worksheet of the position workbook written row by row (:mod:`pipeline.render_position`
writes the sheets): its cell formats, typed cell writers, total rows of live ``SUM`` formulas
that carry their values, and row heights grown for wrapped text. Text is always written as
text, with a quote prefix where it starts like a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pipeline.summary_layout import fit_row
from pipeline.textsafe import fit_cell, for_publication, starts_like_formula
from pipeline.values import PENNY

HEADER_ROW = 2  # title, note, then the header
MONEY = "£#,##0.00;[Red]-£#,##0.00"


@dataclass(frozen=True)
class Formats:
    title: Any
    note: Any
    header: Any
    caption: Any
    text: Any
    quoted: Any
    money: Any
    date: Any
    percent: Any
    total_label: Any
    total_money: Any
    total_percent: Any
    paragraph: Any  # a note over the width of a table, wrapped
    heading: Any  # a table's heading over its width, wrapped

    @classmethod
    def create(cls, workbook: Any) -> Formats:
        total = {"bold": True, "top": 1, "bottom": 6}
        return cls(
            title=workbook.add_format({"bold": True, "font_size": 14}),
            note=workbook.add_format({"italic": True}),
            header=workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
            caption=workbook.add_format({"bold": True}),
            text=workbook.add_format({"valign": "top", "text_wrap": True}),
            quoted=workbook.add_format({"valign": "top", "quote_prefix": True, "text_wrap": True}),
            money=workbook.add_format({"num_format": MONEY, "valign": "top"}),
            date=workbook.add_format(
                {"num_format": "dd/mm/yyyy", "align": "left", "valign": "top"}
            ),
            # Top-aligned as every other cell of a row: in a row grown for a wrapped name,
            # a share at the bottom read as the next line's.
            percent=workbook.add_format({"num_format": "0.0%", "valign": "top"}),
            total_label=workbook.add_format(total),
            total_money=workbook.add_format({"num_format": MONEY, **total}),
            total_percent=workbook.add_format({"num_format": "0.0%", **total}),
            paragraph=workbook.add_format({"italic": True, "text_wrap": True, "valign": "top"}),
            heading=workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
        )


class Sheet:
    """One worksheet written row by row, with typed cell writers."""

    def __init__(self, workbook: Any, name: str, formats: Formats, widths: Sequence[int]):
        self.ws = workbook.add_worksheet(name)
        self.formats = formats
        self.widths = tuple(widths)
        self.row = 0
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)
        self.ws.set_landscape()
        self.ws.set_paper(9)
        self.ws.fit_to_pages(1, 0)

    def text(self, row: int, col: int, raw: str, fmt: Any = None) -> None:
        text = fit_cell(for_publication(raw))  # XlsxWriter would cut it without a word
        if not text:
            self.ws.write_blank(row, col, None, fmt)
        elif starts_like_formula(text):
            self.ws.write_string(row, col, text, self.formats.quoted)
        else:
            self.ws.write_string(row, col, text, fmt or self.formats.text)

    def title(self, title: str, note: str) -> None:
        self.text(0, 0, title, self.formats.title)
        self.text(1, 0, note, self.formats.note)
        self.row = HEADER_ROW

    def header(self, headers: Sequence[str]) -> int:
        for col, header in enumerate(headers):
            self.text(self.row, col, header, self.formats.header)
        # A heading that wraps ("Over (+) / under (-)") was drawn over the first row below it.
        fit_row(self.ws, self.row, zip(headers, self.widths, strict=False))
        self.row += 1
        return self.row

    def paragraph(self, raw: str, fmt: Any = None) -> None:
        """A row of text over the sheet's columns, wrapped, its row as tall as it needs."""
        text = for_publication(raw)
        last = len(self.widths) - 1
        self.ws.merge_range(self.row, 0, self.row, last, text, fmt or self.formats.paragraph)
        fit_row(self.ws, self.row, [(text, sum(self.widths))])
        self.row += 1

    def formula(self, row: int, col: int, formula: str, value: Decimal) -> None:
        """A live formula in money, its value cached."""
        self.ws.write_formula(row, col, formula, self.formats.money, value.quantize(PENNY))

    def put(self, row: int, col: int, value: str | Decimal | dt.date | None) -> None:
        if isinstance(value, Decimal):
            self.ws.write_number(row, col, value.quantize(PENNY), self.formats.money)
        elif isinstance(value, dt.date):
            self.ws.write_datetime(
                row, col, dt.datetime.combine(value, dt.time()), self.formats.date
            )
        elif value is None:
            self.ws.write_blank(row, col, None)
        else:
            self.text(row, col, value)

    def line(self, values: Sequence[str | Decimal | dt.date | None]) -> int:
        for col, value in enumerate(values):
            self.put(self.row, col, value)
        # A long service name wraps; the row must grow with it or the next row covers it.
        fit_row(
            self.ws,
            self.row,
            (
                (for_publication(value), self.widths[col])
                for col, value in enumerate(values)
                if isinstance(value, str) and col < len(self.widths)
            ),
        )
        self.row += 1
        return self.row - 1

    def percent(self, row: int, col: int, part_col: int, whole_col: int, value: Decimal) -> None:
        part, whole = cell_name(row, part_col), cell_name(row, whole_col)
        self.ws.write_formula(
            row, col, f"=IF({whole}=0,0,{part}/{whole})", self.formats.percent, ratio(value)
        )

    def totals(
        self, label: str, first: int, last: int, columns: dict[int, Decimal], label_col: int = 0
    ) -> int:
        """A total row of live SUMs over rows ``first``..``last`` with their values cached."""
        row = self.row
        self.ws.write_string(row, label_col, label, self.formats.total_label)
        for col, value in columns.items():
            formula = (
                f"=SUM({cell_name(first, col)}:{cell_name(last, col)})" if last >= first else "=0"
            )
            self.ws.write_formula(
                row, col, formula, self.formats.total_money, value.quantize(PENNY)
            )
        self.row += 1
        return row


def cell_name(row: int, col: int) -> str:
    """The A1 name of a cell (row and column from 0)."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    return str(xl_rowcol_to_cell(row, col))


def ratio(value: Decimal) -> Decimal:
    """A share as a percentage cell caches it (12 places)."""
    return value.quantize(Decimal("1E-12"))


def share(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` of ``whole``; 0 of nothing."""
    return part / whole if whole else Decimal(0)
