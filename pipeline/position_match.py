"""Payments matched to the plan's lines, by the documented rule, nothing guessed.

1. the payment's cost centre / cost code = a line's ``Cost code`` (case and spaces ignored, and
   a code of digits alone without its leading zeros); where several lines share the code (one
   cost centre for a fund), those of them whose delivery organisation is the supplier (as in
   2), when there are any;
2. else the supplier = the line's delivery organisation, normalised as year on year does (case,
   punctuation, "&" = "and", and only the abbreviations of the settings' alias table),
   without the points of initials (N.W.C.H.), a "The" before it or a legal form at the end
   (Ltd, Limited, PLC, LLP, CIC, CIO), and only where that organisation has exactly one line
   in the plan;
3. a supplier with several candidate lines is ambiguous (its payments count to the fund when
   every candidate is in one fund, else to nothing); no candidate is unmatched.

The rule is decided once per distinct (cost code, supplier) pair, then joined to the rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipeline.compare import match_key
from pipeline.model import Plan
from pipeline.values import normalise

if TYPE_CHECKING:
    import pandas as pd


def _code_key(cost_code: str) -> str:
    """A cost code folded for matching: case and spaces ignored, and a code of digits alone
    without its leading zeros (Excel drops them: 00412 on Services is 412 in a saved ledger)
    or a point and zeros after it (412.0, a number written out by a report tool)."""
    code = normalise(cost_code)
    whole, point, fraction = code.partition(".")
    if whole.isdigit() and (not point or fraction.strip("0") == ""):  # 412.0 from a number
        return whole.lstrip("0") or "0"
    return code


# Initials written with points (N.W.C.H., L.P.F.T.), as a supplier master often has them.
_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}")


def _name_key(name: str, aliases: Mapping[str, str]) -> str:
    """A supplier or delivery organisation without the points of its initials (N.W.C.H. is
    NWCH), then folded as year on year does (:func:`pipeline.compare.match_key`: a "The"
    before it and a legal form at its end, Ltd, Limited, PLC, LLP, CIC, CIO, left out; the
    supplier master has "Crimestoppers Ltd" where the plan has "Crimestoppers"). Folded on
    both sides: two lines whose organisations differ only by these are both candidates,
    never one guessed."""
    return match_key(_DOTTED.sub(lambda m: m.group(0).replace(".", ""), name), aliases)


class _Matcher:
    """The match rule over a plan's lines, one decision per (cost code, supplier) pair."""

    def __init__(self, plan: Plan, aliases: Mapping[str, str]):
        self.aliases = aliases
        # A whole force's ledger pairs each supplier with many cost centres: each name and
        # code is folded once, not once per pair (90,000 pairs of 3,000 suppliers).
        self.names: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        self.by_code: dict[str, list[int]] = {}
        self.by_org: dict[str, list[int]] = {}
        for index, line in enumerate(plan.lines):
            if line.cost_code.strip():
                self.by_code.setdefault(_code_key(line.cost_code), []).append(index)
            self.by_org.setdefault(_name_key(line.organisation, aliases), []).append(index)

    def candidates(self, cost_code: str, supplier: str) -> tuple[int, ...]:
        code = self.codes.get(cost_code)
        if code is None:
            code = self.codes[cost_code] = _code_key(cost_code)
        by_name = self.by_org.get(self._name(supplier), [])
        if code and code in self.by_code:
            lines = self.by_code[code]
            # One cost centre for several lines (a fund's, as many an office keeps): those of
            # them the supplier delivers, when it delivers any.
            return tuple([i for i in lines if i in by_name] or lines)
        return tuple(by_name)

    def _name(self, supplier: str) -> str:
        name = self.names.get(supplier)
        if name is None:
            name = self.names[supplier] = _name_key(supplier, self.aliases)
        return name


def match_payments(plan: Plan, payments: pd.DataFrame, aliases: Mapping[str, str]) -> pd.DataFrame:
    """``payments`` with three columns more: ``candidates`` (the indexes of the lines each
    could be), ``line`` (the one line it is, else -1) and ``fund_key`` (the one fund all its
    candidates are in, else "")."""
    import pandas as pd

    matcher = _Matcher(plan, aliases)
    pairs = payments[["cost_code", "supplier"]].drop_duplicates()
    pairs["candidates"] = [
        matcher.candidates(code, supplier)
        for code, supplier in pairs.itertuples(index=False, name=None)
    ]
    pairs["line"] = pd.Series(
        [c[0] if len(c) == 1 else -1 for c in pairs["candidates"]], dtype="int64", index=pairs.index
    )
    fund_keys = [ln.fund_key for ln in plan.lines]
    pairs["fund_key"] = pd.Series(
        [
            fund_keys[c[0]] if c and len({fund_keys[i] for i in c}) == 1 else ""
            for c in pairs["candidates"]
        ],
        dtype=object,
        index=pairs.index,
    )
    return payments.merge(pairs, on=["cost_code", "supplier"], how="left")
