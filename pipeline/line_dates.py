"""W-INACTIVE: the service lines that do not run at all inside the plan's financial year.

When most lines run outside it, the year is more likely wrong than the lines: one warning at
the Decision sheet's Financial year says so, rather than one per line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from pipeline.findings import Finding, row_ranges
from pipeline.model import Plan, ServiceLine
from pipeline.values import format_date, format_money


def inactive_lines(plan: Plan) -> Iterator[Finding]:
    """W-INACTIVE per line running entirely outside the financial year, or one for them all
    at the Financial year when they are most of the plan's lines."""
    decision = plan.decision
    outside = [
        line
        for line in plan.lines
        if line.start <= line.end  # else E-DATES already asks for the dates to be corrected
        and (line.end < decision.year_start or line.start > decision.year_end)
    ]
    if len(outside) > 1 and 2 * len(outside) > len(plan.lines):
        yield _year_mistaken(plan, outside)
        return
    for line in outside:
        key = "end" if line.end < decision.year_start else "start"
        yield Finding(
            "W-INACTIVE",
            plan.file,
            f'"{line.service}" ({format_money(line.budget)}) runs '
            f"{format_date(line.start, line.start_month_only)}–"
            f"{format_date(line.end, line.end_month_only)}, entirely outside "
            f"{decision.year_label} ({format_date(decision.year_start)}–"
            f"{format_date(decision.year_end)}); check its dates or remove it "
            "from this year's plan.",
            line.at.sheet,
            line.at.cell(key),
        )


def _year_mistaken(plan: Plan, outside: list[ServiceLine]) -> Finding:
    """One W-INACTIVE at the Financial year when most lines run outside it: last year's
    workbook with its Financial year changed and its lines not (or the reverse), said once
    rather than once per line."""
    decision = plan.decision
    # The financial year most of those lines run in (by the day each ends, or starts if
    # it starts after this year), as what the plan's dates say.
    years = Counter(
        (day.year if day.month > 3 else day.year - 1)
        for day in (ln.end if ln.end < decision.year_start else ln.start for ln in outside)
    )
    first = years.most_common(1)[0][0]
    rows = row_ranges(ln.at.row for ln in outside)
    return Finding(
        "W-INACTIVE",
        plan.file,
        f"{len(outside)} of the {len(plan.lines)} lines ({outside[0].at.sheet} rows {rows}) run "
        f"entirely outside {decision.year_label} ({format_date(decision.year_start)}–"
        f"{format_date(decision.year_end)}), most of them in {first}/{str(first + 1)[-2:]}. "
        "Check the Financial year on the Decision sheet, and the lines' dates: a plan is "
        "for the year its lines run in.",
        decision.at.sheet,
        decision.at.cell("financial_year"),
    )
