"""A line whose dates run past the later years the commitments beyond the year can show.

The Request for Decision and the public summary show what the plan commits in each later
financial year, up to ``MAX_LATER_YEARS`` of them (a mistyped 2099 must not make 78 columns).
A line ending after the last of them was cut off there without a word; this says so, at the
line's End date, with the money after them, and the published tables show it in a last column or
row of their own (:func:`after_shown`), so their totals are the plan's whole commitment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pipeline.commitments import (
    MAX_LATER_YEARS,
    ZERO,
    Commitments,
    LineCommitment,
    live_days,
    option_end,
)
from pipeline.findings import Finding
from pipeline.model import Plan
from pipeline.values import PENNY, format_date, format_money, normalise


def beyond_later_years(plan: Plan) -> Iterator[Finding]:
    """W-LATER-YEARS: each line (or its extension options) running past the last later year
    shown, with what it commits after it, at its yearly rate this year."""
    decision = plan.decision
    shown_to = decision.year_end.replace(year=decision.year_end.year + MAX_LATER_YEARS)
    last_shown = f"{shown_to.year - 1}/{str(shown_to.year)[-2:]}"
    for line in plan.lines:
        options = option_end(line)
        runs_to = max(line.end, options or line.end)
        this_year = live_days(line.start, line.end, decision.year_start, decision.year_end)
        if runs_to <= shown_to or this_year == 0:
            continue  # a line not running this year is W-INACTIVE, with no rate to carry
        rate = line.budget / this_year
        after = dt.timedelta(days=1)
        committed = rate * live_days(line.start, line.end, shown_to + after, line.end)
        optional = rate * live_days(line.end + after, runs_to, shown_to + after, runs_to)
        what = (
            f"ends {format_date(line.end, line.end_month_only)}"
            if line.end > shown_to
            else f"has extension options to {format_date(runs_to)}"
        )
        parts = [
            text
            for amount, text in (
                (committed, f"the {_money(committed)} it commits"),
                (optional, f"the {_money(optional)} its extension options would add"),
            )
            if amount > 0
        ]
        yield Finding(
            "W-LATER-YEARS",
            plan.file,
            f'"{line.service}" ({line.organisation}) {what}, more than {MAX_LATER_YEARS} years '
            f"after {decision.year_label}: the commitments beyond the year show each year to "
            f"{last_shown}, and {' and '.join(parts)} after {format_date(shown_to)} as one "
            f"sum, After {last_shown}. "
            "Check the date (a year typed wrongly?); if it is right, report the later years' "
            "commitment year by year beside the plan.",
            line.at.sheet,
            line.at.cell("end" if line.end > shown_to else "extension_options"),
        )


def _money(amount: Decimal) -> str:
    return format_money(amount.quantize(PENNY, ROUND_HALF_UP))


@dataclass(frozen=True)
class AfterShown:
    """What the lines commit after the last later year the tables show, per line of
    ``Commitments.lines`` (committed, extension options) and per fund of ``Commitments.funds``."""

    label: str  # "After 2031/32": a column or a row's financial year
    lines: tuple[tuple[Decimal, Decimal], ...]
    funds: tuple[tuple[Decimal, Decimal], ...]

    @property
    def committed(self) -> Decimal:
        return sum((c for c, _ in self.funds), ZERO)

    @property
    def options(self) -> Decimal:
        return sum((o for _, o in self.funds), ZERO)


def after_shown(later: Commitments) -> AfterShown | None:
    """What ``later``'s lines commit after its last year, when it shows ``MAX_LATER_YEARS``
    of them and a line runs past (a contract to 2040, a year typed wrongly): the reader is
    shown it rather than a total short of it. None when nothing runs past."""
    if len(later.years) < MAX_LATER_YEARS:
        return None
    shown_to = later.years[-1].end
    lines = tuple(_after(item, shown_to) for item in later.lines)
    if not any(c or o for c, o in lines):
        return None
    by_fund: dict[str, tuple[Decimal, Decimal]] = {}
    for item, (committed, options) in zip(later.lines, lines, strict=True):
        was = by_fund.get(item.line.fund_key, (ZERO, ZERO))
        by_fund[item.line.fund_key] = (was[0] + committed, was[1] + options)
    funds = tuple(by_fund.get(normalise(f.fund), (ZERO, ZERO)) for f in later.funds)
    return AfterShown(f"After {later.years[-1].label}", lines, funds)


def _after(item: LineCommitment, shown_to: dt.date) -> tuple[Decimal, Decimal]:
    line, after = item.line, dt.timedelta(days=1)
    committed = live_days(line.start, line.end, shown_to + after, line.end)
    ends = item.option_end
    optional = live_days(line.end + after, ends, shown_to + after, ends) if ends else 0
    return (
        (item.daily_rate * committed).quantize(PENNY, ROUND_HALF_UP),
        (item.daily_rate * optional).quantize(PENNY, ROUND_HALF_UP),
    )
