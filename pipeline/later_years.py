"""A line whose dates run past the later years the commitments beyond the year can show.

The Request for Decision and the public summary show what the plan commits in each later
financial year, up to ``MAX_LATER_YEARS`` of them (a mistyped 2099 must not make 78 columns).
A line ending after the last of them was cut off there without a word; this says so, at the
line's End date, with the money left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from pipeline.commitments import MAX_LATER_YEARS, live_days, option_end
from pipeline.findings import Finding
from pipeline.model import Plan
from pipeline.values import PENNY, format_date, format_money


def beyond_later_years(plan: Plan) -> Iterator[Finding]:
    """W-LATER-YEARS: each line (or its extension options) running past the last later year
    shown, with what it commits after it, at its daily rate this year."""
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
            f"after {decision.year_label}: the commitments beyond the year show the years to "
            f"{last_shown} only, so {' and '.join(parts)} after {format_date(shown_to)} "
            f"{'are' if len(parts) > 1 else 'is'} left out of them. "
            "Check the date (a year typed wrongly?); if it is right, report the later years' "
            "commitment beside the plan.",
            line.at.sheet,
            line.at.cell("end" if line.end > shown_to else "extension_options"),
        )


def _money(amount: Decimal) -> str:
    return format_money(amount.quantize(PENNY, ROUND_HALF_UP))
