"""The public summary's Summary sheet: one row per fund (allocation, MoJ grants, other
funding, committed, uncommitted, % committed) with a total row, a chart of committed and
uncommitted money by fund, and the Funding sources table the MoJ and other columns add up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pipeline.model import FundingSource
from pipeline.report import Report
from pipeline.summary_funds import FundSheet
from pipeline.summary_layout import (
    HEADER_ROW,
    ROW_PIXELS,
    TABLE_STYLE,
    Formats,
    cell_name,
    column_name,
    empty_table,
    fit_row,
    money_value,
    money_width,
    page_setup,
    public_text,
    put_text,
    ratio,
    table_name,
    text_width,
    write_text,
    write_title,
    write_total_row,
)
from pipeline.summary_text import longest_line, wrapped_lines
from pipeline.values import format_money

# The per-fund table's columns, whatever the number of funding sources: MoJ grants and every
# other source are one column each, and the sources themselves are listed in a table below.
_SUMMARY_HEADERS = (
    "Fund",
    "Allocation (£)",
    "MoJ grants (£)",
    "Other funding (£)",
    "Committed (£)",
    "Uncommitted (£)",
    "% committed",
)
_ALLOCATION, _MOJ, _OTHER, _COMMITTED, _UNCOMMITTED, _PERCENT = range(1, 7)
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
    parts = [
        cell_name(a, col) if a == b else f"{cell_name(a, col)}:{cell_name(b, col)}" for a, b in runs
    ]
    return f"SUM({','.join(parts)})"


def _write_sources_sum(ws: Any, row: int, col: int, rows: Sequence[_SourceRow], fmt: Any) -> None:
    """The sum of some sources' amounts, linked to their rows of the Funding sources table."""
    amount = money_value(sum((r.source.amount for r in rows), Decimal(0)))
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
        money_width(amounts, recon.has_pence), max(len(h) for h in _SUMMARY_HEADERS[1:-1]) + 2
    )
    fund = text_width(max(map(longest_line, names), default=0), 40, "Fund")
    source = max((longest_line(public_text(s.source.source)) for s in sources), default=0)
    reference = max(
        (longest_line(public_text(s.source.grant_reference)) for s in sources), default=0
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


def summary_sheet(
    workbook: Any,
    ws: Any,
    recon: Report,
    sheets: Sequence[FundSheet],
    formats: Formats,
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
    write_title(
        ws,
        formats,
        f"Commissioning plan {year}: funds, sources and commitments",
        f"{public_text(recon.decision.body)}, decision "
        f"{public_text(recon.decision.reference)}. Figures are in pounds (£); each fund's "
        "services are on its own sheet.",
    )
    first = HEADER_ROW + 1
    last = first + len(sheets) - 1
    total_row = last + 1
    chart_row = total_row + 2
    chart_height = min(CHART_MAX_HEIGHT, max(240, 100 + 45 * len(sheets)))
    heading_row = chart_row + -(-chart_height // ROW_PIXELS) + 1  # rows under the chart
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
    fit_row(ws, HEADER_ROW, zip(_SUMMARY_HEADERS, widths, strict=True))
    page_setup(ws, one_table=False)
    # Rows above the chart, in pixels: title, note, header, the funds (each as many lines as
    # its name wraps to), total, a blank row. A chart that would run past the foot of the
    # first page starts the next one instead of being cut in two.
    lines = max(wrapped_lines(h, w) for h, w in zip(_SUMMARY_HEADERS, widths, strict=True))
    lines += sum(wrapped_lines(name, widths[0]) for name in names)
    if ROW_PIXELS * (lines + 5) + chart_height > PAGE_PIXELS:
        ws.set_h_pagebreaks([chart_row])

    moj_total = other_total = Decimal(0)
    for offset, sheet in enumerate(sheets):
        row = first + offset
        rec = sheet.rec
        put_text(ws, row, 0, names[offset], formats)
        fit_row(ws, row, [(names[offset], widths[0])])
        ws.write_number(row, _ALLOCATION, money_value(rec.allocation), money_fmt)
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
                money_value(rec.committed),
            )
        else:
            ws.write_number(row, _COMMITTED, money_value(rec.committed), money_fmt)
        allocation = cell_name(row, _ALLOCATION)
        committed = cell_name(row, _COMMITTED)
        ws.write_formula(
            row, _UNCOMMITTED, f"={allocation}-{committed}", money_fmt, money_value(rec.headroom)
        )
        ws.write_formula(
            row,
            _PERCENT,
            f"=IF({allocation}=0,0,{committed}/{allocation})",
            formats.percent,
            ratio(rec.committed, rec.allocation),
        )

    columns = header_columns(_SUMMARY_HEADERS, formats)
    totals = {
        _ALLOCATION: recon.allocation,
        _MOJ: moj_total,
        _OTHER: other_total,
        _COMMITTED: recon.committed,
        _UNCOMMITTED: recon.headroom,
    }
    for col, amount in totals.items():
        letter = column_name(col)
        columns[col].update(
            format=money_fmt,
            total_value=money_value(amount),
            total_function=f"SUM({letter}{first + 1}:{letter}{last + 1})",
        )
    allocation = cell_name(total_row, _ALLOCATION)
    committed = cell_name(total_row, _COMMITTED)
    columns[_PERCENT].update(
        format=formats.percent,
        total_function=f"IF({allocation}=0,0,{committed}/{allocation})",
        total_value=ratio(recon.committed, recon.allocation),
    )
    if not sheets:
        name = table_name("Summary", "by_fund", tables)
        empty_table(ws, HEADER_ROW, _SUMMARY_HEADERS, "The plan has no funds.", name, formats)
        return
    ws.add_table(
        HEADER_ROW,
        0,
        total_row,
        _PERCENT,
        {
            "name": table_name("Summary", "by_fund", tables),
            "style": TABLE_STYLE,
            "total_row": True,
            "columns": columns,
        },
    )
    write_total_row(ws, total_row, columns, formats, recon.has_pence)
    # MoJ grants and other funding add up some of the sources' cells, by design: Excel's
    # "formula omits adjacent cells" and "inconsistent formula" marks would only alarm readers.
    moj_other = f"{cell_name(first, _MOJ)}:{cell_name(last, _OTHER)}"
    ws.ignore_errors({"formula_range": moj_other, "formula_differs": moj_other})
    chart_width = sum(int(width * 7 + 5) for width in widths)  # Calibri 11: 7 px a character
    _chart(workbook, ws, recon, first, last, chart_row, chart_width, chart_height)
    _sources_table(ws, recon, source_rows, heading_row, widths, formats, tables)


def header_columns(headers: Sequence[str], formats: Formats) -> list[dict[str, Any]]:
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
    formats: Formats,
    tables: set[str],
) -> None:
    """Every funding source of every fund, in the Funding sources sheet's order, and a total."""
    money_fmt = formats.money(recon.has_pence)
    write_text(ws, heading_row, 0, "Funding sources", formats, formats.bold)
    write_text(
        ws,
        heading_row + 1,
        0,
        "Where each fund's money comes from. MoJ grants (above) are the sources from "
        "the Ministry of Justice; other funding is every other source.",
        formats,
        formats.note,
    )
    header = heading_row + 2
    fit_row(ws, header, zip(_SOURCE_HEADERS, widths, strict=False))
    if not rows:
        name = table_name("Summary", "funding_sources", tables)
        empty_table(ws, header, _SOURCE_HEADERS, "No funding sources are listed.", name, formats)
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
            put_text(ws, item.row, col, text, formats)
        fit_row(ws, item.row, zip(texts, widths, strict=False))
        ws.write_number(item.row, _AMOUNT, money_value(source.amount), money_fmt)
    total = rows[-1].row + 1
    amount = column_name(_AMOUNT)
    columns = header_columns(_SOURCE_HEADERS, formats)
    columns[_AMOUNT].update(
        format=money_fmt,
        total_function=f"SUM({amount}{rows[0].row + 1}:{amount}{total})",
        total_value=money_value(sum((r.source.amount for r in rows), Decimal(0))),
    )
    ws.add_table(
        header,
        0,
        total,
        _AMOUNT,
        {
            "name": table_name("Summary", "funding_sources", tables),
            "style": TABLE_STYLE,
            "total_row": True,
            "columns": columns,
        },
    )
    write_total_row(ws, total, columns, formats, recon.has_pence)


# A printed page's height in pixels at full size (A4 landscape, page_setup's margins, less the
# footer). A sheet fitted to the page width only ever prints smaller, so a chart no taller than
# CHART_MAX_HEIGHT fits on one page at any scale: 45 pixels a fund made the chart of a plan
# with 30 funds three pages tall, cut across them. Many funds then get thinner bars.
PAGE_PIXELS = 660
CHART_MAX_HEIGHT = 600


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
    """A stacked bar per fund: committed and uncommitted, which add up to the allocation."""
    name = ws.get_name()
    chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
    for col, colour in ((_COMMITTED, "#1F4E79"), (_UNCOMMITTED, "#F4B183")):
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
    chart.set_title({"name": f"Committed and uncommitted by fund, {year}"})
    # Bars of money start at £0: Excel and LibreOffice start the axis near the smallest
    # value when the funds are close (£1.4m for funds of £1.56m and £1.65m), which drew a
    # fund 5% smaller as half the length. An overspent fund's negative bar sets its own.
    negative = any(min(rec.committed, rec.headroom) < 0 for rec in recon.funds)
    chart.set_x_axis(
        {
            "name": "Pounds (£)",
            "num_format": "£#,##0",
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            **({} if negative else {"min": 0}),
        }
    )
    chart.set_y_axis({"name": "Fund"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": width, "height": height})
    described = "; ".join(
        f"{public_text(rec.fund.name)}: {format_money(rec.committed)} committed, "
        f"{format_money(rec.headroom)} uncommitted of {format_money(rec.allocation)}"
        for rec in recon.funds
    )
    ws.insert_chart(
        at_row,
        0,
        chart,
        {
            "description": f"Stacked bar chart of committed and uncommitted money by fund. "
            f"{described}."
        },
    )
