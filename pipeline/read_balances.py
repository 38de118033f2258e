"""Balance rows typed on the Services sheet: "Unallocated", "Balance remaining", "Uncommitted"
with a figure, as finance teams show under a fund's lines what it has left.

Such a row is not a budget line (it was an error per empty cell: "Service is blank", "Start
date is blank", ...). Its figure is checked against the fund's allocation less its lines, as a
Total row's is against the lines it closes: a stale balance is an ``E-TOTAL``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pipeline.model import Fund, ServiceLine
from pipeline.read_cells import CellReader, Layout
from pipeline.values import clean_text, format_money, is_blank, normalise, parse_money

# The words that say "what is left", not "what is spent"; never "contingency" or "reserve",
# which plans commit as lines of their own.
_BALANCE = re.compile(
    r"\b(?:un-?allocated|un-?committed|unspent|balance|remaining|headroom"
    r"|(?:left|still|yet) to (?:be )?(?:allocated?|committed?)"
    r"|not yet (?:allocated|committed))\b",
    re.IGNORECASE,
)
# What a budget line always has and a balance row never does.
_LINE_KEYS = ("organisation", "start", "end", "mechanism")


@dataclass(frozen=True)
class BalanceRow:
    label: str
    amount: Decimal
    fund: str  # the fund's key (normalised name); "" when the row does not say
    cell: str


def balance_label(cells_of: CellReader, r: int, layout: Layout) -> str | None:
    """The label of a balance row ("Unallocated" in the Fund or Service column, a figure in
    the budget column, nothing of a line), or None."""
    sheet = cells_of.sheet
    columns = layout.columns
    if is_blank(sheet.value(r, columns["budget"])) and (r, columns["budget"]) not in sheet.uncached:
        return None
    if not all(is_blank(sheet.value(r, columns[key])) for key in _LINE_KEYS):
        return None
    for key in ("fund", "service"):
        text = clean_text(sheet.value(r, columns[key]))
        if text and len(text) <= 80 and _BALANCE.search(text):
            return text
    return None


def read_balance(
    cells_of: CellReader,
    r: int,
    layout: Layout,
    label: str,
    names: Mapping[str, str],
    last_fund: str,
) -> BalanceRow | None:
    """The balance row ``r``; its fund is the one its Fund column or label names, else that of
    the lines above it. None (after an E-VALUE) when its figure cannot be read."""
    amount = cells_of.parse(r, layout.columns["budget"], "budget", parse_money)
    if amount is None:
        return None
    fund = normalise(cells_of.sheet.value(r, layout.columns["fund"]))
    if fund not in names:
        named = normalise(label)
        fund = next((key for key in names if key in named), normalise(last_fund))
    return BalanceRow(label, amount, fund, layout.ref("budget", r))


def check_balances(
    cells_of: CellReader,
    balances: Sequence[BalanceRow],
    lines: Sequence[ServiceLine],
    funds: Sequence[Fund],
) -> None:
    """Each balance row against its fund's allocation less the fund's lines."""
    by_key = {fund.key: fund for fund in funds}
    for row in balances:
        fund = by_key.get(row.fund)
        if fund is None:
            cells_of.add(
                "I-NOTE-ROW",
                f'The "{row.label}" row ({format_money(row.amount)}) was read as a balance, '
                "not a budget line, but follows no line and names no fund of the Funds "
                "sheet, so it is not checked; put it under its fund's lines.",
                row.cell,
            )
            continue
        committed = sum((ln.budget for ln in lines if ln.fund_key == fund.key), Decimal(0))
        left = fund.allocation - committed
        if row.amount != left:
            cells_of.add(
                "E-TOTAL",
                f'The "{row.label}" row reads {format_money(row.amount)}, but '
                f"{fund.name}'s allocation of {format_money(fund.allocation)} less its lines "
                f"({format_money(committed)}) leaves {format_money(left)} uncommitted. "
                "Correct the figure (or its formula), or the lines or the allocation.",
                row.cell,
            )
