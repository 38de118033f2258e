"""The figures of an in-year position: per line, per fund and per ring-fenced stream.

The forecast outturn of a line is a straight line by days: spent ÷ its live days in the year up
to the as-at date × its live days in the whole year; a line with nothing spent on balance (no
payment yet, or credit notes as large as its payments), not yet started, or paid once so far
(one payment is no rate: a grant paid in full in advance, a one-off award), forecasts its
budget, or what it has spent if that is more. Ring-fenced money is spent first, in the order the sources are listed, by the same rule as the reconciliation (:func:`pipeline.figures.ring_fence_first`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pipeline.commitments import live_days
from pipeline.figures import ring_fence_first
from pipeline.model import Fund, FundingSource, ServiceLine
from pipeline.values import PENNY

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LinePosition:
    """One service line: what it has spent by the as-at date and its forecast outturn."""

    line: ServiceLine
    spent: Decimal
    payments: int
    forecast: Decimal
    days_to_date: int  # live days in the year up to the as-at date
    days_in_year: int  # live days in the whole financial year

    @property
    def budget(self) -> Decimal:
        return self.line.budget

    @property
    def variance(self) -> Decimal:
        """Forecast outturn minus budget: over budget is positive, under is negative."""
        return self.forecast - self.budget


@dataclass(frozen=True)
class StreamPosition:
    """One ring-fenced source of a fund, spent first."""

    source: FundingSource
    spent: Decimal
    forecast: Decimal

    @property
    def at_risk(self) -> Decimal:
        """Forecast to be left unspent at year end (and so at risk of clawback)."""
        return max(self.source.amount - self.forecast, ZERO)


@dataclass(frozen=True)
class FundPosition:
    """One fund: its lines' positions, the payments counted to it but to no line, its streams."""

    fund: Fund
    lines: tuple[LinePosition, ...]
    unassigned: Decimal  # payments that could be any of several of this fund's lines
    streams: tuple[StreamPosition, ...]

    @property
    def allocation(self) -> Decimal:
        return self.fund.allocation

    @property
    def committed(self) -> Decimal:
        return sum((p.budget for p in self.lines), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((p.spent for p in self.lines), ZERO) + self.unassigned

    @property
    def forecast(self) -> Decimal:
        # Payments not yet assigned to a line belong to lines still forecast at budget, so
        # they are not added twice; the forecast is never below what is already spent.
        return max(sum((p.forecast for p in self.lines), ZERO), self.spent)

    @property
    def at_risk(self) -> Decimal:
        """Allocation forecast to be left unspent at year end."""
        return max(self.allocation - self.forecast, ZERO)


def line_position(
    line: ServiceLine,
    spent: Decimal,
    payments: int,
    year_start: dt.date,
    year_end: dt.date,
    as_at: dt.date,
) -> LinePosition:
    """A line's position from what it has spent: the straight-line forecast by live days."""
    whole = live_days(line.start, line.end, year_start, year_end)
    to_date = live_days(line.start, line.end, year_start, min(as_at, year_end))
    if spent <= 0:
        # Nothing paid on balance (no payment, or credit notes that cancel or outweigh the
        # payments): a straight line from nothing would forecast nothing, or a negative outturn.
        forecast = line.budget
    elif to_date == 0 or payments == 1:
        # Not started by the as-at date, yet paid (a grant paid in advance), or paid once so
        # far: one payment is no rate to draw a line from (a grant paid in full in April
        # forecast twelve times itself, a one-off award twice). Its budget, or what it has
        # spent already if that is more (the outturn is never below the spend).
        forecast = max(line.budget, spent)
    else:
        forecast = (spent * whole / to_date).quantize(PENNY, ROUND_HALF_UP)
    return LinePosition(line, spent, payments, forecast, to_date, whole)


def fund_position(
    fund: Fund,
    lines: tuple[LinePosition, ...],
    unassigned: Decimal,
    sources: Sequence[FundingSource],
) -> FundPosition:
    """A fund's position; its ring-fenced sources take the fund's spend and forecast first."""
    spent = sum((p.spent for p in lines), ZERO) + unassigned
    forecast = max(sum((p.forecast for p in lines), ZERO), spent)
    used = ring_fence_first(tuple(sources), spent)
    expected = ring_fence_first(tuple(sources), forecast)
    streams = tuple(
        StreamPosition(now.source, now.committed, then.committed)
        for now, then in zip(used, expected, strict=True)
    )
    return FundPosition(fund, lines, unassigned, streams)
