"""Stage 3b: the reconciliation -> the public Excel summary the OPCC publishes (domain §5).

The workbook has a Summary sheet (one row per fund: allocation, MoJ grants, other funding,
committed, unallocated, % committed and a total row; a chart; then a Funding sources table of
every source, which the MoJ and other columns add up, so the Summary is seven columns wide
however many sources there are), one sheet per fund with its service lines as an Excel table,
a Changes sheet when last year's plan was found (each line's and each fund's figures for both
years, the change in pounds and per cent), and an About sheet (decision, source, licence).

What makes it publishable:

- **Figures readers can trust.** Every total and percentage is a live formula that also carries
  the value computed here in ``Decimal``, so previewers and readers that never recalculate show
  the right figures. Totals are plain ``SUM`` over the cell range: a table's ``SUBTOTAL`` total
  recalculates to ``#NAME?`` in LibreOffice 7.4.
- **Text stays text.** ``strings_to_formulas`` is off and text goes through ``write_string``;
  text that starts like a formula also gets Excel's quote prefix, so editing the cell in Excel
  does not turn it into one (formula/CSV injection).
- **No personal data.** Only an allow-list of fields goes out (never the contact officer, report
  author, officer initials or circulation list), and e-mail addresses and UK telephone numbers
  typed into free text are replaced with ``[removed]``.
- **Accessible and repeatable.** Header rows, named tables, no merged cells, chart alt text;
  a fixed creation time so the same input gives a byte-identical file.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from pipeline.compare import STATUS_LABELS, Comparison
from pipeline.model import Decision, FundingSource, ServiceLine
from pipeline.reconcile import FundReconciliation
from pipeline.report import Report
from pipeline.textsafe import for_publication, scrub_personal_data, starts_like_formula
from pipeline.values import PENNY, clean_text, format_date, format_money, slugify

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

MAX_SHEET_NAME = 31  # Excel's limit
MAX_CELL_TEXT = 32_767  # Excel's limit; xlsxwriter would truncate with a warning
# Excel compares sheet names case-insensitively; "History" is reserved by Excel.
_RESERVED_SHEETS = ("summary", "about", "history")
CHANGES_SHEET = "Changes"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_TABLE_NAME_JUNK = re.compile(r"[^A-Za-z0-9]+")
# The service-line columns of a fund sheet: header, width cap, and the line's attribute.
_LINE_COLUMNS: tuple[tuple[str, int, str], ...] = (
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
HEADER_ROW = 2  # 0-based: a title row and a note row above each table
TABLE_STYLE = "Table Style Medium 2"
ROW_HEIGHT = 15  # points per line of 11-point text
_ROW_PIXELS = 20  # a row of the default height, in pixels (for placing the chart)


def summary_name(decision: Decision) -> str:
    """``commissioning-summary-2021-22.xlsx`` for the 2021/22 plan."""
    return f"commissioning-summary-{slugify(decision.year_label)}.xlsx"


# -- safe text --------------------------------------------------------------


@functools.lru_cache(maxsize=8192)  # organisations, mechanisms and wording repeat line after line
def public_text(raw: str) -> str:
    """Text as it may be published: tidy spaces, no control, bidi or zero-width characters
    (:func:`~pipeline.textsafe.for_publication`), no contact details."""
    text = for_publication(raw)
    if "\n" in text:
        text = "\n".join(clean_text(part) for part in text.split("\n")).strip()
    else:
        text = clean_text(text)
    return scrub_personal_data(text)[:MAX_CELL_TEXT]


# -- names ------------------------------------------------------------------------------------


def sheet_names(fund_names: Sequence[str], reserved: Iterable[str] = _RESERVED_SHEETS) -> list[str]:
    """A valid, unique sheet name for each fund (≤31 characters, none of ``[]:*?/\\``).

    Long or near-identical names are cut and numbered (``… (2)``); each fund sheet's title
    still carries the full name.
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
    name's length in those, so an emoji counts two (and is never cut in half)."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return text[:index]
    return text


def _table_name(prefix: str, label: str, taken: set[str]) -> str:
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


def _cell(row: int, col: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    return str(xl_rowcol_to_cell(row, col))


def _col(col: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return str(xl_col_to_name(col))


def _money(amount: Decimal) -> Decimal:
    # Two places, so the cached value reads like the typed figure (805212.00).
    return amount.quantize(PENNY)


def _ratio(part: Decimal, whole: Decimal) -> Decimal | int:
    """part/whole for a % format; display only, so twelve places are plenty."""
    if not whole or not part:
        return 0
    return (part / whole).quantize(Decimal("1E-12"))


# -- formats ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Formats:
    """Every cell format, made once per workbook: formats are never created per cell."""

    title: Any
    note: Any
    header: Any
    header_number: Any
    text: Any
    text_quoted: Any
    bold: Any
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

    @classmethod
    def create(cls, workbook: Any) -> _Formats:
        top = {"valign": "top"}
        total = {"bold": True, "top": 1, "bottom": 6, **top}  # thin over, double under
        return cls(
            title=workbook.add_format({"bold": True, "font_size": 14}),
            note=workbook.add_format({"italic": True}),
            header=workbook.add_format({"bold": True, "text_wrap": True, **top}),
            # Over a column of figures, the header lines up with them.
            header_number=workbook.add_format(
                {"bold": True, "text_wrap": True, "align": "right", **top}
            ),
            text=workbook.add_format({"text_wrap": True, **top}),
            text_quoted=workbook.add_format({"text_wrap": True, "quote_prefix": True, **top}),
            bold=workbook.add_format({"bold": True, **top}),
            pounds=workbook.add_format({"num_format": "£#,##0;[Red]-£#,##0", **top}),
            pence=workbook.add_format({"num_format": "£#,##0.00;[Red]-£#,##0.00", **top}),
            date=workbook.add_format({"num_format": "dd/mm/yyyy", "align": "left", **top}),
            month=workbook.add_format({"num_format": "mmmm yyyy", "align": "left", **top}),
            stamp=workbook.add_format({"num_format": "dd/mm/yyyy hh:mm", "align": "left", **top}),
            percent=workbook.add_format({"num_format": "0.0%", **top}),
            link=workbook.add_format({"font_color": "blue", "underline": 1, **top}),
            # Table styles draw the total row in Excel only; these show it everywhere else.
            total_label=workbook.add_format({"bold": True, **total}),
            total_pounds=workbook.add_format({"num_format": "£#,##0;[Red]-£#,##0", **total}),
            total_pence=workbook.add_format({"num_format": "£#,##0.00;[Red]-£#,##0.00", **total}),
            total_percent=workbook.add_format({"num_format": "0.0%", **total}),
        )

    def money(self, has_pence: bool) -> Any:
        return self.pence if has_pence else self.pounds

    def total_money(self, has_pence: bool) -> Any:
        return self.total_pence if has_pence else self.total_pounds


def _total_row(
    ws: Any, row: int, columns: Sequence[dict[str, Any]], formats: _Formats, has_pence: bool
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


def _put_text(ws: Any, row: int, col: int, text: str, formats: _Formats, fmt: Any = None) -> None:
    """Write already-public text as a string: never a formula, a number or a link."""
    if not text:
        ws.write_blank(row, col, None, fmt or formats.text)  # blank, not an empty string
    elif starts_like_formula(text):
        ws.write_string(row, col, text, formats.text_quoted)
    else:
        ws.write_string(row, col, text, fmt or formats.text)


def _write_text(ws: Any, row: int, col: int, raw: str, formats: _Formats, fmt: Any = None) -> str:
    """Write ``raw`` as published text (see :func:`public_text`); return what was written."""
    text = public_text(raw)
    _put_text(ws, row, col, text, formats, fmt)
    return text


def _longest_line(text: str) -> int:
    return max((len(part) for part in text.split("\n")), default=0)


def _wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes when wrapped in a column ``width`` characters wide.

    Neither Excel nor LibreOffice reliably grows a row for wrapped text in a file written by a
    program, so row heights are set from this estimate (greedy word wrap).
    """
    capacity = max(1, int(width * 1.15))  # most letters are narrower than the width unit "0"
    if len(text) <= capacity and "\n" not in text:
        return 1  # the usual case, decided without splitting
    count = 0
    for paragraph in text.split("\n"):
        used, lines = 0, 1
        for word in paragraph.split(" "):
            size = len(word)
            if used and used + 1 + size <= capacity:
                used += 1 + size
                continue
            if used:
                lines += 1
            lines += (size - 1) // capacity if size else 0
            used = size % capacity or min(size, capacity)
        count += lines
    return count


def _fit_row(ws: Any, row: int, cells: Iterable[tuple[str, float]]) -> None:
    """Set the row's height to show its tallest wrapped cell in full."""
    lines = max((_wrapped_lines(text, width) for text, width in cells if text), default=1)
    if lines > 1:
        ws.set_row(row, ROW_HEIGHT * lines)


def _title(ws: Any, formats: _Formats, title: str, note: str) -> None:
    _write_text(ws, 0, 0, title, formats, formats.title)
    _write_text(ws, 1, 0, note, formats, formats.note)


def _page_setup(ws: Any, one_table: bool = True) -> None:
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


def _width(longest: int, cap: int, header: str) -> int:
    # Headers wrap, so half their length is enough; never narrower than a date or £ figure.
    return max(11, min(cap, max(longest, len(header) // 2) + 2))


def _money_width(amounts: Iterable[Decimal], has_pence: bool) -> int:
    """A money column wide enough for its largest figure as shown, in bold in the total row:
    a number wider than its column shows as ### in Excel and LibreOffice (£1,861,943.35 in
    the budget column's 11 characters did)."""
    largest = max((abs(a) for a in amounts), default=Decimal(0))
    shown = f"-£{largest:,.2f}" if has_pence else f"-£{largest:,.0f}"
    return max(11, len(shown) + 3)


def _date_width(lines: Sequence[ServiceLine], attribute: str) -> int:
    """A date column: dd/mm/yyyy, or wider for a month typed as a month ("September 2022")."""
    longest = max(
        (
            len(format_date(getattr(line, attribute), getattr(line, f"{attribute}_month_only")))
            for line in lines
        ),
        default=0,
    )
    return max(11, longest + 2)


# -- the fund sheets --------------------------------------------------------------------------


@dataclass(frozen=True)
class _FundSheet:
    rec: FundReconciliation
    name: str
    total_cell: str | None  # the budget total's cell, e.g. "I14"; None: the fund has no lines


def _fund_sheet(ws: Any, sheet: _FundSheet, year: str, formats: _Formats, tables: set[str]) -> None:
    rec = sheet.rec
    lines = rec.lines
    money_fmt = formats.money(rec.has_pence)
    count = f"{len(lines)} service line{'' if len(lines) == 1 else 's'}"
    _title(
        ws,
        formats,
        f"{rec.fund.name}: services commissioned in {year}",
        f"Allocation {format_money(rec.allocation)}; {count} committing "
        f"{format_money(rec.committed)}. Figures are in pounds (£).",
    )
    headers = [h if key != "budget" else f"{year} budget (£)" for h, _, key in _LINE_COLUMNS]
    text_cols = [col for col, (_, _, key) in enumerate(_LINE_COLUMNS) if key not in _NOT_TEXT]
    # Clean every text cell first: the column widths and row heights depend on it.
    texts = [
        [public_text(str(getattr(line, _LINE_COLUMNS[col][2]))) for col in text_cols]
        for line in lines
    ]
    widths = [_width(0, cap, header) for header, cap, _ in _LINE_COLUMNS]
    for index, col in enumerate(text_cols):
        header, cap, _ = _LINE_COLUMNS[col]
        longest = max((_longest_line(row[index]) for row in texts), default=0)
        widths[col] = _width(longest, cap, header)
    widths[_START_COL] = _date_width(lines, "start")
    widths[_END_COL] = _date_width(lines, "end")
    budget_col = len(_LINE_COLUMNS) - 1
    widths[budget_col] = _money_width((rec.committed, *(ln.budget for ln in lines)), rec.has_pence)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    _fit_row(ws, HEADER_ROW, zip(headers, widths, strict=True))
    _page_setup(ws)
    if not lines:
        # An Excel table needs at least one data row; say so instead of faking a line.
        for col, header in enumerate(headers):
            ws.write_string(HEADER_ROW, col, header, formats.header)
        _put_text(ws, HEADER_ROW + 1, 0, "No services are commissioned from this fund.", formats)
        return

    first = HEADER_ROW + 1
    # The hot loop of a large plan: formats and wrap capacities are looked up once, and a
    # row's height is worked out only for text too long for its column.
    text_plan = [(col, max(1, int(widths[col] * 1.15)), widths[col]) for col in text_cols]
    text_fmt, quoted_fmt = formats.text, formats.text_quoted
    write_string, write_datetime = ws.write_string, ws.write_datetime
    for offset, (line, row_texts) in enumerate(zip(lines, texts, strict=True)):
        row = first + offset
        tallest = 1
        for text, (col, capacity, width) in zip(row_texts, text_plan, strict=True):
            if not text:
                continue  # an empty cell stays empty
            write_string(row, col, text, quoted_fmt if starts_like_formula(text) else text_fmt)
            if len(text) > capacity or "\n" in text:
                tallest = max(tallest, _wrapped_lines(text, width))
        if tallest > 1:
            ws.set_row(row, ROW_HEIGHT * tallest)
        write_datetime(
            row, _START_COL, line.start, formats.month if line.start_month_only else formats.date
        )
        write_datetime(
            row, _END_COL, line.end, formats.month if line.end_month_only else formats.date
        )
        ws.write_number(row, budget_col, _money(line.budget), money_fmt)
    last = first + len(lines) - 1
    budget = _col(budget_col)
    columns: list[dict[str, Any]] = [
        {"header": h, "header_format": formats.header} for h in headers
    ]
    columns[0]["total_string"] = "Total"
    columns[budget_col].update(
        format=money_fmt,
        total_function=f"SUM({budget}{first + 1}:{budget}{last + 1})",
        total_value=_money(rec.committed),
    )
    ws.add_table(
        HEADER_ROW,
        0,
        last + 1,
        budget_col,
        {
            "name": _table_name("Services", sheet.name, tables),  # already free of contact details
            "style": TABLE_STYLE,
            "total_row": True,
            "columns": columns,
        },
    )
    _total_row(ws, last + 1, columns, formats, rec.has_pence)


# -- the summary ------------------------------------------------------------------------------

# The per-fund table's columns, whatever the number of funding sources: MoJ grants and every
# other source are one column each, and the sources themselves are listed in a table below.
_SUMMARY_HEADERS = (
    "Fund",
    "Allocation (£)",
    "MoJ grants (£)",
    "Other funding (£)",
    "Committed (£)",
    "Unallocated (£)",
    "% committed",
)
_ALLOCATION, _MOJ, _OTHER, _COMMITTED, _UNALLOCATED, _PERCENT = range(1, 7)
_SOURCE_HEADERS = ("Fund", "Source", "Ring-fenced", "Grant reference", "Amount (£)")
_SOURCE_NAME, _RING_FENCED, _GRANT_REFERENCE, _AMOUNT = range(1, 5)


@dataclass(frozen=True)
class _SourceRow:
    """One row of the Funding sources table."""

    fund: str  # public text
    source: FundingSource
    row: int  # 0-based row on the Summary sheet


def _sum_of_cells(col: int, rows: Sequence[int]) -> str:
    """``SUM(E15:E17,E19)``: the cells of ``col`` in ``rows`` (ascending), runs as ranges."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    parts = [_cell(a, col) if a == b else f"{_cell(a, col)}:{_cell(b, col)}" for a, b in runs]
    return f"SUM({','.join(parts)})"


def _write_sources_sum(ws: Any, row: int, col: int, rows: Sequence[_SourceRow], fmt: Any) -> None:
    """The sum of some sources' amounts, linked to their rows of the Funding sources table."""
    amount = _money(sum((r.source.amount for r in rows), Decimal(0)))
    if rows:
        ws.write_formula(row, col, "=" + _sum_of_cells(_AMOUNT, [r.row for r in rows]), fmt, amount)
    else:
        ws.write_number(row, col, amount, fmt)  # nothing to add up: a plain 0


def _summary_widths(
    recon: Report, names: Sequence[str], sources: Sequence[_SourceRow]
) -> list[int]:
    """Column widths shared by the two tables (they sit one above the other)."""
    amounts = [
        recon.allocation,
        recon.committed,
        recon.headroom,
        *(a for rec in recon.funds for a in (rec.allocation, rec.committed, rec.headroom)),
        *(s.source.amount for s in sources),
    ]
    # Every money column alike, wide enough for its header on one line and for any figure.
    money = max(
        _money_width(amounts, recon.has_pence), max(len(h) for h in _SUMMARY_HEADERS[1:-1]) + 2
    )
    fund = _width(max(map(_longest_line, names), default=0), 40, "Fund")
    source = max((_longest_line(public_text(s.source.source)) for s in sources), default=0)
    reference = max(
        (_longest_line(public_text(s.source.grant_reference)) for s in sources), default=0
    )
    return [
        fund,
        max(money, min(36, source + 2)),  # Allocation above, Source below
        max(money, len("Ring-fenced") + 3),
        max(money, min(24, reference + 2)),
        money,
        money,
        len("% committed") + 3,
    ]


def _summary_sheet(
    workbook: Any,
    ws: Any,
    recon: Report,
    sheets: Sequence[_FundSheet],
    formats: _Formats,
    tables: set[str],
) -> None:
    """The funds table, its chart, then the Funding sources table.

    The funds table has the same seven columns however many funding sources there are: each
    fund's MoJ grants and other funding are sums (formulas) of its rows in the Funding sources
    table, which names every source. The chart sits between the tables: a table may run on to
    the next printed page, a chart would be cut. Two tables share the sheet, so no header row
    is frozen or repeated on printed pages (it would sit above the other table's rows).
    """
    year = recon.decision.year_label
    money_fmt = formats.money(recon.has_pence)
    _title(
        ws,
        formats,
        f"Commissioning plan {year}: funds, sources and commitments",
        f"{public_text(recon.decision.police_area)} Police and Crime Commissioner, decision "
        f"{public_text(recon.decision.reference)}. Figures are in pounds (£); each fund's "
        "services are on its own sheet.",
    )
    first = HEADER_ROW + 1
    last = first + len(sheets) - 1
    total_row = last + 1
    chart_row = total_row + 2
    chart_height = max(240, 100 + 45 * len(sheets))
    heading_row = chart_row + -(-chart_height // _ROW_PIXELS) + 1  # rows under the chart
    sources_header = heading_row + 2
    names = [public_text(sheet.rec.fund.name) for sheet in sheets]
    # Each fund's sources, grouped under the fund in the Funds sheet's order.
    by_fund: list[list[_SourceRow]] = []
    source_rows: list[_SourceRow] = []
    for name, sheet in zip(names, sheets, strict=True):
        by_fund.append([])
        for source in sheet.rec.sources:
            item = _SourceRow(name, source, sources_header + 1 + len(source_rows))
            by_fund[-1].append(item)
            source_rows.append(item)

    widths = _summary_widths(recon, names, source_rows)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    _fit_row(ws, HEADER_ROW, zip(_SUMMARY_HEADERS, widths, strict=True))
    _page_setup(ws, one_table=False)

    moj_total = other_total = Decimal(0)
    for offset, sheet in enumerate(sheets):
        row = first + offset
        rec = sheet.rec
        _put_text(ws, row, 0, names[offset], formats)
        _fit_row(ws, row, [(names[offset], widths[0])])
        ws.write_number(row, _ALLOCATION, _money(rec.allocation), money_fmt)
        moj = [r for r in by_fund[offset] if r.source.is_moj]
        other = [r for r in by_fund[offset] if not r.source.is_moj]
        _write_sources_sum(ws, row, _MOJ, moj, money_fmt)
        _write_sources_sum(ws, row, _OTHER, other, money_fmt)
        moj_total += sum((r.source.amount for r in moj), Decimal(0))
        other_total += sum((r.source.amount for r in other), Decimal(0))
        if sheet.total_cell:
            # Linked to the fund sheet's total, so an edit there flows through.
            from xlsxwriter.utility import quote_sheetname

            ws.write_formula(
                row,
                _COMMITTED,
                f"={quote_sheetname(sheet.name)}!{sheet.total_cell}",
                money_fmt,
                _money(rec.committed),
            )
        else:
            ws.write_number(row, _COMMITTED, _money(rec.committed), money_fmt)
        allocation = _cell(row, _ALLOCATION)
        committed = _cell(row, _COMMITTED)
        ws.write_formula(
            row, _UNALLOCATED, f"={allocation}-{committed}", money_fmt, _money(rec.headroom)
        )
        ws.write_formula(
            row,
            _PERCENT,
            f"=IF({allocation}=0,0,{committed}/{allocation})",
            formats.percent,
            _ratio(rec.committed, rec.allocation),
        )

    columns = _header_columns(_SUMMARY_HEADERS, formats)
    totals = {
        _ALLOCATION: recon.allocation,
        _MOJ: moj_total,
        _OTHER: other_total,
        _COMMITTED: recon.committed,
        _UNALLOCATED: recon.headroom,
    }
    for col, amount in totals.items():
        letter = _col(col)
        columns[col].update(
            format=money_fmt,
            total_value=_money(amount),
            total_function=f"SUM({letter}{first + 1}:{letter}{last + 1})",
        )
    allocation = _cell(total_row, _ALLOCATION)
    committed = _cell(total_row, _COMMITTED)
    columns[_PERCENT].update(
        format=formats.percent,
        total_function=f"IF({allocation}=0,0,{committed}/{allocation})",
        total_value=_ratio(recon.committed, recon.allocation),
    )
    if not sheets:
        for col, header in enumerate(_SUMMARY_HEADERS):
            ws.write_string(HEADER_ROW, col, header, formats.header)
        _put_text(ws, first, 0, "The plan has no funds.", formats)
        return
    ws.add_table(
        HEADER_ROW,
        0,
        total_row,
        _PERCENT,
        {
            "name": _table_name("Summary", "by_fund", tables),
            "style": TABLE_STYLE,
            "total_row": True,
            "columns": columns,
        },
    )
    _total_row(ws, total_row, columns, formats, recon.has_pence)
    # MoJ grants and other funding add up some of the sources' cells, by design: Excel's
    # "formula omits adjacent cells" and "inconsistent formula" marks would only alarm readers.
    moj_other = f"{_cell(first, _MOJ)}:{_cell(last, _OTHER)}"
    ws.ignore_errors({"formula_range": moj_other, "formula_differs": moj_other})
    chart_width = sum(int(width * 7 + 5) for width in widths)  # Calibri 11: 7 px a character
    _chart(workbook, ws, recon, first, last, chart_row, chart_width, chart_height)
    _sources_table(ws, recon, source_rows, heading_row, widths, formats, tables)


def _header_columns(headers: Sequence[str], formats: _Formats) -> list[dict[str, Any]]:
    """A table's columns: "Total" under the first; headers over figures aligned right."""
    columns: list[dict[str, Any]] = [
        {
            "header": h,
            "header_format": formats.header_number
            if h.endswith(("(£)", "%")) or h.startswith("%")
            else formats.header,
        }
        for h in headers
    ]
    columns[0]["total_string"] = "Total"
    return columns


def _sources_table(
    ws: Any,
    recon: Report,
    rows: Sequence[_SourceRow],
    heading_row: int,
    widths: Sequence[float],
    formats: _Formats,
    tables: set[str],
) -> None:
    """Every funding source of every fund, in the Funding sources sheet's order, and a total."""
    money_fmt = formats.money(recon.has_pence)
    _write_text(ws, heading_row, 0, "Funding sources", formats, formats.bold)
    _write_text(
        ws,
        heading_row + 1,
        0,
        "Where each fund's money comes from. MoJ grants (above) are the sources from "
        "the Ministry of Justice; other funding is every other source.",
        formats,
        formats.note,
    )
    header = heading_row + 2
    _fit_row(ws, header, zip(_SOURCE_HEADERS, widths, strict=False))
    if not rows:
        for col, text in enumerate(_SOURCE_HEADERS):
            ws.write_string(header, col, text, formats.header)
        _put_text(ws, header + 1, 0, "No funding sources are listed.", formats)
        return
    for item in rows:
        source = item.source
        texts = [
            item.fund,
            public_text(source.source),
            "Yes" if source.ring_fenced else "No",
            public_text(source.grant_reference),
        ]
        for col, text in enumerate(texts):
            _put_text(ws, item.row, col, text, formats)
        _fit_row(ws, item.row, zip(texts, widths, strict=False))
        ws.write_number(item.row, _AMOUNT, _money(source.amount), money_fmt)
    total = rows[-1].row + 1
    amount = _col(_AMOUNT)
    columns = _header_columns(_SOURCE_HEADERS, formats)
    columns[_AMOUNT].update(
        format=money_fmt,
        total_function=f"SUM({amount}{rows[0].row + 1}:{amount}{total})",
        total_value=_money(sum((r.source.amount for r in rows), Decimal(0))),
    )
    ws.add_table(
        header,
        0,
        total,
        _AMOUNT,
        {
            "name": _table_name("Summary", "funding_sources", tables),
            "style": TABLE_STYLE,
            "total_row": True,
            "columns": columns,
        },
    )
    _total_row(ws, total, columns, formats, recon.has_pence)


def _chart(
    workbook: Any,
    ws: Any,
    recon: Report,
    first: int,
    last: int,
    at_row: int,
    width: int,
    height: int,
) -> None:
    """A stacked bar per fund: committed and unallocated, which add up to the allocation."""
    name = ws.get_name()
    chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
    for col, colour in ((_COMMITTED, "#1F4E79"), (_UNALLOCATED, "#F4B183")):
        chart.add_series(
            {
                "name": [name, HEADER_ROW, col],
                "categories": [name, first, 0, last, 0],
                "values": [name, first, col, last, col],
                "fill": {"color": colour},
                "border": {"color": "#404040"},
                "gap": 60,
            }
        )
    year = recon.decision.year_label
    chart.set_title({"name": f"Committed and unallocated by fund, {year}"})
    chart.set_x_axis(
        {
            "name": "Pounds (£)",
            "num_format": "£#,##0",
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_y_axis({"name": "Fund"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": width, "height": height})
    described = "; ".join(
        f"{public_text(rec.fund.name)}: {format_money(rec.committed)} committed, "
        f"{format_money(rec.headroom)} unallocated of {format_money(rec.allocation)}"
        for rec in recon.funds
    )
    ws.insert_chart(
        at_row,
        0,
        chart,
        {
            "description": f"Stacked bar chart of committed and unallocated money by fund. "
            f"{described}."
        },
    )


# -- the changes from last year ---------------------------------------------------------------

_STATUS = STATUS_LABELS
NOT_APPLICABLE = "–"  # % change of a line new or ended this year, or from nothing


def _percent_formula(previous: str, current: str, change: str) -> str:
    # A blank year (new or ended line) or nothing last year has no % change, and no #DIV/0!.
    return (
        f'=IF(OR({previous}="",{current}="",{previous}=0),"{NOT_APPLICABLE}",{change}/{previous})'
    )


def _percent_value(previous: Decimal | None, current: Decimal | None) -> Decimal | str:
    if previous is None or current is None or previous == 0:
        return NOT_APPLICABLE
    return ((current - previous) / previous).quantize(Decimal("1E-12"))


def _write_amount(ws: Any, row: int, col: int, amount: Decimal | None, fmt: Any) -> None:
    """A year's amount, or a blank cell for a year the line was not in the plan."""
    if amount is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, _money(amount), fmt)


def _write_change(
    ws: Any,
    row: int,
    previous_col: int,
    previous: Decimal | None,
    current: Decimal | None,
    money_fmt: Any,
    percent_fmt: Any,
) -> None:
    """Last year, this year, then Change (£) and Change (%) as formulas with their values."""
    _write_amount(ws, row, previous_col, previous, money_fmt)
    _write_amount(ws, row, previous_col + 1, current, money_fmt)
    before, now = _cell(row, previous_col), _cell(row, previous_col + 1)
    change = _cell(row, previous_col + 2)
    ws.write_formula(
        row,
        previous_col + 2,
        f"={now}-{before}",
        money_fmt,
        _money((current or Decimal(0)) - (previous or Decimal(0))),
    )
    ws.write_formula(
        row,
        previous_col + 3,
        _percent_formula(before, now, change),
        percent_fmt,
        _percent_value(previous, current),
    )


def _changes_sheet(
    ws: Any, comparison: Comparison, year: str, formats: _Formats, tables: set[str]
) -> None:
    """Every line's budget in both years, then each fund's allocation, MoJ grant, committed."""
    previous_year = comparison.previous_year
    changes = [change for fund in comparison.funds for change in fund.lines]
    amounts = [
        a
        for f in comparison.funds
        for a in (f.previous_allocation, f.allocation, f.previous_moj, f.moj)
    ]
    amounts += [a for c in changes for a in (c.previous_budget, c.budget)]
    has_pence = any(a != a.to_integral_value() for a in amounts)
    money_fmt = formats.money(has_pence)
    _title(
        ws,
        formats,
        f"Changes from {previous_year} to {year}",
        f"Each line and fund of this plan against the {previous_year} plan (decision "
        f"{public_text(comparison.previous_reference)}). Lines are matched by fund, service "
        "and delivery organisation, then by service alone (Moved). Figures are in pounds "
        "(£); a blank amount: the line was not in that year's plan.",
    )
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
    widths = [22.0, 30.0, 24.0, 14.0, 24.0, 14.0, 14.0, 14.0, 11.0]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    _fit_row(ws, HEADER_ROW, zip(headers, widths, strict=True))
    _page_setup(ws)

    first = HEADER_ROW + 1
    for offset, change in enumerate(changes):
        row = first + offset
        line = change.line
        texts = [
            public_text(line.fund),
            public_text(line.service),
            public_text(line.organisation),
            _STATUS[change.status],
            public_text(change.note),
        ]
        for col, text in enumerate(texts):
            _put_text(ws, row, col, text, formats)
        _fit_row(ws, row, zip(texts, widths, strict=False))
        _write_change(
            ws,
            row,
            previous_col,
            change.previous.budget if change.previous else None,
            change.current.budget if change.current else None,
            money_fmt,
            formats.percent,
        )
    total_row = first + len(changes)
    columns: list[dict[str, Any]] = [
        {"header": h, "header_format": formats.header} for h in headers
    ]
    columns[0]["total_string"] = "Total"
    previous_total = sum((c.previous_budget for c in changes), Decimal(0))
    current_total = sum((c.budget for c in changes), Decimal(0))
    for col, amount in (
        (previous_col, previous_total),
        (previous_col + 1, current_total),
        (previous_col + 2, current_total - previous_total),
    ):
        letter = _col(col)
        columns[col].update(
            format=money_fmt,
            total_value=_money(amount),
            total_function=f"SUM({letter}{first + 1}:{letter}{total_row})",
        )
    before, now = _cell(total_row, previous_col), _cell(total_row, previous_col + 1)
    columns[previous_col + 3].update(
        format=formats.percent,
        total_function=_percent_formula(before, now, _cell(total_row, previous_col + 2))[1:],
        total_value=_percent_value(previous_total, current_total),
    )
    if changes:
        ws.add_table(
            HEADER_ROW,
            0,
            total_row,
            len(headers) - 1,
            {
                "name": _table_name("Changes", "by_line", tables),
                "style": TABLE_STYLE,
                "total_row": True,
                "columns": columns,
            },
        )
        _total_row(ws, total_row, columns, formats, has_pence)
    else:
        for col, header in enumerate(headers):
            ws.write_string(HEADER_ROW, col, header, formats.header)
        _put_text(ws, first, 0, "Neither plan has service lines.", formats)
        total_row = first

    # Each fund's figures: taken from each year's plan, so a line moved between funds counts
    # in the fund it was in that year.
    heading_row = total_row + 2
    _write_text(ws, heading_row, 0, "Fund totals", formats, formats.bold)
    fund_header = heading_row + 1
    fund_headers = [
        "Fund",
        "Figure",
        f"{previous_year} (£)",
        f"{year} (£)",
        "Change (£)",
        "Change (%)",
    ]
    row = fund_header + 1
    for fund in comparison.funds:
        figures = [("Allocation", fund.previous_allocation, fund.allocation)]
        if fund.previous_moj or fund.moj:
            figures.append(("MoJ grant", fund.previous_moj, fund.moj))
        figures.append(("Committed", fund.previous_committed, fund.committed))
        for label, previous, current in figures:
            name = public_text(fund.fund)
            _put_text(ws, row, 0, name, formats)
            _put_text(ws, row, 1, label, formats)
            _fit_row(ws, row, [(name, widths[0])])
            _write_change(ws, row, 2, previous, current, money_fmt, formats.percent)
            row += 1
    if row > fund_header + 1:
        ws.add_table(
            fund_header,
            0,
            row - 1,
            len(fund_headers) - 1,
            {
                "name": _table_name("Changes", "by_fund", tables),
                "style": TABLE_STYLE,
                "columns": [{"header": h, "header_format": formats.header} for h in fund_headers],
            },
        )


# -- about ------------------------------------------------------------------------------------


def _about_sheet(
    ws: Any,
    recon: Report,
    generated: dt.datetime,
    publisher: str,
    formats: _Formats,
    tables: set[str],
) -> None:
    decision = recon.decision
    reference = public_text(decision.reference)
    _title(
        ws,
        formats,
        "About this summary",
        "What this workbook is, where its figures come from and how you may reuse them.",
    )
    rows: list[tuple[str, Any]] = [
        ("Title", f"Commissioning plan {decision.year_label}: public summary"),
        ("Publisher", publisher),
        ("Police area", decision.police_area),
        ("Financial year", decision.year_label),
        ("Decision reference", decision.reference),
        ("Decision date", decision.date),
        ("Decision subject", decision.subject),
        (
            "Source",
            f"Request for Decision {reference}, Appendix 3: Commissioning Plan "
            f"{decision.year_label}",
        ),
        ("Generated", generated),
        (
            "Figures",
            "All figures are in pounds sterling (£). MoJ grants are a fund's "
            "funding sources from the Ministry of Justice, other funding its other "
            "sources. Unallocated is the allocation less the committed budget lines; "
            "% committed is committed as a share of the allocation. Totals are "
            "formulas over the figures they add up.",
        ),
        (
            "Contents",
            "Summary: one row per fund (allocation, MoJ grants, other funding, "
            "committed, unallocated), a chart, and every funding source. One sheet "
            "per fund: its service lines. "
            + (
                f"{CHANGES_SHEET}: what changed since the "
                f"{recon.comparison.previous_year} plan, line by line and fund by "
                "fund. "
                if recon.comparison
                else ""
            )
            + "About: this sheet.",
        ),
        ("Licence", LICENCE),
        ("Licence address", LICENCE_URL),
    ]
    first = HEADER_ROW + 1
    detail_width = 90
    for offset, (item, detail) in enumerate(rows):
        row = first + offset
        ws.write_string(row, 0, item, formats.bold)
        if isinstance(detail, dt.datetime):
            ws.write_datetime(row, 1, detail, formats.stamp)
        elif isinstance(detail, dt.date):
            ws.write_datetime(row, 1, detail, formats.date)
        elif detail == LICENCE_URL:
            ws.write_url(row, 1, LICENCE_URL, formats.link, LICENCE_URL)
        else:
            _fit_row(ws, row, [(_write_text(ws, row, 1, detail, formats), detail_width)])
    ws.add_table(
        HEADER_ROW,
        0,
        first + len(rows) - 1,
        1,
        {
            "name": _table_name("About", "this_summary", tables),
            "style": "Table Style Light 1",
            "autofilter": False,
            "columns": [
                {"header": "Item", "header_format": formats.header},
                {"header": "Detail", "header_format": formats.header},
            ],
        },
    )
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, detail_width)
    _page_setup(ws)


# -- the workbook -----------------------------------------------------------------------------


def render_xlsx(
    recon: Report, target: Path | IO[bytes], generated: dt.datetime | None = None
) -> None:
    """Write the public summary of ``recon`` to ``target`` (a path or a binary stream).

    ``generated`` is the time shown on the About sheet and stored as the file's creation time;
    by default the decision date, so the same plan always gives the same bytes.
    """
    import xlsxwriter

    decision = recon.decision
    stamp = generated or dt.datetime.combine(decision.date, dt.time())
    stamp = stamp.replace(tzinfo=None)  # Excel has no time zones; xlsxwriter refuses aware times
    area = public_text(decision.police_area)
    publisher = f"Office of the Police and Crime Commissioner for {area}"

    workbook = xlsxwriter.Workbook(
        target,
        {
            # Text must never become a formula or a link, whatever a provider is called.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties(
        {
            "title": f"Commissioning plan {decision.year_label}: public summary ({area})",
            "subject": public_text(decision.subject),
            "author": publisher,
            "company": publisher,
            "keywords": f"commissioning, {area}, {decision.year_label}, "
            f"{public_text(decision.reference)}",
            "comments": f"Source: Request for Decision {public_text(decision.reference)}. "
            f"Licence: {LICENCE}.",
            "created": stamp,
        }
    )
    formats = _Formats.create(workbook)
    tables: set[str] = set()

    summary_ws = workbook.add_worksheet("Summary")
    comparison = recon.comparison
    reserved = (*_RESERVED_SHEETS, CHANGES_SHEET) if comparison else _RESERVED_SHEETS
    names = sheet_names([rec.fund.name for rec in recon.funds], reserved)
    fund_sheets: list[_FundSheet] = []
    fund_worksheets = []
    for rec, name in zip(recon.funds, names, strict=True):
        fund_worksheets.append(workbook.add_worksheet(name))
        # The total row sits right under the lines; the Summary links to it.
        total = (
            _cell(HEADER_ROW + 1 + len(rec.lines), len(_LINE_COLUMNS) - 1) if rec.lines else None
        )
        fund_sheets.append(_FundSheet(rec, name, total))
    changes_ws = workbook.add_worksheet(CHANGES_SHEET) if comparison else None
    about_ws = workbook.add_worksheet("About")

    _summary_sheet(workbook, summary_ws, recon, fund_sheets, formats, tables)
    for ws, sheet in zip(fund_worksheets, fund_sheets, strict=True):
        _fund_sheet(ws, sheet, decision.year_label, formats, tables)
    if changes_ws is not None and comparison is not None:
        _changes_sheet(changes_ws, comparison, decision.year_label, formats, tables)
    _about_sheet(about_ws, recon, stamp, publisher, formats, tables)
    summary_ws.activate()
    workbook.close()
