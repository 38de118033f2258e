"""The in-year position: ledger payments matched to the plan's lines, spent and forecast.

The stages, one module each, data flowing one way: the payments of the plan's year are matched
to its lines (:mod:`pipeline.position_match`), summed per line and fund into the figures
(:mod:`pipeline.position_figures`), and the payments a person must look at become findings
(:mod:`pipeline.payment_checks`); this module puts them together into one :class:`Position`
and adds the findings about lines and funds (overspend, no spend, ring-fenced underspend).
The match rule is documented in the README, "Monitoring spend".

The join and the group-bys run in pandas over integer pence (see :mod:`pipeline.ledger`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from pipeline import payment_checks
from pipeline.commitments import add_months
from pipeline.findings import Finding
from pipeline.ledger_values import pounds
from pipeline.model import Plan
from pipeline.payment_checks import PaymentToCheck
from pipeline.payment_duplicates import duplicates
from pipeline.position_figures import (
    ZERO,
    FundPosition,
    LinePosition,
    StreamPosition,
    fund_position,
    line_position,
)
from pipeline.position_match import match_payments
from pipeline.values import format_date, format_money

if TYPE_CHECKING:
    import pandas as pd

NO_SPEND_MONTHS = 3
# A line's forecast this far over its budget is said (a few per cent is the forecast's grain).
FAR_OVER = Decimal("0.10")


@dataclass(frozen=True)
class Position:
    """A plan's position at one date: its funds and lines, and the payments to check."""

    plan: Plan
    as_at: dt.date
    funds: tuple[FundPosition, ...]
    to_check: tuple[PaymentToCheck, ...]
    findings: tuple[Finding, ...]
    payments: int  # counted in this position (in the year, up to the as-at date)
    matched: frozenset[tuple[str, int]]  # (file, row) of payments matched to a line
    # Without --as-at, payments dated after the day of the build are left out: that day, and
    # the earliest of their dates, from which a build would count one (the position changes).
    built_on: dt.date | None = None
    changes_on: dt.date | None = None

    @property
    def ended(self) -> bool:
        """The year-end position: the forecasts are the year's outturn."""
        return self.as_at >= self.plan.decision.year_end

    @property
    def outturn(self) -> str:
        """At the year end, what its forecasts are, in words (the sheets and the note say it);
        in the year, nothing."""
        if not self.ended:
            return ""
        decision = self.plan.decision
        return (
            f"{decision.year_label} ended on {format_date(decision.year_end)}: the forecast "
            "outturn is what each line spent in the year (a line never paid, nothing), and "
            "for a line paid in arrears its last instalment, due for the year and paid after it"
        )

    @property
    def lines(self) -> tuple[LinePosition, ...]:
        return tuple(p for f in self.funds for p in f.lines)

    @property
    def spent(self) -> Decimal:
        return sum((f.spent for f in self.funds), ZERO)

    @property
    def streams(self) -> tuple[StreamPosition, ...]:
        return tuple(s for f in self.funds for s in f.streams)


def build_position(
    plan: Plan,
    payments: pd.DataFrame,
    aliases: Mapping[str, str] | None = None,
    as_at: dt.date | None = None,
    today: dt.date | None = None,
    others: Collection[int] = (),
) -> Position | None:
    """The plan's position from the payments in its financial year; None if there are none.
    ``others``: the financial years (by the year they start) of the run's other plans, whose
    payments are theirs and not said here as outside the year.

    Without ``as_at``, the position is at the latest payment made by ``today`` (the day of the
    build): one dated in days still to come (a year or a month mistyped) is said and left out,
    rather than move the position there and stretch every forecast over days not yet lived."""
    import pandas as pd

    decision = plan.decision
    findings: list[Finding] = []
    dates = payments["date"]
    in_year = (dates >= pd.Timestamp(decision.year_start)) & (
        dates <= pd.Timestamp(decision.year_end)
    )
    findings.extend(payment_checks.out_of_year(plan, payments[~in_year], others))
    current = payments[in_year]
    if current.empty:
        return None
    if as_at is not None and as_at > decision.year_end:  # the year is over: its outturn
        findings.append(payment_checks.after_year_end(plan, as_at))
        as_at = decision.year_end
    ahead: dt.date | None = None  # the build's day, when payments are dated after it
    counted = True  # some payment of the year is dated by the position's date
    if as_at is None:
        now = today or dt.date.today()
        paid = current["date"][current["date"] <= pd.Timestamp(now)]
        # None paid yet (a payment run exported before its day): at today, counting none.
        as_at = paid.max().date() if not paid.empty else now
        ahead, counted = now, not paid.empty
    later = current["date"] > pd.Timestamp(as_at)
    findings.extend(payment_checks.after_as_at(plan, as_at, current[later], ahead, counted))
    changes_on = current["date"][later].min().date() if ahead and later.any() else None
    current = current[~later]
    if ahead is None and not current.empty:  # --as-at given: do the files reach it?
        findings.extend(payment_checks.gap(plan, as_at, current["date"].max().date()))
    findings.extend(duplicates(current))
    current = match_payments(plan, current, aliases or {})

    matched = current[current["line"] >= 0]
    spent = matched.groupby("line")["amount"].sum()
    counts = matched.groupby("line")["amount"].size()
    # Each line's payments and credits with their dates: its instalments, for the forecast.
    by_line: dict[int, list[tuple[dt.date, Decimal]]] = {}
    columns = (matched["line"].tolist(), matched["date"].tolist(), matched["amount"].tolist())
    for index, day, pence in zip(*columns, strict=True):
        by_line.setdefault(int(index), []).append((day.date(), pounds(int(pence))))
    loose = current[current["line"] < 0]
    unassigned = loose[loose["fund_key"] != ""].groupby("fund_key")["amount"].sum()
    # A line that an ambiguous payment could belong to may well be paid: no I-NO-SPEND for it.
    ambiguous_lines = {i for c in loose["candidates"] for i in c}

    positions = [
        line_position(
            line,
            pounds(int(spent.get(index, 0))),
            int(counts.get(index, 0)),
            decision.year_start,
            decision.year_end,
            as_at,
            by_line.get(index, ()),
        )
        for index, line in enumerate(plan.lines)
    ]
    funds = [
        fund_position(
            fund,
            tuple(p for p in positions if p.line.fund_key == fund.key),
            pounds(int(unassigned.get(fund.key, 0))),
            plan.sources_of(fund),
            as_at >= decision.year_end,
        )
        for fund in plan.funds
    ]
    findings.extend(payment_checks.ambiguous_suppliers(plan, loose))
    to_check = payment_checks.to_check(plan, loose)
    findings.extend(payment_checks.unmatched(to_check))
    findings.extend(_line_and_fund_findings(plan, funds, as_at, ambiguous_lines))
    return Position(
        plan,
        as_at,
        tuple(funds),
        tuple(to_check),
        tuple(findings),
        len(current),
        frozenset(zip(matched["file"], matched["row"], strict=True)),
        ahead if changes_on else None,
        changes_on,
    )


def _line_and_fund_findings(
    plan: Plan, funds: Sequence[FundPosition], as_at: dt.date, ambiguous_lines: set[int]
) -> list[Finding]:
    """W-OVERSPEND per line and fund, I-NO-SPEND, W-RINGFENCE-UNDERSPEND."""
    found = []
    when = format_date(as_at)
    indexes = {id(line): i for i, line in enumerate(plan.lines)}
    for fund in funds:
        for position in fund.lines:
            line = position.line
            found.extend(_line_overspend(plan, position, when))
            started = max(line.start, plan.decision.year_start)
            if (
                position.payments == 0
                and position.days_in_year > 0
                and add_months(started, NO_SPEND_MONTHS) <= as_at
                and indexes[id(line)] not in ambiguous_lines
            ):
                found.append(
                    Finding(
                        "I-NO-SPEND",
                        plan.file,
                        f"{line.service} ({line.organisation}) has run since "
                        f"{format_date(started)} with no payment by {when}; check that the "
                        "service has started and is being invoiced.",
                        line.at.sheet,
                        line.at.cell("service"),
                    )
                )
        if fund.forecast > fund.allocation:
            found.append(_fund_overspend(plan, fund, as_at))
        found.extend(
            _ringfence_underspend(plan, fund, stream, as_at)
            for stream in fund.streams
            if stream.at_risk > 0
        )
    return found


def _fund_overspend(plan: Plan, fund: FundPosition, as_at: dt.date) -> Finding:
    """W-OVERSPEND for a fund forecast over its allocation: in the year, by its end; at the
    year end, its outturn (nothing is left to vary in a year that has ended)."""
    over = f"{format_money(fund.forecast - fund.allocation)} over its "
    over += f"{format_money(fund.allocation)} allocation"
    decision = plan.decision
    if as_at >= decision.year_end:
        message = (
            f"The {fund.fund.name}'s outturn for {decision.year_label}, which ended on "
            f"{format_date(decision.year_end)}, is {format_money(fund.forecast)}, {over}. "
            "Check the lines' spend in the position workbook, and agree how the overspend "
            "is met."
        )
    else:
        message = (
            f"The {fund.fund.name} is forecast to spend {format_money(fund.forecast)} by year "
            f"end, {over} (position at {format_date(as_at)}). Check the lines' spend and "
            "forecasts in the position workbook, or vary the allocation by a decision."
        )
    return Finding(
        "W-OVERSPEND", plan.file, message, fund.fund.at.sheet, fund.fund.at.cell("allocation")
    )


def _ringfence_underspend(
    plan: Plan, fund: FundPosition, stream: StreamPosition, as_at: dt.date
) -> Finding:
    """W-RINGFENCE-UNDERSPEND: in the year, advice to act before its end; at its end (the
    year-end position), the underspend to report, as there is no year left to act in."""
    figures = (
        f"{stream.source.source} ({fund.fund.name}): {format_money(stream.at_risk)} of the "
        f"ring-fenced {format_money(stream.source.amount)} is forecast to be left unspent"
    )
    end = plan.decision.year_end
    if as_at >= end:
        message = (
            f"{figures} of {plan.decision.year_label}, which ended on {format_date(end)} "
            f"(spent {format_money(stream.spent)} in the year, forecast outturn "
            f"{format_money(stream.forecast)} with any payment still due for it). Unspent "
            "ring-fenced grant can be clawed back: report the underspend to the grant body "
            "and agree whether it is repaid or carried forward."
        )
    else:
        message = (
            f"{figures} at 31 March (forecast {format_money(stream.forecast)}, spent "
            f"{format_money(stream.spent)} at {format_date(as_at)}). Unspent ring-fenced grant "
            "can be clawed back: commit or reprofile it before year end."
        )
    return Finding(
        "W-RINGFENCE-UNDERSPEND",
        plan.file,
        message,
        stream.source.at.sheet,
        stream.source.at.cell("amount"),
    )


def _line_overspend(plan: Plan, position: LinePosition, when: str) -> list[Finding]:
    """W-OVERSPEND for a line that has spent more than its budget, or is forecast to spend
    more than a tenth over it (a forecast far over a budget is never only a figure on the
    Lines sheet: the fund's own forecast may be under its allocation)."""
    line, spent, forecast = position.line, position.spent, position.forecast
    name = f"{line.service} ({line.organisation})"
    if spent > line.budget:
        message = (
            f"{name} has spent {format_money(spent)} of its {format_money(line.budget)} "
            f"budget by {when}, {format_money(spent - line.budget)} over. "
            "Check the payments, or vary the budget by a decision."
        )
    elif forecast > line.budget * (1 + FAR_OVER):
        message = (
            f"{name} is forecast to spend {format_money(forecast)} by "
            f"{format_date(plan.decision.year_end)}, {format_money(forecast - line.budget)} "
            f"over its {format_money(line.budget)} budget (spent {format_money(spent)} by "
            f"{when}; forecast from {position.basis[:1].lower()}{position.basis[1:]}). Check "
            "the line's payments and its forecast on the Lines sheet of the position workbook, "
            "or vary the budget by a decision."
        )
    else:
        return []
    return [Finding("W-OVERSPEND", plan.file, message, line.at.sheet, line.at.cell("budget"))]
