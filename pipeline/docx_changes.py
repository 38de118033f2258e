"""The Request for Decision's "Changes from <previous year>" section: the comparison with last
year's plan (:mod:`pipeline.compare`) as text for the template, a row per line of either year
and each fund's totals. Changes are signed (``+£2,272.73``, ``-£19,400``, ``+10.0%``); an
amount for a year the line was not in the plan is ``–``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pipeline.comparison import (
    MOVED,
    STATUS_LABELS,
    Comparison,
    FundChange,
    signed_money,
    signed_percent,
)
from pipeline.docx_text import TextRow, clean
from pipeline.values import format_money

Context = dict[str, Any]

_STATUS = STATUS_LABELS
ABSENT = "–"  # the amount of a year the line was not in the plan


def _percent_change(previous: Decimal, current: Decimal) -> str:
    return signed_percent((current - previous) * 100 / previous if previous else None)


class ChangeRow(TextRow):
    """One line of a fund's changes table."""

    __slots__ = FIELDS = (
        "service",
        "organisation",
        "previous_budget",
        "budget",
        "change",
        "percent",
        "status",
    )

    def __init__(
        self,
        service: str,
        organisation: str,
        previous_budget: str,
        budget: str,
        change: str,
        percent: str,
        status: str,
    ):
        self.service, self.organisation = service, organisation
        self.previous_budget, self.budget = previous_budget, budget
        self.change, self.percent, self.status = change, percent, status


def _fund_change(fund: FundChange, public: Callable[[str], str]) -> Context:
    lines = []
    for change in fund.lines:  # a row per line of either year: the hot loop of the section
        line, previous, current = change.line, change.previous, change.current
        note = change.note
        note = clean(note) if note else ""
        status = _STATUS[change.status]
        lines.append(
            ChangeRow(
                service=public(line.service),
                organisation=public(line.organisation),
                previous_budget=format_money(previous.budget) if previous else ABSENT,
                budget=format_money(current.budget) if current else ABSENT,
                change=signed_money(change.change),
                percent=signed_percent(change.percent),
                status=f"{status} ({note})" if note else status,
            )
        )
    figures = [
        ("Total committed", fund.previous_committed, fund.committed),
        ("Allocation", fund.previous_allocation, fund.allocation),
    ]
    if fund.previous_moj or fund.moj:
        figures.append(("MoJ grant", fund.previous_moj, fund.moj))
    totals = [
        {
            "label": label,
            "previous": format_money(previous),
            "current": format_money(current),
            "change": signed_money(current - previous),
            "percent": _percent_change(previous, current),
        }
        for label, previous, current in figures
    ]
    return {"name": clean(fund.fund), "lines": lines, "totals": totals}


def comparison_context(comparison: Comparison | None) -> Context | None:
    """The "Changes from <previous year>" section's fields, or None without a comparison."""
    if comparison is None:
        return None
    cleaned: dict[str, str] = {}

    def public(text: str) -> str:
        """``clean(text)``, once for each name (a plan repeats its services and providers)."""
        found = cleaned.get(text)
        if found is None:
            found = cleaned[text] = clean(text)
        return found

    return {
        "previous_year": clean(comparison.previous_year),
        "previous_reference": clean(comparison.previous_reference),
        "moved_count": sum(c.status == MOVED for c in comparison.unmatched),
        "funds": [_fund_change(fund, public) for fund in comparison.funds],
        "ended": [
            {
                "fund": public(change.line.fund),
                "service": public(change.line.service),
                "organisation": public(change.line.organisation),
                "previous_budget": format_money(change.previous_budget),
            }
            for change in comparison.ended
        ],
    }
