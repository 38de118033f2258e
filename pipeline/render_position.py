"""The position workbook: ``position-<ref-slug>-<yyyy-mm-dd>.xlsx`` for the finance team.

Sheets: Summary (per fund and per ring-fenced stream, with a budget, spent and forecast chart),
Lines, MoJ grant return (a draft of the twice-yearly return), Payments to check (unmatched and
ambiguous), Commitments (later years, and what extension options would add). Totals are live
``SUM`` formulas that also carry their computed values, so a reader that does not recalculate
still shows them. Text is always written as text (``strings_to_formulas`` off, a quote prefix
where it starts like a formula): a supplier named ``=HYPERLINK(...)`` stays a name.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from pipeline.commitments import Commitments
from pipeline.position import Position
from pipeline.position_grants import grant_return
from pipeline.position_rows import Rows, payment_rows, splice, style_index
from pipeline.position_sheet import HEADER_ROW, Formats, Sheet, cell_name, share
from pipeline.textsafe import for_publication
from pipeline.values import format_date, slugify


def position_name(position: Position) -> str:
    """``position-015-2021-2021-09-30.xlsx``."""
    slug = slugify(position.plan.decision.reference)
    return f"position-{slug}-{position.as_at.isoformat()}.xlsx"


def render_position(
    position: Position,
    commitments: Commitments,
    target: Path | IO[bytes],
) -> None:
    """Write the position workbook of ``position`` (and the plan's commitments) to ``target``."""
    from pipeline.xlsx_language import workbook_class

    decision = position.plan.decision
    written = io.BytesIO()  # the payments to check are put into it once it is written
    workbook = workbook_class()(  # says its language, en-GB, as the summary does
        written,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    # The same position always gives the same bytes.
    workbook.set_properties(
        {
            "title": f"Position at {format_date(position.as_at)}, {decision.year_label}",
            "subject": for_publication(decision.subject)[:255],
            "created": dt.datetime.combine(position.as_at, dt.time()),
        }
    )
    formats = Formats.create(workbook)
    heading = (
        f"decision {decision.reference}, {decision.year_label}: position at "
        f"{format_date(position.as_at)} from {position.payments:,} payments of the year, "
        f"{len(position.matched):,} of them matched to a line"
    )
    if position.built_on is not None:  # what it counts depends on the day it was built
        heading += (
            f"; built on {format_date(position.built_on)}, it leaves out the payments dated "
            "after that day"
        )
    if position.ended:  # the year is over: its forecasts are the outturn
        heading += "; " + position.outturn
    _summary(workbook, position, formats, heading)
    _lines(workbook, position, formats, heading)
    grant_return(workbook, position, formats, heading)
    payments = _to_check(workbook, position, formats, heading)
    _commitments(workbook, commitments, formats, heading)
    workbook.close()
    data = splice(written.getvalue(), [payments])
    if isinstance(target, Path):
        target.write_bytes(data)
    else:
        target.write(data)


def _summary(workbook: Any, position: Position, formats: Formats, heading: str) -> None:
    sheet = Sheet(workbook, "Summary", formats, (30, 16, 16, 16, 16, 16, 10))
    sheet.title("Spend against the plan", heading)
    sheet.header(
        (
            "Fund",
            "Allocation",
            "Committed",
            "Spent to date",
            "Forecast outturn",
            "At risk unspent",
            "% spent",
        )
    )
    first = sheet.row
    for fund in position.funds:
        row = sheet.line(
            (
                fund.fund.name,
                fund.allocation,
                fund.committed,
                fund.spent,
                fund.forecast,
                fund.at_risk,
            )
        )
        sheet.percent(row, 6, 3, 1, share(fund.spent, fund.allocation))
    last = sheet.row - 1
    funds = position.funds
    total = sheet.totals(
        "Total",
        first,
        last,
        {
            1: sum((f.allocation for f in funds), Decimal(0)),
            2: sum((f.committed for f in funds), Decimal(0)),
            3: sum((f.spent for f in funds), Decimal(0)),
            4: sum((f.forecast for f in funds), Decimal(0)),
            5: sum((f.at_risk for f in funds), Decimal(0)),
        },
    )
    spent_all = sum((f.spent for f in funds), Decimal(0))
    allocation_all = sum((f.allocation for f in funds), Decimal(0))
    sheet.percent(total, 6, 3, 1, share(spent_all, allocation_all))

    chart = workbook.add_chart({"type": "bar"})
    for col, colour in ((1, "#A6A6A6"), (3, "#1F4E79"), (4, "#F4B183")):
        chart.add_series(
            {
                "name": ["Summary", HEADER_ROW, col],
                "categories": ["Summary", first, 0, last, 0],
                "values": ["Summary", first, col, last, col],
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": "Budget, spent and forecast by fund"})
    chart.set_x_axis({"num_format": "£#,##0"})
    chart.set_legend({"position": "bottom"})
    sheet.row += 1
    sheet.ws.insert_chart(
        sheet.row,
        0,
        chart,
        {"description": "Bar chart of each fund's allocation, spend to date and forecast."},
    )
    sheet.row += 17
    sheet.text(
        sheet.row, 0, "Ring-fenced streams (ring-fenced money is spent first)", formats.caption
    )
    sheet.row += 1
    sheet.header(("Stream", "Amount", "Spent to date", "Forecast use", "At risk unspent", "Fund"))
    first = sheet.row
    for stream in position.streams:
        sheet.line(
            (
                stream.source.source,
                stream.source.amount,
                stream.spent,
                stream.forecast,
                stream.at_risk,
                stream.source.fund,
            )
        )
    streams = position.streams
    sheet.totals(
        "Total",
        first,
        sheet.row - 1,
        {
            1: sum((s.source.amount for s in streams), Decimal(0)),
            2: sum((s.spent for s in streams), Decimal(0)),
            3: sum((s.forecast for s in streams), Decimal(0)),
            4: sum((s.at_risk for s in streams), Decimal(0)),
        },
    )


def _lines(workbook: Any, position: Position, formats: Formats, heading: str) -> None:
    widths = (22, 34, 28, 12, 11, 11, 14, 14, 9, 14, 14, 9, 30)
    sheet = Sheet(workbook, "Lines", formats, widths)
    # The forecast is made one of several ways (instalments to come, a straight line, the
    # budget): each line says which, so that a figure can be checked.
    sheet.title(
        "Spend by budget line", heading + "; Forecast from: how each line's forecast is made"
    )
    sheet.header(
        (
            "Fund",
            "Service",
            "Delivery organisation",
            "Cost code",
            "Start",
            "End",
            "Budget",
            "Spent to date",
            "% spent",
            "Forecast outturn",
            "Over (+) / under (-)",
            "Payments",
            "Forecast from",
        )
    )
    sheet.ws.freeze_panes(sheet.row, 0)
    sheet.ws.repeat_rows(HEADER_ROW)
    first = sheet.row
    for item in position.lines:
        line = item.line
        row = sheet.line(
            (
                line.fund,
                line.service,
                line.organisation,
                line.cost_code,
                line.start,
                line.end,
                item.budget,
                item.spent,
                None,
                item.forecast,
                None,
                None,
                item.basis,
            )
        )
        sheet.percent(row, 8, 7, 6, share(item.spent, item.budget))
        sheet.ws.write_formula(
            row, 10, f"={cell_name(row, 9)}-{cell_name(row, 6)}", formats.money, item.variance
        )
        sheet.ws.write_number(row, 11, item.payments, formats.text)  # top, as the row
    # Ambiguous payments counted to a fund but to none of its lines: a row of their own, so
    # the spent total here is the Summary's (it was short of it by them, with no word why).
    for fund in position.funds:
        if fund.unassigned:
            label = "Not yet assigned to a line (see Payments to check)"
            sheet.line((fund.fund.name, label, "", "", None, None, None, fund.unassigned))
    items = position.lines
    sheet.totals(
        "Total",
        first,
        sheet.row - 1,
        {
            6: sum((p.budget for p in items), Decimal(0)),
            7: position.spent,
            9: sum((p.forecast for p in items), Decimal(0)),
            10: sum((p.variance for p in items), Decimal(0)),
        },
    )


def _to_check(workbook: Any, position: Position, formats: Formats, heading: str) -> Rows:
    sheet = Sheet(
        workbook, "Payments to check", formats, (11, 28, 16, 11, 30, 13, 10, 14, 12, 50, 20)
    )
    sheet.title("Unmatched and ambiguous payments", heading + "; counted to no line")
    sheet.header(
        (
            "Status",
            "Spend file",
            "Row (first)",
            "Date (last)",
            "Supplier",
            "Amount",
            "Payments",
            "Reference",
            "Cost centre",
            "Could be",
            "Counted to fund",
        )
    )
    sheet.ws.freeze_panes(sheet.row, 0)
    sheet.ws.repeat_rows(HEADER_ROW)  # a whole force's unmatched payments run to many pages
    first = sheet.row
    styles = {
        name: style_index(getattr(formats, name)) for name in ("text", "quoted", "date", "money")
    }
    xml = payment_rows(position.to_check, first, styles, sheet.widths)
    sheet.row += len(position.to_check)  # written into the file after it (position_rows)
    part = f"xl/worksheets/sheet{workbook.worksheets().index(sheet.ws) + 1}.xml"
    sheet.totals(
        "Total",
        first,
        sheet.row - 1,
        {5: sum((p.amount for p in position.to_check), Decimal(0))},
    )
    return Rows(part, sheet.row, xml)  # before the total row (numbered from 1)


def _commitments(workbook: Any, commitments: Commitments, formats: Formats, heading: str) -> None:
    labels = [year.label for year in commitments.years]
    widths = (22, 34, 28, 11, *(14 for _ in labels))
    sheet = Sheet(workbook, "Commitments", formats, widths)
    basis = (  # a multi-year plan's own later budgets are used where it types them
        "as the plan budgets them (at this year's rate where it does not)"
        if commitments.typed
        else "at this year's rate"
    )
    sheet.title(
        "Commitments beyond the year", f"{heading}; later years {basis}, extension options apart"
    )
    for caption, pick, totals in (
        ("Already committed (to each line's end date)", "years", commitments.totals),
        ("What extension options would add if exercised", "options", commitments.option_totals),
    ):
        sheet.text(sheet.row, 0, caption, formats.caption)
        sheet.row += 1
        sheet.header(("Fund", "Service", "Delivery organisation", "Ends", *labels))
        first = sheet.row
        for item in commitments.lines:
            amounts = item.years if pick == "years" else item.options
            if not any(amounts):
                continue
            end = item.line.end if pick == "years" else item.option_end
            sheet.line((item.line.fund, item.line.service, item.line.organisation, end, *amounts))
        sheet.totals(
            "Total",
            first,
            sheet.row - 1,
            {4 + i: value for i, value in enumerate(totals)},
        )
        sheet.row += 1
    unread = [c for c in commitments.lines if c.options_unread]
    for item in unread:
        sheet.text(
            sheet.row,
            0,
            f'{item.line.service}: extension options "{item.line.extension_options}" name no '
            "end date, so they are not counted above",
            formats.note,
        )
        sheet.row += 1
