"""Last year's plan as the year-on-year comparison reads it, and its codec for the cache.

The comparison needs little of last year's plan: each line's fund, service, delivery
organisation and budget (and the cell of its service, which I-ENDED-SERVICE points at), each
fund's allocation, committed total and MoJ grant, and the decision's police area, year,
reference and date. :class:`LastYear` holds just that, built from a checked reconciliation
(:meth:`LastYear.of`) or decoded from the per-user cache (:mod:`pipeline.cache`), so a build
whose last year's plan has not changed skips reading and checking it again.

Why this and not the whole reconciliation: the workbook never changes during the year, but
reading and checking a 10,000-line plan takes about 0.7 s, and a codec of every field of every
line (dates, cells, sources, the rules' findings) would take a third of that to decode and
must follow every change to the model. This value is a few fields a line: decoding it takes
a few tens of milliseconds, and a change to the model cannot make the codec silently wrong.
A comparison is always made from this value, from a fresh read as from the cache, so the two
give equal comparisons by construction (``tests/test_last_year.py`` checks it).

The codec is JSON of strings and integers only (money as the exact decimal text, dates as
ISO text): data, never code. Anything unexpected in an entry raises :class:`ValueError`, which
the caller takes as a miss.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pipeline.figures import ZERO, FundReconciliation, Reconciliation
from pipeline.model import Located, ServiceLine
from pipeline.values import normalise

FORMAT = 2  # the layout of an encoded entry: change it when the codec changes


@dataclass(frozen=True)
class PriorLine:
    """One budget line of last year's plan, as the comparison and the reports show it."""

    fund: str  # the fund's name as written
    fund_key: str  # the fund's name normalised, as ServiceLine.fund_key
    service: str
    organisation: str
    budget: Decimal
    at: Located  # its sheet and row, and the cell of its service

    @classmethod
    def of(cls, line: ServiceLine) -> PriorLine:
        at = Located(line.at.sheet, line.at.row, {"service": line.at.cell("service")})
        return cls(line.fund, line.fund_key, line.service, line.organisation, line.budget, at)


@dataclass(frozen=True)
class FundTotals:
    """One fund's figures, as the comparison sets them against the other year's."""

    key: str  # the fund's name normalised
    name: str
    allocation: Decimal
    committed: Decimal
    moj: Decimal  # the fund's MoJ grants

    @classmethod
    def of(cls, rec: FundReconciliation) -> FundTotals:
        moj = sum((s.amount for s in rec.moj_sources), ZERO)
        return cls(rec.fund.key, rec.fund.name, rec.allocation, rec.committed, moj)


@dataclass(frozen=True)
class PriorDecision:
    """What identifies last year's plan: its police area, year, decision reference and date
    (of two plans for one year, the later decision is last year's plan: ``pipeline.previous``)."""

    police_area: str
    reference: str
    year_start: dt.date
    year_label: str  # 2020/21
    date: dt.date


@dataclass(frozen=True)
class LastYear:
    """Last year's plan, checked (no errors), as the comparison reads it."""

    file: str  # how messages name the workbook
    decision: PriorDecision
    funds: tuple[FundTotals, ...]
    lines: tuple[PriorLine, ...]

    @classmethod
    def of(cls, recon: Reconciliation) -> LastYear:
        decision = recon.decision
        return cls(
            recon.plan.file,
            PriorDecision(
                decision.police_area,
                decision.reference,
                decision.year_start,
                decision.year_label,
                decision.date,
            ),
            tuple(FundTotals.of(f) for f in recon.funds),
            tuple(PriorLine.of(line) for line in recon.plan.lines),
        )


# -- the codec ---------------------------------------------------------------------------------


def encode(last: LastYear) -> bytes:
    """``last`` as a cache entry (JSON; the file name is left out: it is where it is read)."""
    sheets: dict[str, int] = {}
    lines = [
        [
            line.fund,
            line.service,
            line.organisation,
            str(line.budget),
            sheets.setdefault(line.at.sheet, len(sheets)),
            line.at.row,
            line.at.cell("service"),
        ]
        for line in last.lines
    ]
    decision = last.decision
    data = {
        "format": FORMAT,
        "decision": [
            decision.police_area,
            decision.reference,
            decision.year_start.isoformat(),
            decision.year_label,
            decision.date.isoformat(),
        ],
        "funds": [
            [f.key, f.name, str(f.allocation), str(f.committed), str(f.moj)] for f in last.funds
        ],
        "sheets": list(sheets),
        "lines": lines,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(data: bytes, file: str) -> LastYear:
    """The :class:`LastYear` of an entry :func:`encode` wrote, named ``file``.

    Raises ValueError for anything but such an entry (another format, a wrong type, money
    that is not a finite amount): the caller reads the workbook instead."""
    try:
        entry = json.loads(data.decode("utf-8"))
        if not isinstance(entry, dict) or entry.get("format") != FORMAT:
            raise ValueError("not an entry of this format")
        area, reference, start, label, date = _texts(entry["decision"], 5)
        decision = PriorDecision(
            area, reference, dt.date.fromisoformat(start), label, dt.date.fromisoformat(date)
        )
        funds = tuple(
            FundTotals(key, name, _money(allocation), _money(committed), _money(moj))
            for key, name, allocation, committed, moj in (_texts(f, 5) for f in entry["funds"])
        )
        sheets = _texts(entry["sheets"], None)
        return LastYear(file, decision, funds, tuple(_lines(entry["lines"], sheets)))
    except (KeyError, IndexError, TypeError, ArithmeticError) as error:
        raise ValueError(f"not a usable entry ({type(error).__name__})") from error


def _lines(rows: object, sheets: list[str]) -> Iterable[PriorLine]:
    if not isinstance(rows, list):
        raise ValueError("lines are not a list")
    keys: dict[str, str] = {}  # each fund's key, normalised once (a fund has many lines)
    for fund, service, organisation, budget, sheet, row, cell in rows:
        if not (
            type(fund) is str
            and type(service) is str
            and type(organisation) is str
            and type(budget) is str
            and type(row) is int
            and type(cell) is str
            and type(sheet) is int
            and sheet >= 0
        ):
            raise ValueError("a line has a value of the wrong type")
        key = keys.get(fund)
        if key is None:
            key = keys[fund] = normalise(fund)
        at = Located(sheets[sheet], row, {"service": cell})
        yield PriorLine(fund, key, service, organisation, _money(budget), at)


def _texts(values: object, count: int | None) -> list[str]:
    if not isinstance(values, list) or (count is not None and len(values) != count):
        raise ValueError("not a list of the expected length")
    if not all(type(v) is str for v in values):
        raise ValueError("not a list of texts")
    return values


def _money(text: str) -> Decimal:
    amount = Decimal(text)
    if not amount.is_finite():
        raise ValueError("an amount is not a finite number")
    return amount
