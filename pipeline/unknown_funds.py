"""E-FUND: the service lines and funding sources that name a fund the Funds sheet does not have.

The lines naming one unknown fund are one finding naming their rows: a fund renamed on the
Funds sheet (or typed differently on a tab of lines) is one correction, and fourteen errors
saying the same thing for fourteen rows buried the rest of the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pipeline.findings import Finding, row_ranges
from pipeline.model import Plan, ServiceLine
from pipeline.values import format_money, show_invisible


def unknown_funds(plan: Plan) -> Iterator[Finding]:
    """E-FUND per fund name not on the Funds sheet: one for its lines (naming their rows when
    there are several), one for each funding source naming it."""
    known = ", ".join(f'"{f.name}"' for f in plan.funds)
    keys = {f.key for f in plan.funds}  # what plan.fund() matches, without a scan per line
    by_name: dict[str, list[ServiceLine]] = {}
    for line in plan.lines:
        if line.fund_key not in keys:
            by_name.setdefault(line.fund_key, []).append(line)
    for lines in by_name.values():
        first = lines[0]
        fund = show_invisible(first.fund)
        fix = f"correct the fund name{_meant(plan, first.fund)} or add the fund."
        cell = first.at.cell("fund")
        if len(lines) == 1:
            message = (
                f'"{first.service}" ({format_money(first.budget)}) names the fund "{fund}", '
                f"which is not on the Funds sheet (funds: {known}), so it counts towards no "
                f"fund; {fix}"
            )
        else:
            # The Fund cells from the first such line to the last (the rows are listed); one
            # cell where their fund is a heading above them (fund_bands).
            last = lines[-1].at.cell("fund")
            cell = f"{cell}:{last}" if last != cell else cell
            total = sum((line.budget for line in lines), Decimal(0))
            message = (
                f"{len(lines)} lines ({format_money(total)} in all, {first.at.sheet} rows "
                f'{row_ranges(line.at.row for line in lines)}) name the fund "{fund}", which '
                f"is not on the Funds sheet (funds: {known}), so they count towards no fund; "
                + fix.replace(
                    "the fund name",
                    "the fund name on each" if ":" in cell else "the fund name in their heading",
                )
            )
        yield Finding("E-FUND", plan.file, message, first.at.sheet, cell)
    for source in plan.sources:
        if plan.fund(source.fund) is None:
            yield Finding(
                "E-FUND",
                plan.file,
                f'Funding source "{source.source}" ({format_money(source.amount)}) '
                f'names the fund "{show_invisible(source.fund)}", which is not on the Funds sheet '
                f"(funds: {known}); correct the fund name{_meant(plan, source.fund)} or add the "
                "fund.",
                source.at.sheet,
                source.at.cell("fund"),
            )


def _meant(plan: Plan, name: str) -> str:
    """' (to "Community Safety Fund", if "CSF" means it)': the fund a name plainly means."""
    fund = plan.fund_meant(name)
    return f' (to "{fund.name}", if "{show_invisible(name)}" means it)' if fund else ""
