"""The public summary's layout: cell formats, column widths, row heights, titles, page set-up,
table and sheet names, and text as it may be published.

Shared by every sheet of the summary (:mod:`pipeline.summary_sheet`,
:mod:`pipeline.summary_funds`, :mod:`pipeline.summary_changes`, :mod:`pipeline.render_xlsx`), so
the sheets look alike and a format is made once per workbook, never per cell.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pipeline.model import ServiceLine
from pipeline.person_names import planned_organisations
from pipeline.summary_text import wrapped_lines
from pipeline.textsafe import fit_cell, for_publication, scrub_personal_data, starts_like_formula
from pipeline.values import PENNY, clean_text, format_date

MAX_SHEET_NAME = 31  # Excel's limit
# Excel compares sheet names case-insensitively; "History" is reserved by Excel.
RESERVED_SHEETS = ("summary", "about", "history")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_TABLE_NAME_JUNK = re.compile(r"[^A-Za-z0-9]+")
HEADER_ROW = 2  # 0-based: a title row and a note row above each table
TABLE_STYLE = "Table Style Medium 2"
ROW_HEIGHT = 15  # points per line of 11-point text
MAX_ROW_POINTS = 409  # Excel's tallest row: a cell with more lines shows its first ones
BODY_POINTS = 11  # the body font; a column-width unit is about one of its characters
TITLE_POINTS = 14
MIN_TITLE_POINTS = 8
ROW_PIXELS = 20  # a row of the default height, in pixels (for placing the chart)


# -- published text -------------------------------------------------------------------------


def public_text(raw: str) -> str:
    """See :func:`_public_text`; kept per plan, whose organisations' names are never removed."""
    return _public_text(raw, planned_organisations())


@functools.lru_cache(maxsize=8192)  # organisations, mechanisms and wording repeat line after line
def _public_text(raw: str, planned: frozenset[str]) -> str:
    """Text as it may be published: tidy spaces, no control, bidi or zero-width characters
    (:func:`~pipeline.textsafe.for_publication`), no contact details, cut to a cell (fit_cell)."""
    text = for_publication(raw)
    if "\n" in text:
        text = "\n".join(clean_text(part) for part in text.split("\n")).strip()
    else:
        text = clean_text(text)
    return fit_cell(scrub_personal_data(text))


# -- names ------------------------------------------------------------------------------------


def sheet_names(fund_names: Sequence[str], reserved: Iterable[str] = RESERVED_SHEETS) -> list[str]:
    """A valid, unique sheet name for each fund (≤31 characters, none of ``[]:*?/\\``).

    Long or near-identical names are cut (between words where possible) and numbered
    (``… (2)``); each fund sheet's title still carries the full name.
    """
    taken = {name.casefold() for name in reserved}
    names: list[str] = []
    for fund_name in fund_names:
        base = clean_text(_SHEET_FORBIDDEN.sub(" ", public_text(fund_name).replace("\n", " ")))
        base = base.strip("' ") or "Fund"  # Excel refuses a leading or trailing apostrophe
        candidate = _cut(base, MAX_SHEET_NAME).rstrip(" '")
        number = 2
        while candidate.casefold() in taken:
            suffix = f" ({number})"
            candidate = _cut(base, MAX_SHEET_NAME - len(suffix)).rstrip(" '") + suffix
            number += 1
        taken.add(candidate.casefold())
        names.append(candidate)
    return names


def _cut(text: str, units: int) -> str:
    """The longest start of ``text`` within ``units`` UTF-16 code units: Excel counts a sheet
    name's length in those, so an emoji counts two (and is never cut in half).

    A name is cut between words where one ends in the second half, so a screen reader
    announces words ("Violence Against Women and"), not a fragment ("… and Gir").
    """
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            start = text[:index]
            if text[index] != " ":
                space = start.rfind(" ")
                if space >= units // 2:
                    start = start[:space]
            return start.rstrip(" -–—,;&")
    return text


def table_name(prefix: str, label: str, taken: set[str]) -> str:
    """A descriptive table name Excel accepts: ASCII letters, digits and ``_``, unique."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    words = _TABLE_NAME_JUNK.sub("_", ascii_label).strip("_")[:60]
    name = f"{prefix}_{words}" if words else prefix  # the prefix keeps it from reading as "A1"
    unique, number = name, 2
    while unique.casefold() in taken:
        unique = f"{name}_{number}"
        number += 1
    taken.add(unique.casefold())
    return unique


def cell_name(row: int, col: int) -> str:
    """``E15`` for 0-based row 14, column 4."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    return str(xl_rowcol_to_cell(row, col))


def column_name(col: int) -> str:
    """``E`` for 0-based column 4."""
    from xlsxwriter.utility import xl_col_to_name

    return str(xl_col_to_name(col))


def money_value(amount: Decimal) -> Decimal:
    """An amount to two places, so a cell's cached value reads like the typed figure
    (805212.00)."""
    return amount.quantize(PENNY)


def ratio(part: Decimal, whole: Decimal) -> Decimal | int:
    """part/whole for a % format; display only, so twelve places are plenty."""
    if not whole or not part:
        return 0
    return (part / whole).quantize(Decimal("1E-12"))


# -- the worksheet ----------------------------------------------------------------------------

# -- formats ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formats:
    """Every cell format, made once per workbook: formats are never created per cell."""

    title: Any
    title_quoted: Any
    note: Any
    note_quoted: Any
    header: Any
    header_number: Any
    text: Any
    text_quoted: Any
    bold: Any
    bold_quoted: Any
    pounds: Any
    pence: Any
    date: Any
    month: Any
    stamp: Any
    percent: Any
    link: Any
    total_label: Any
    total_pounds: Any
    total_pence: Any
    total_percent: Any
    workbook: Any  # for the title formats made smaller to fit (:meth:`title_to_fit`)
    # Font size -> (plain, quoted) title formats, made on first use (a long fund name).
    smaller_titles: dict[int, tuple[Any, Any]] = field(default_factory=dict, compare=False)

    @classmethod
    def create(cls, workbook: Any) -> Formats:
        top = {"valign": "top"}
        total = {"bold": True, "top": 1, "bottom": 6, **top}  # thin over, double under
        # Text is aligned left explicitly: under "General" alignment Excel and LibreOffice put
        # text that starts in Arabic or Hebrew at the right, so a title runs off the page.
        left = {"align": "left"}
        quoted = {"quote_prefix": True}  # text that starts like a formula stays text
        title = {"bold": True, "font_size": TITLE_POINTS, **left}
        note = {"italic": True, **left}
        text = {"text_wrap": True, **left, **top}
        bold = {"bold": True, **left, **top}
        return cls(
            title=workbook.add_format(title),
            title_quoted=workbook.add_format({**title, **quoted}),
            note=workbook.add_format(note),
            note_quoted=workbook.add_format({**note, **quoted}),
            header=workbook.add_format({"bold": True, "text_wrap": True, **top}),
            # Over a column of figures, the header lines up with them.
            header_number=workbook.add_format(
                {"bold": True, "text_wrap": True, "align": "right", **top}
            ),
            text=workbook.add_format(text),
            text_quoted=workbook.add_format({**text, **quoted}),
            bold=workbook.add_format(bold),
            bold_quoted=workbook.add_format({**bold, **quoted}),
            pounds=workbook.add_format({"num_format": "£#,##0;[Red]-£#,##0", **top}),
            pence=workbook.add_format({"num_format": "£#,##0.00;[Red]-£#,##0.00", **top}),
            date=workbook.add_format({"num_format": "dd/mm/yyyy", "align": "left", **top}),
            month=workbook.add_format({"num_format": "mmmm yyyy", "align": "left", **top}),
            stamp=workbook.add_format({"num_format": "dd/mm/yyyy hh:mm", "align": "left", **top}),
            percent=workbook.add_format({"num_format": "0.0%", **top}),
            link=workbook.add_format({"font_color": "blue", "underline": 1, **top}),
            # Table styles draw the total row in Excel only; these show it everywhere else.
            total_label=workbook.add_format({"bold": True, **left, **total}),
            total_pounds=workbook.add_format({"num_format": "£#,##0;[Red]-£#,##0", **total}),
            total_pence=workbook.add_format({"num_format": "£#,##0.00;[Red]-£#,##0.00", **total}),
            total_percent=workbook.add_format({"num_format": "0.0%", **total}),
            workbook=workbook,
        )

    def title_to_fit(self, title: str, width: float) -> Any:
        """The title's format, in a smaller font (not under 8 points) when at 14 points it would
        be wider than the table under it (``width`` in column-width units). Titles do not wrap
        (no merged cells), and LibreOffice fits a sheet to the page width *with* the text that
        runs over: a long fund name shrank the whole printed sheet to an unreadable scale."""
        if len(title) * TITLE_POINTS <= width * BODY_POINTS:
            return self.title
        size = max(MIN_TITLE_POINTS, int(width * BODY_POINTS / len(title)))
        if size not in self.smaller_titles:
            look = {"bold": True, "font_size": size, "align": "left"}
            self.smaller_titles[size] = (
                self.workbook.add_format(look),
                self.workbook.add_format({**look, "quote_prefix": True}),
            )
        return self.smaller_titles[size][0]

    def quoted(self, fmt: Any) -> Any:
        """``fmt`` (title, note, bold or text) with the quote prefix: the same look, as text."""
        for plain, quoted in (
            (self.title, self.title_quoted),
            (self.note, self.note_quoted),
            (self.bold, self.bold_quoted),
            *self.smaller_titles.values(),
        ):
            if fmt is plain:
                return quoted
        return self.text_quoted

    def money(self, has_pence: bool) -> Any:
        return self.pence if has_pence else self.pounds

    def total_money(self, has_pence: bool) -> Any:
        return self.total_pence if has_pence else self.total_pounds


def write_total_row(
    ws: Any, row: int, columns: Sequence[dict[str, Any]], formats: Formats, has_pence: bool
) -> None:
    """Write the table's total row again with bold, ruled formats (same formulas and values)."""
    money = formats.money(has_pence)
    for col, column in enumerate(columns):
        if "total_string" in column:
            ws.write_string(row, col, column["total_string"], formats.total_label)
        elif "total_function" in column:
            fmt = (
                formats.total_money(has_pence)
                if column["format"] is money
                else (formats.total_percent)
            )
            ws.write_formula(row, col, "=" + column["total_function"], fmt, column["total_value"])
        else:
            ws.write_blank(row, col, None, formats.total_label)


def put_text(ws: Any, row: int, col: int, text: str, formats: Formats, fmt: Any = None) -> None:
    """Write already-public text as a string: never a formula, a number or a link."""
    if not text:
        ws.write_blank(row, col, None, fmt or formats.text)  # blank, not an empty string
    elif starts_like_formula(text):
        ws.write_string(row, col, text, formats.quoted(fmt))
    else:
        ws.write_string(row, col, text, fmt or formats.text)


def write_text(ws: Any, row: int, col: int, raw: str, formats: Formats, fmt: Any = None) -> str:
    """Write ``raw`` as published text (see :func:`public_text`); return what was written."""
    text = public_text(raw)
    put_text(ws, row, col, text, formats, fmt)
    return text


def empty_table(
    ws: Any, row: int, headers: Sequence[str], note: str, name: str, formats: Formats
) -> None:
    """A table with its header row at ``row`` and one row saying why it holds no data.

    A screen reader still announces the column headers (bold text is not a header to it), and
    an Excel table needs a data row: the note is that row, not a made-up line.
    """
    put_text(ws, row + 1, 0, note, formats, formats.note)  # unwrapped: it runs across the row
    ws.add_table(
        row,
        0,
        row + 1,
        len(headers) - 1,
        {
            "name": name,
            "style": TABLE_STYLE,
            "autofilter": False,
            "columns": [{"header": h, "header_format": formats.header} for h in headers],
        },
    )


def fit_row(ws: Any, row: int, cells: Iterable[tuple[str, float]]) -> None:
    """Set the row's height to show its tallest wrapped cell in full."""
    lines = max((wrapped_lines(text, width) for text, width in cells if text), default=1)
    if lines > 1:
        ws.set_row(row, min(ROW_HEIGHT * lines, MAX_ROW_POINTS))


def write_title(
    ws: Any, formats: Formats, title: str, note: str, width: float | None = None
) -> None:
    """A sheet's title (row 1) and the note under it (row 2), above its first table; with the
    table's ``width``, a title too long for it in a smaller font (:meth:`Formats.title_to_fit`)."""
    text = public_text(title)
    put_text(ws, 0, 0, text, formats, formats.title_to_fit(text, width) if width else formats.title)
    write_text(ws, 1, 0, note, formats, formats.note)


def page_setup(ws: Any, one_table: bool = True) -> None:
    """A4 landscape, one page wide; a sheet with one table also keeps its header row in view
    (frozen) and prints it on every page."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    if one_table:
        ws.repeat_rows(HEADER_ROW)
        ws.freeze_panes(HEADER_ROW + 1, 1)
    ws.set_footer("&LPage &P of &N")


def text_width(longest: int, cap: int, header: str) -> int:
    """A text column's width: its longest line, at most ``cap``. Headers wrap, so half their
    length is enough, but never less than their longest word ("commissioned" split over two
    lines reads as two words); never narrower than a date or £ figure."""
    word = max(map(len, header.split()), default=0)
    return max(11, min(cap, max(longest, len(header) // 2, word) + 2))


def money_width(amounts: Iterable[Decimal], has_pence: bool) -> int:
    """A money column wide enough for its largest figure as shown, in bold in the total row:
    a number wider than its column shows as ### in Excel and LibreOffice (£1,861,943.35 in
    the budget column's 11 characters did)."""
    largest = max((abs(a) for a in amounts), default=Decimal(0))
    shown = f"-£{largest:,.2f}" if has_pence else f"-£{largest:,.0f}"
    return max(11, len(shown) + 3)


def date_width(lines: Sequence[ServiceLine], attribute: str) -> int:
    """A date column: dd/mm/yyyy, or wider for a month typed as a month ("September 2022")."""
    longest = max(
        (
            len(format_date(getattr(line, attribute), getattr(line, f"{attribute}_month_only")))
            for line in lines
        ),
        default=0,
    )
    return max(11, longest + 2)
