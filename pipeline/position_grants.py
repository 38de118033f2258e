"""The position workbook's MoJ grant return (a draft of the return to the Ministry).

First each MoJ grant the plan's Funding sources name, with its allocation, spent and forecast
(ring-fenced money counted as spent first, in the order listed, as the Summary sheet counts it)
and a total against MoJ grants; then, once for each fund those grants pay into, its services
and the fund's total, and under it how much of that total each grant and the fund's other money
pay. The plan does not say which grant pays for which service, so a fund that two grants pay
into lists its services once, for the grants together: never once under each grant, which read
as the same spend twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.model import FundingSource
from pipeline.position import Position
from pipeline.position_figures import ZERO, FundPosition, StreamPosition
from pipeline.position_sheet import Formats, Sheet, cell_name

SHEET = "MoJ grant return"
WIDTHS = (40, 30, 16, 16, 16, 20)
SPENT, FORECAST = 3, 4  # the columns of spend and forecast, in both tables
OTHER = "of which the fund's other money"


def grant_return(workbook: Any, position: Position, formats: Formats, heading: str) -> None:
    """Write the MoJ grant return sheet of ``position``."""
    sheet = Sheet(workbook, SHEET, formats, WIDTHS)
    sheet.title("MoJ grant return (draft)", heading + "; check before it is sent to the Ministry")
    funds = [(fund, _moj(position, fund)) for fund in position.funds]
    funds = [(fund, sources) for fund, sources in funds if sources]
    if not funds:
        sheet.paragraph(
            'The plan\'s Funding sources sheet names no MoJ grant (a source named "MoJ ..." '
            'or "Ministry of Justice ...").'
        )
        return
    rows = _grants(sheet, funds)
    for fund, sources in funds:
        _fund(sheet, fund, sources, rows)


def _moj(position: Position, fund: FundPosition) -> list[FundingSource]:
    return [s for s in position.plan.sources_of(fund.fund) if s.is_moj]


def _stream(fund: FundPosition, source: FundingSource) -> StreamPosition | None:
    """The grant's share of the fund's spend; None when it is not ring-fenced (not told apart)."""
    return next((s for s in fund.streams if s.source is source), None)


def _grants(
    sheet: Sheet, funds: Sequence[tuple[FundPosition, list[FundingSource]]]
) -> dict[int, int]:
    """The table of MoJ grants and its total; the row of each ring-fenced grant (by id)."""
    sheet.header(
        ("MoJ grant", "Fund", "Allocation", "Spent to date", "Forecast", "Grant reference")
    )
    first = sheet.row
    rows: dict[int, int] = {}
    streams: list[StreamPosition] = []
    apart: list[tuple[FundingSource, str]] = []  # not ring-fenced: spend not told apart
    for fund, sources in funds:
        for source in sources:
            stream = _stream(fund, source)
            spent, forecast = (stream.spent, stream.forecast) if stream else (None, None)
            row = sheet.line(
                (
                    source.source,
                    fund.fund.name,
                    source.amount,
                    spent,
                    forecast,
                    source.grant_reference,
                )
            )
            if stream is None:
                apart.append((source, fund.fund.name))
            else:
                rows[id(source)] = row
                streams.append(stream)
    sheet.totals(
        "Total, MoJ grants",
        first,
        sheet.row - 1,
        {
            2: sum((s.amount for _, group in funds for s in group), ZERO),
            SPENT: sum((s.spent for s in streams), ZERO),
            FORECAST: sum((s.forecast for s in streams), ZERO),
        },
    )
    sheet.paragraph(
        "Ring-fenced grant money is counted as spent first, in the order the plan's Funding "
        "sources sheet lists it (as on the Summary sheet); each fund's other money after it."
    )
    for source, fund_name in apart:
        sheet.paragraph(
            f"{source.source} is not ring-fenced: what it pays for is not told apart from the "
            f"{fund_name}'s other money, with which its spend is counted."
        )
    return rows


def _fund(
    sheet: Sheet, fund: FundPosition, sources: Sequence[FundingSource], rows: dict[int, int]
) -> None:
    """The fund's services once, its total, and the total's share of each grant."""
    ring_fenced = [s for s in sources if id(s) in rows]
    paying = [s.source for s in sources if s.amount] or [s.source for s in sources]
    others = fund.allocation > sum((s.amount for s in ring_fenced), ZERO) or any(
        not s.ring_fenced for s in sources
    )
    names = _and([*paying, *(["the fund's other money"] if others else [])])
    sheet.row += 1
    sheet.paragraph(f"{fund.fund.name}: its services, paid for by {names}", sheet.formats.heading)
    if len(ring_fenced) > 1:
        sheet.paragraph(
            "The plan does not say which grant pays for which service, so the services are "
            "listed once, for the grants together, not under each grant. The lines under the "
            "total split the fund's spend and forecast between the grants: ring-fenced grant "
            "money is counted as spent first, in the order the plan's Funding sources sheet "
            "lists it, then the fund's other money."
        )
    elif ring_fenced:
        sheet.paragraph(
            "The lines under the total show how much of the fund's spend and forecast is "
            "counted against the grant: ring-fenced grant money is counted as spent first, then "
            "the fund's other money."
        )
    total = _services(sheet, fund)
    if ring_fenced:
        _shares(sheet, fund, ring_fenced, rows, total, others)


def _services(sheet: Sheet, fund: FundPosition) -> int:
    """The fund's services and its total row (whose row is returned)."""
    sheet.header(("Service", "Delivery organisation", "Budget", "Spent to date", "Forecast"))
    first = sheet.row
    for item in fund.lines:
        line = item.line
        sheet.line((line.service, line.organisation, item.budget, item.spent, item.forecast))
    lines_forecast = sum((p.forecast for p in fund.lines), ZERO)
    if fund.unassigned or fund.forecast > lines_forecast:
        # Payments no line has yet: spent, and forecast only past what the lines forecast
        # (they belong to lines still forecast at budget), so the total is the fund's.
        beyond = fund.forecast - lines_forecast
        sheet.line(("Not yet assigned to a service", "", None, fund.unassigned, beyond or None))
    return sheet.totals(
        f"Total, {fund.fund.name}",
        first,
        sheet.row - 1,
        {2: fund.committed, SPENT: fund.spent, FORECAST: fund.forecast},
    )


def _shares(
    sheet: Sheet,
    fund: FundPosition,
    ring_fenced: Sequence[FundingSource],
    rows: dict[int, int],
    total: int,
    others: bool,
) -> None:
    """Under the fund's total: each grant's part of it (linked to the grants' table) and the
    rest, the fund's other money, so the rows add up to the total."""
    first = sheet.row
    counted = {SPENT: ZERO, FORECAST: ZERO}
    for source in ring_fenced:
        stream = _stream(fund, source)
        assert stream is not None  # ring_fenced holds the sources with a stream
        row = sheet.line((f"of which {source.source}",))  # grown if the name wraps
        for col, value in ((SPENT, stream.spent), (FORECAST, stream.forecast)):
            sheet.formula(row, col, f"={cell_name(rows[id(source)], col)}", value)
            counted[col] += value
    rest = {SPENT: fund.spent - counted[SPENT], FORECAST: fund.forecast - counted[FORECAST]}
    if not others and not any(rest.values()):
        return
    last = sheet.row - 1
    row = sheet.line((OTHER,))
    for col, value in rest.items():
        span = f"{cell_name(first, col)}:{cell_name(last, col)}"
        sheet.formula(row, col, f"={cell_name(total, col)}-SUM({span})", value)


def _and(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
