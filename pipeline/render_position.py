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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from pipeline.commitments import Commitments
from pipeline.payment_checks import PaymentToCheck
from pipeline.position import Position
from pipeline.summary_layout import fit_row
from pipeline.textsafe import for_publication, starts_like_formula
from pipeline.values import PENNY, format_date, slugify

HEADER_ROW = 2  # title, note, then the header
MONEY = "£#,##0.00;[Red]-£#,##0.00"


def position_name(position: Position) -> str:
    """``position-015-2021-2021-09-30.xlsx``."""
    slug = slugify(position.plan.decision.reference)
    return f"position-{slug}-{position.as_at.isoformat()}.xlsx"


@dataclass(frozen=True)
class _Formats:
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

    @classmethod
    def create(cls, workbook: Any) -> _Formats:
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
            percent=workbook.add_format({"num_format": "0.0%"}),
            total_label=workbook.add_format(total),
            total_money=workbook.add_format({"num_format": MONEY, **total}),
            total_percent=workbook.add_format({"num_format": "0.0%", **total}),
        )


class _Sheet:
    """One worksheet written row by row, with typed cell writers."""

    def __init__(self, workbook: Any, name: str, formats: _Formats, widths: Sequence[int]):
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
        text = for_publication(raw)
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
        self.row += 1
        return self.row

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
        part, whole = _cell(row, part_col), _cell(row, whole_col)
        self.ws.write_formula(
            row, col, f"=IF({whole}=0,0,{part}/{whole})", self.formats.percent, _ratio(value)
        )

    def totals(
        self, label: str, first: int, last: int, columns: dict[int, Decimal], label_col: int = 0
    ) -> int:
        """A total row of live SUMs over rows ``first``..``last`` with their values cached."""
        row = self.row
        self.ws.write_string(row, label_col, label, self.formats.total_label)
        for col, value in columns.items():
            formula = f"=SUM({_cell(first, col)}:{_cell(last, col)})" if last >= first else "=0"
            self.ws.write_formula(
                row, col, formula, self.formats.total_money, value.quantize(PENNY)
            )
        self.row += 1
        return row


def _cell(row: int, col: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    return str(xl_rowcol_to_cell(row, col))


def _ratio(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1E-12"))


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return part / whole if whole else Decimal(0)


def render_position(
    position: Position,
    commitments: Commitments,
    target: Path | IO[bytes],
) -> None:
    """Write the position workbook of ``position`` (and the plan's commitments) to ``target``."""
    import xlsxwriter

    decision = position.plan.decision
    workbook = xlsxwriter.Workbook(
        target,
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
    formats = _Formats.create(workbook)
    heading = (
        f"decision {decision.reference}, {decision.year_label}: position at "
        f"{format_date(position.as_at)} from {position.payments:,} payments of the year, "
        f"{len(position.matched):,} of them matched to a line"
    )
    _summary(workbook, position, formats, heading)
    _lines(workbook, position, formats, heading)
    _grant_return(workbook, position, formats, heading)
    _to_check(workbook, position, formats, heading)
    _commitments(workbook, commitments, formats, heading)
    workbook.close()


def _summary(workbook: Any, position: Position, formats: _Formats, heading: str) -> None:
    sheet = _Sheet(workbook, "Summary", formats, (30, 16, 16, 16, 16, 16, 10))
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
        sheet.percent(row, 6, 3, 1, _share(fund.spent, fund.allocation))
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
    sheet.percent(total, 6, 3, 1, _share(spent_all, allocation_all))

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


def _lines(workbook: Any, position: Position, formats: _Formats, heading: str) -> None:
    sheet = _Sheet(workbook, "Lines", formats, (22, 34, 28, 12, 11, 11, 14, 14, 9, 14, 14, 9))
    sheet.title("Spend by budget line", heading + "; forecast: a straight line by days")
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
            )
        )
        sheet.percent(row, 8, 7, 6, _share(item.spent, item.budget))
        sheet.ws.write_formula(
            row, 10, f"={_cell(row, 9)}-{_cell(row, 6)}", formats.money, item.variance
        )
        sheet.ws.write_number(row, 11, item.payments)
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


def _grant_return(workbook: Any, position: Position, formats: _Formats, heading: str) -> None:
    sheet = _Sheet(workbook, "MoJ grant return", formats, (40, 30, 16, 16, 16))
    sheet.title("MoJ grant return (draft)", heading + "; check before it is sent to the Ministry")
    for fund in position.funds:
        for stream in fund.streams:
            if not stream.source.is_moj:
                continue
            sheet.header(("Stream", "Grant reference", "Allocation", "Spent to date", "Forecast"))
            sheet.line(
                (
                    stream.source.source,
                    stream.source.grant_reference,
                    stream.source.amount,
                    stream.spent,
                    stream.forecast,
                )
            )
            sheet.row += 1
            sheet.header(
                ("Service", "Delivery organisation", "Budget", "Spent to date", "Forecast")
            )
            first = sheet.row
            for item in fund.lines:
                sheet.line(
                    (
                        item.line.service,
                        item.line.organisation,
                        item.budget,
                        item.spent,
                        item.forecast,
                    )
                )
            if fund.unassigned:
                sheet.line(("Not yet assigned to a service", "", None, fund.unassigned, None))
            sheet.totals(
                f"Total, {fund.fund.name}",
                first,
                sheet.row - 1,
                {
                    2: sum((p.budget for p in fund.lines), Decimal(0)),
                    3: fund.spent,
                    4: sum((p.forecast for p in fund.lines), Decimal(0)),
                },
            )
            sheet.row += 1


def _to_check(workbook: Any, position: Position, formats: _Formats, heading: str) -> None:
    sheet = _Sheet(
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
    first = sheet.row
    _payment_rows(sheet, position.to_check)
    sheet.totals(
        "Total",
        first,
        sheet.row - 1,
        {5: sum((p.amount for p in position.to_check), Decimal(0))},
    )


def _payment_rows(sheet: _Sheet, payments: Sequence[PaymentToCheck]) -> None:
    """One row per payment to check, as :meth:`_Sheet.line` writes them, without its per-cell
    dispatch: a whole force's ledger has 100,000 such rows, and each distinct text (a
    supplier, a file, the candidate lines) is made safe once, not once per row."""
    ws, formats = sheet.ws, sheet.formats
    texts: dict[str, tuple[str, Any]] = {}
    days: dict[dt.date, dt.datetime] = {}

    def write(row: int, col: int, raw: str) -> None:
        known = texts.get(raw)
        if known is None:
            text = for_publication(raw)
            known = (text, formats.quoted if starts_like_formula(text) else formats.text)
            if len(texts) < _TEXTS_KEPT:
                texts[raw] = known
        if known[0]:  # an empty cell with no format is no cell (as _Sheet.text leaves it)
            ws.write_string(row, col, *known)

    for payment in payments:
        row = sheet.row
        write(row, 0, payment.status.capitalize())
        write(row, 1, payment.sheet)
        write(row, 2, payment.cell)
        day = days.get(payment.date) or days.setdefault(
            payment.date, dt.datetime.combine(payment.date, dt.time())
        )
        ws.write_datetime(row, 3, day, formats.date)
        write(row, 4, payment.supplier)
        ws.write_number(row, 5, payment.amount.quantize(PENNY), formats.money)
        ws.write_number(row, 6, payment.payments, formats.text)
        write(row, 7, payment.reference)
        write(row, 8, payment.cost_code)
        write(row, 9, payment.candidates)
        write(row, 10, payment.fund)
        # Wrapped text is not measured by every reader: give a long "Could be" its lines.
        ws.set_row(row, 15 * max(1, -(-len(payment.candidates) // 55)))
        sheet.row += 1


_TEXTS_KEPT = 20_000  # distinct texts remembered (references are unique: not worth keeping all)


def _commitments(workbook: Any, commitments: Commitments, formats: _Formats, heading: str) -> None:
    labels = [year.label for year in commitments.years]
    widths = (22, 34, 28, 11, *(14 for _ in labels))
    sheet = _Sheet(workbook, "Commitments", formats, widths)
    sheet.title(
        "Commitments beyond the year",
        heading + "; later years at this year's daily rate, extension options apart",
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
