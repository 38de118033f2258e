"""The figures of an in-year position: per line, per fund and per ring-fenced stream.

The forecast outturn of a line is what it has spent and what is still to come (HM Treasury's
budget holder forecasting handbook: a forecast is the expected spend, from what is known). A
line paid in regular instalments (monthly, quarterly, ...: every gap between its payment days
the same number of months, within a week for a month and a fortnight for longer) forecasts
its spend and the instalments still due by its end in the year, each the average of those paid:
a grant paid quarterly in advance is not read as spending ahead of its budget, and one paid in
arrears forecasts its last period too, paid after the year (a payment that answers an accrual
reversed before it paid last year's last period, not one of this year's); a payment
reversed and paid again is paid once, on the day it was paid again. Other lines are
a straight line by days: spent ÷ its live days in the year up to the as-at date × its live days
in the whole year. A line with nothing spent on balance (no payment yet, or credit notes as
large as its payments), not yet started, or paid on one day so far (one payment is no rate: a
grant paid in full in advance, a one-off award) forecasts its budget, or what it has spent if
that is more. A forecast goes past the budget only when three or more payment days show the
line running over: a line that has paid its budget in full forecasts that, and payments on two
days forecast at most the budget (or the spend, if more). At or after the year end nothing
more is paid in the year: the forecast of every line is its outturn, what it spent in the year
(a line never paid, its budget unspent, forecasts nothing), with only the last instalment of a
line paid in arrears, due for the year's service and paid after it. Ring-fenced money is spent first, in the order the sources are listed, by the
same rule as the reconciliation (:func:`pipeline.figures.ring_fence_first`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from pipeline.commitments import add_months, live_days
from pipeline.figures import ring_fence_first
from pipeline.model import Fund, FundingSource, ServiceLine
from pipeline.values import PENNY, format_date

ZERO = Decimal("0.00")
MONTH_DAYS = 365.25 / 12
ROUNDING = Decimal("1.00")  # instalments' pennies: a forecast this near its budget is on it
# Instalments a grant or contract is paid in, by the months between them.
CADENCES = {1: "monthly", 2: "two-monthly", 3: "quarterly", 4: "four-monthly", 6: "half-yearly"}


@dataclass(frozen=True)
class LinePosition:
    """One service line: what it has spent by the as-at date and its forecast outturn."""

    line: ServiceLine
    spent: Decimal
    payments: int
    forecast: Decimal
    days_in_year: int  # live days in the whole financial year
    basis: str = ""  # how the forecast was made, in words (the Lines sheet says it)

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
    ended: bool = False  # the year-end position: each line's forecast is its outturn

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
        return _fund_forecast(self.lines, self.unassigned, self.ended)

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
    paid: Sequence[tuple[dt.date, Decimal]] = (),
) -> LinePosition:
    """A line's position from what it has spent: its instalments still to come, or a straight
    line by live days. ``paid`` is each of the line's payments and credits, with its date."""
    whole = live_days(line.start, line.end, year_start, year_end)
    to_date = live_days(line.start, line.end, year_start, min(as_at, year_end))
    instalments, accruals = _paid_by_day(paid)
    days = [day for day, _ in instalments]
    until = min(line.end, year_end)
    schedule = _instalments(days, as_at, until) if len(days) > 1 else None
    if as_at >= year_end:  # the year is over: nothing more is paid in it
        start = max(line.start, year_start)
        forecast, basis = _outturn(
            line.budget, spent, instalments, schedule, start, until, accruals
        )
        return LinePosition(line, spent, payments, forecast, whole, basis)
    if spent <= 0:
        # Nothing paid on balance (no payment, or credit notes that cancel or outweigh the
        # payments): a straight line from nothing would forecast nothing, or a negative outturn.
        forecast, basis = line.budget, "Budget: nothing spent yet"
    elif to_date == 0 or len(days) == 1:
        # Not started by the as-at date, yet paid (a grant paid in advance), or paid on one
        # day so far (an invoice split over two rows, a payment and a credit): one payment is
        # no rate to draw a line from (a grant paid in full in April forecast twelve times
        # itself, a one-off award twice). Its budget, or what it has spent already if that is
        # more (the outturn is never below the spend).
        forecast = max(line.budget, spent)
        basis = "Budget: paid once so far" if to_date else "Budget: not started yet"
        if spent > line.budget:
            basis = "Spent so far: over its budget"
    elif schedule is not None:
        months, due = schedule
        cadence = CADENCES[months].capitalize()
        arrears = _in_arrears(days, months, max(line.start, year_start), until, accruals)
        if arrears is not None:  # the last period's instalment is paid after the year
            due = arrears
            basis = f"{cadence} instalments in arrears: {due} more for its service to "
        else:
            basis = f"{cadence} instalments: {due} more due by "
        basis += format_date(until)
        # The average instalment paid: a credit between them (an overpayment returned) is
        # in the spend once, not taken off each instalment still to come.
        each = sum((amount for _, amount in instalments), ZERO) / len(instalments)
        forecast = (spent + each * due).quantize(PENNY, ROUND_HALF_UP)
    else:
        forecast = (spent * whole / to_date).quantize(PENNY, ROUND_HALF_UP)
        basis = "Straight line by days"
    forecast, basis = _within_budget(line.budget, spent, forecast, basis, len(days))
    return LinePosition(line, spent, payments, forecast, whole, basis)


def _outturn(
    budget: Decimal,
    spent: Decimal,
    instalments: Sequence[tuple[dt.date, Decimal]],
    schedule: tuple[int, int] | None,
    start: dt.date,
    until: dt.date,
    accruals: int,
) -> tuple[Decimal, str]:
    """A line's outturn at the year end: what it spent in the year (a line never paid spent
    nothing, not its budget), and the last instalment of a line paid in arrears, due for the
    year's service and paid after it."""
    days = [day for day, _ in instalments]
    due = None
    if schedule is not None and spent > 0:
        due = _in_arrears(days, schedule[0], start, until, accruals)
    if not due:
        said = "spent in the year" if spent else "nothing spent in the year"
        return spent, f"Outturn: {said}, which ended on {format_date(until)}"
    each = sum((amount for _, amount in instalments), ZERO) / len(instalments)
    forecast = (spent + each * due).quantize(PENNY, ROUND_HALF_UP)
    cadence = CADENCES[schedule[0]] if schedule else ""
    basis = (
        f"Outturn: spent in the year, and {due} {cadence} instalment"
        f"{'' if due == 1 else 's'} in arrears for its service to {format_date(until)}, "
        "paid after it"
    )
    return _within_budget(budget, spent, forecast, basis, len(days))


def _within_budget(
    budget: Decimal, spent: Decimal, forecast: Decimal, basis: str, days: int
) -> tuple[Decimal, str]:
    """The forecast, no further past the line's budget than its own payments show it running.

    A line whose spend has reached its budget (to the pound) is paid in full: a grant paid in
    two or three instalments is not read as paid monthly for the rest of the year. Payments on
    two days are one gap, too few a pattern to forecast an overspend from: they forecast up
    to the budget, or what is spent if it is already more. Three or more payment days whose
    instalments or straight line run past the budget forecast it (and it is a finding)."""
    if forecast <= budget + ROUNDING:
        return forecast, basis
    if abs(spent - budget) <= ROUNDING:
        return spent, "Spent so far: its budget paid in full"
    if days > 2:
        return forecast, basis
    if spent > budget:
        return spent, "Spent so far: over its budget"
    return budget, "Budget: two payment days are too few to forecast past it"


def _paid_by_day(
    paid: Sequence[tuple[dt.date, Decimal]],
) -> tuple[list[tuple[dt.date, Decimal]], int]:
    """The days a line was paid on and what it was paid on each, net of that day's credits,
    after each credit that reverses a payment (the same amount, on its day or later) has taken
    that payment away: a payment returned by the bank a week later and paid again (wrong bank
    details) is one instalment on the day it was paid again, not two a week apart that break
    the pattern, and a grant paid in full, reversed and paid again is paid on one day.

    With them, how many accruals were reversed before the line's first payment: a credit
    before it of the amount of a payment after it (last year's invoice accrued at the year end,
    the accrual reversed in April), which that payment answers."""
    kept: list[tuple[dt.date, Decimal] | None] = []
    unreversed: dict[Decimal, list[int]] = {}  # a payment's amount -> where it is in kept
    # Payments before credits on one day: a payment reversed on its own day is reversed.
    for day, amount in sorted(paid, key=lambda payment: (payment[0], payment[1] < 0)):
        reversible = unreversed.get(-amount) if amount < 0 else None
        if reversible:
            kept[reversible.pop()] = None  # the latest payment of that amount
            continue
        if amount > 0:
            unreversed.setdefault(amount, []).append(len(kept))
        kept.append((day, amount))
    by_day: dict[dt.date, Decimal] = {}
    for day, amount in filter(None, kept):
        by_day[day] = by_day.get(day, ZERO) + amount
    days = sorted((day, amount) for day, amount in by_day.items() if amount > 0)
    return days, _accruals_reversed([entry for entry in kept if entry], days)


def _accruals_reversed(
    kept: Sequence[tuple[dt.date, Decimal]], days: Sequence[tuple[dt.date, Decimal]]
) -> int:
    """The credits before a line's first payment day that a payment after it answers (the
    same amount), each at most once: accruals reversed at the start of the year."""
    if not days:
        return 0
    later = [amount for day, amount in kept if amount > 0]
    accruals = 0
    for day, amount in kept:
        if amount < 0 and day < days[0][0] and -amount in later:
            later.remove(-amount)
            accruals += 1
    return min(accruals, len(days) - 1)


def _instalments(days: Sequence[dt.date], as_at: dt.date, until: dt.date) -> tuple[int, int] | None:
    """The months between a line's payment days and how many instalments are still due by
    ``until``, when they are regular; None when they are not (invoices as the work is done),
    or when the next instalment is well overdue at ``as_at`` (the payments have stopped).

    A week's slack for a monthly payment (a payment run on the last Friday), a fortnight for a
    longer one; weekly or fortnightly payments are no instalments of a month (the straight line
    by days reads them well)."""
    gaps = [(later - earlier).days for earlier, later in pairwise(days)]
    months = round(gaps[0] / MONTH_DAYS)
    if months not in CADENCES:
        return None
    slack = 7 if months == 1 else 14
    if any(abs(gap - months * MONTH_DAYS) > slack for gap in gaps):
        return None
    last = days[-1]
    if (as_at - add_months(last, months)).days > slack:
        return None
    due = 0
    while add_months(last, (due + 1) * months) <= until:
        due += 1
    return months, due


def _in_arrears(
    days: Sequence[dt.date], months: int, start: dt.date, until: dt.date, accruals: int = 0
) -> int | None:
    """The instalments still to come of a line paid in arrears, or None when it is not.

    Its first payment in the year came a whole period or more after the period began (the
    line's start, or 1 April), and no later than a month after that period ended (an invoice's
    terms), or it answers an accrual reversed before it: each payment is for the period
    before it, so the year's service (to ``until``) is a period for each of its months, or
    quarters, from ``start``, the last paid after it. Its instalments due by ``until`` left
    out the last (a month short for a monthly invoice). A payment that answers an accrual
    reversed paid last year's period, not one of this year's."""
    slack = 7 if months == 1 else 14
    after = (days[0] - start).days
    if not accruals and not months * MONTH_DAYS - slack <= after <= months * MONTH_DAYS + 31:
        return None
    periods = 0
    while add_months(start, periods * months) <= until:
        periods += 1
    return max(periods - (len(days) - accruals), 0)


def _fund_forecast(lines: Sequence[LinePosition], unassigned: Decimal, ended: bool) -> Decimal:
    """A fund's forecast: its lines' forecasts, never below what it has already spent. In the
    year, payments not yet assigned to a line belong to lines still forecast at budget, so they
    are not added twice; at the year end each line's forecast is its outturn, which they are
    not in, so they are added to it."""
    forecast = sum((p.forecast for p in lines), ZERO)
    if ended:
        return forecast + unassigned
    return max(forecast, sum((p.spent for p in lines), ZERO) + unassigned)


def fund_position(
    fund: Fund,
    lines: tuple[LinePosition, ...],
    unassigned: Decimal,
    sources: Sequence[FundingSource],
    ended: bool = False,
) -> FundPosition:
    """A fund's position; its ring-fenced sources take the fund's spend and forecast first.
    ``ended``: the year-end position, each line's forecast its outturn."""
    spent = sum((p.spent for p in lines), ZERO) + unassigned
    forecast = _fund_forecast(lines, unassigned, ended)
    used = ring_fence_first(tuple(sources), spent)
    expected = ring_fence_first(tuple(sources), forecast)
    streams = tuple(
        StreamPosition(now.source, now.committed, then.committed)
        for now, then in zip(used, expected, strict=True)
    )
    return FundPosition(fund, lines, unassigned, streams, ended)
