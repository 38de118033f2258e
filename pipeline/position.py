"""The in-year position: ledger payments matched to the plan's lines, spent and forecast.

Match rule (documented in the README, "Monitoring spend"), nothing guessed:

1. the payment's cost centre / cost code = a line's ``Cost code`` (case and spaces ignored);
2. else the supplier = the line's delivery organisation, normalised as year on year does (case,
   punctuation, "&" = "and", and only the abbreviations of the settings' alias table), and only
   where that organisation has exactly one line in the plan;
3. a supplier with several candidate lines is ``W-SPEND-AMBIGUOUS`` (its payments count to the
   fund when every candidate is in one fund, else to nothing); no candidate is
   ``W-SPEND-UNMATCHED``.

The forecast outturn of a line is a straight line by days: spent ÷ its live days in the year up
to the as-at date × its live days in the whole year; a line with no payment yet, or not yet
started, forecasts its budget. Ring-fenced money is spent first, as in the reconciliation.

The join and the group-bys run in pandas over integer pence (see ``pipeline.ledger``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from pipeline.commitments import add_months, live_days
from pipeline.compare import match_key
from pipeline.findings import Finding
from pipeline.ledger import is_redacted, pounds
from pipeline.model import Fund, FundingSource, Plan, ServiceLine
from pipeline.values import PENNY, format_date, format_money, normalise

if TYPE_CHECKING:
    import pandas as pd

ZERO = Decimal("0.00")
NO_SPEND_MONTHS = 3
MAX_ROWS_NAMED = 12  # rows named in one W-SPEND-AMBIGUOUS message before "and N more"
UNMATCHED, AMBIGUOUS = "unmatched", "ambiguous"


@dataclass(frozen=True)
class LinePosition:
    line: ServiceLine
    spent: Decimal
    payments: int
    forecast: Decimal
    days_to_date: int  # live days in the year up to the as-at date
    days_in_year: int  # live days in the whole financial year

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
    fund: Fund
    lines: tuple[LinePosition, ...]
    unassigned: Decimal  # payments that could be any of several of this fund's lines
    streams: tuple[StreamPosition, ...]

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
        # Payments not yet assigned to a line belong to lines still forecast at budget, so
        # they are not added twice; the forecast is never below what is already spent.
        return max(sum((p.forecast for p in self.lines), ZERO), self.spent)

    @property
    def at_risk(self) -> Decimal:
        """Allocation forecast to be left unspent at year end."""
        return max(self.allocation - self.forecast, ZERO)


@dataclass(frozen=True)
class PaymentToCheck:
    """A payment counted to no line: unmatched, or ambiguous between candidate lines."""

    status: str  # unmatched | ambiguous
    file: str
    sheet: str
    cell: str
    date: dt.date
    supplier: str
    amount: Decimal
    reference: str
    cost_code: str
    candidates: str  # the candidate lines, for an ambiguous payment
    fund: str  # the one fund it counts to, if any
    payments: int = 1  # ambiguous payments are listed per supplier: how many, dated up to date


@dataclass(frozen=True)
class Position:
    plan: Plan
    as_at: dt.date
    funds: tuple[FundPosition, ...]
    to_check: tuple[PaymentToCheck, ...]
    findings: tuple[Finding, ...]
    payments: int  # counted in this position (in the year, up to the as-at date)
    matched: frozenset[tuple[str, int]]  # (file, row) of payments matched to a line

    @property
    def lines(self) -> tuple[LinePosition, ...]:
        return tuple(p for f in self.funds for p in f.lines)

    @property
    def spent(self) -> Decimal:
        return sum((f.spent for f in self.funds), ZERO)

    @property
    def streams(self) -> tuple[StreamPosition, ...]:
        return tuple(s for f in self.funds for s in f.streams)


def _line_name(line: ServiceLine) -> str:
    return f"Services row {line.at.row} ({line.service}, {line.organisation}, {line.fund})"


class _Matcher:
    """The match rule over a plan's lines, one decision per (cost code, supplier) pair."""

    def __init__(self, plan: Plan, aliases: Mapping[str, str]):
        self.aliases = aliases
        self.by_code: dict[str, list[int]] = {}
        self.by_org: dict[str, list[int]] = {}
        for index, line in enumerate(plan.lines):
            if line.cost_code.strip():
                self.by_code.setdefault(normalise(line.cost_code), []).append(index)
            self.by_org.setdefault(match_key(line.organisation, aliases), []).append(index)

    def candidates(self, cost_code: str, supplier: str) -> tuple[int, ...]:
        code = normalise(cost_code)
        if code and code in self.by_code:
            return tuple(self.by_code[code])
        return tuple(self.by_org.get(match_key(supplier, self.aliases), ()))


def build_position(
    plan: Plan,
    payments: pd.DataFrame,
    aliases: Mapping[str, str] | None = None,
    as_at: dt.date | None = None,
) -> Position | None:
    """The plan's position from the payments in its financial year; None if there are none."""
    import pandas as pd

    decision = plan.decision
    findings: list[Finding] = []
    dates = payments["date"]
    in_year = (dates >= pd.Timestamp(decision.year_start)) & (
        dates <= pd.Timestamp(decision.year_end)
    )
    findings.extend(_out_of_year(plan, payments[~in_year]))
    current = payments[in_year]
    if current.empty:
        return None
    as_at = as_at or current["date"].max().date()
    current = current[current["date"] <= pd.Timestamp(as_at)]
    findings.extend(_duplicates(current))

    matcher = _Matcher(plan, aliases or {})
    pairs = current[["cost_code", "supplier"]].drop_duplicates()
    pairs["candidates"] = [
        matcher.candidates(code, supplier)
        for code, supplier in pairs.itertuples(index=False, name=None)
    ]
    # The rule is decided per distinct (cost code, supplier) pair, then joined to the rows.
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
    current = current.merge(pairs, on=["cost_code", "supplier"], how="left")

    matched = current[current["line"] >= 0]
    spent = matched.groupby("line")["amount"].sum()
    counts = matched.groupby("line")["amount"].size()
    loose = current[(current["line"] < 0) & (current["fund_key"] != "")]
    unassigned = loose.groupby("fund_key")["amount"].sum()
    # A line that an ambiguous payment could belong to may well be paid: no I-NO-SPEND for it.
    ambiguous_lines = {i for c in current.loc[current["line"] < 0, "candidates"] for i in c}

    positions = [
        _line_position(
            line,
            pounds(int(spent.get(index, 0))),
            int(counts.get(index, 0)),
            decision.year_start,
            decision.year_end,
            as_at,
        )
        for index, line in enumerate(plan.lines)
    ]
    funds = []
    for fund in plan.funds:
        lines = tuple(p for p in positions if p.line.fund_key == fund.key)
        extra = pounds(int(unassigned.get(fund.key, 0)))
        spent_total = sum((p.spent for p in lines), ZERO) + extra
        forecast = max(sum((p.forecast for p in lines), ZERO), spent_total)
        funds.append(
            FundPosition(fund, lines, extra, _streams(plan.sources_of(fund), spent_total, forecast))
        )

    findings.extend(_ambiguous(plan, current[current["line"] < 0]))
    to_check = _to_check(plan, current[current["line"] < 0])
    findings.extend(
        Finding(
            "W-SPEND-UNMATCHED",
            p.file,
            _unmatched_message(p),
            p.sheet,
            p.cell,
        )
        for p in to_check
        if p.status == UNMATCHED
    )
    findings.extend(_position_findings(plan, funds, as_at, ambiguous_lines))
    return Position(
        plan,
        as_at,
        tuple(funds),
        tuple(to_check),
        tuple(findings),
        len(current),
        frozenset(zip(matched["file"], matched["row"], strict=True)),
    )


def _line_position(
    line: ServiceLine,
    spent: Decimal,
    payments: int,
    year_start: dt.date,
    year_end: dt.date,
    as_at: dt.date,
) -> LinePosition:
    whole = live_days(line.start, line.end, year_start, year_end)
    to_date = live_days(line.start, line.end, year_start, min(as_at, year_end))
    if payments == 0 or to_date == 0:
        forecast = line.budget
    else:
        forecast = (spent * whole / to_date).quantize(PENNY, ROUND_HALF_UP)
    return LinePosition(line, spent, payments, forecast, to_date, whole)


def _streams(
    sources: Sequence[FundingSource], spent: Decimal, forecast: Decimal
) -> tuple[StreamPosition, ...]:
    """Ring-fenced sources take the fund's spend first, in the order listed."""
    streams = []
    spent_left, forecast_left = spent, forecast
    for source in sources:
        if not source.ring_fenced:
            continue
        used = min(source.amount, max(spent_left, ZERO))
        expected = min(source.amount, max(forecast_left, ZERO))
        streams.append(StreamPosition(source, used, expected))
        spent_left -= used
        forecast_left -= expected
    return tuple(streams)


def _out_of_year(plan: Plan, outside: pd.DataFrame) -> list[Finding]:
    label = plan.decision.year_label
    notes = []
    for (file, sheet), rows in outside.groupby(["file", "sheet"], sort=False):
        first, last = min(rows["date"]).date(), max(rows["date"]).date()
        notes.append(
            Finding(
                "I-SPEND-OUT-OF-YEAR",
                str(file),
                f"{len(rows)} payment(s) of {format_money(pounds(int(rows['amount'].sum())))} "
                f"dated {format_date(first)} to {format_date(last)} fall outside {label} "
                f"(decision {plan.decision.reference}) and are not counted in its position",
                str(sheet),
            )
        )
    return notes


@dataclass(frozen=True)
class _Row:
    """One payment row of the table, typed, for the few rows that become findings."""

    file: str
    sheet: str
    cell: str
    date: dt.date
    supplier: str
    amount: int  # pence
    reference: str
    cost_code: str
    expense_type: str
    candidates: tuple[int, ...]
    fund_key: str


def _records(frame: pd.DataFrame) -> list[_Row]:
    matched = "candidates" in frame.columns
    count = len(frame)
    columns = zip(
        frame["file"].tolist(),
        frame["sheet"].tolist(),
        frame["cell"].tolist(),
        frame["date"].dt.date.tolist(),
        frame["supplier"].tolist(),
        frame["amount"].tolist(),
        frame["reference"].tolist(),
        frame["cost_code"].tolist(),
        frame["expense_type"].tolist(),
        frame["candidates"].tolist() if matched else [()] * count,
        frame["fund_key"].tolist() if matched else [""] * count,
        strict=True,
    )
    return [
        _Row(str(f), str(s), str(c), d, str(p), int(a), str(r), str(k), str(e), tuple(n), str(u))
        for f, s, c, d, p, a, r, k, e, n, u in columns
    ]


def _duplicates(current: pd.DataFrame) -> list[Finding]:
    """W-SPEND-DUPLICATE at the second of two payments with one reference, supplier, date and
    amount. Split lines of one invoice differ in amount or expense type and are normal."""
    keyed = current[current["reference"] != ""]
    columns = ["reference", "supplier", "date", "amount", "expense_type"]
    repeat = keyed.duplicated(subset=columns, keep=False)
    if not repeat.any():
        return []
    first: dict[tuple[str, str, dt.date, int, str], _Row] = {}
    found = []
    for row in _records(keyed[repeat]):
        key = (row.reference, row.supplier, row.date, row.amount, row.expense_type)
        original = first.setdefault(key, row)
        if original is row:
            continue
        found.append(
            Finding(
                "W-SPEND-DUPLICATE",
                row.file,
                f"The payment {row.reference} of {format_money(pounds(row.amount))} to "
                f"{row.supplier} on {format_date(row.date)} repeats the one at "
                f"{original.sheet} {original.cell}. Both are counted: if it was entered "
                "or exported twice, remove one copy",
                row.sheet,
                row.cell,
            )
        )
    return found


def _ambiguous(plan: Plan, loose: pd.DataFrame) -> list[Finding]:
    """One W-SPEND-AMBIGUOUS per supplier, naming its rows and the candidate lines."""
    found = []
    ambiguous = loose[loose["candidates"].map(len) > 1]
    for supplier, rows in ambiguous.groupby("supplier", sort=False):
        candidates = sorted({i for c in rows["candidates"] for i in c})
        lines = [plan.lines[i] for i in candidates]
        places = [f"{s} {c}" for s, c in zip(rows["sheet"], rows["cell"], strict=True)]
        named = "; ".join(places[:MAX_ROWS_NAMED])
        if len(places) > MAX_ROWS_NAMED:
            named += f" and {len(places) - MAX_ROWS_NAMED} more"
        funds = {ln.fund_key for ln in lines}
        counted = (
            f"They count to the {lines[0].fund}'s spend but to no line"
            if len(funds) == 1
            else "They are counted to no fund or line, as the lines are in different funds"
        )
        found.append(
            Finding(
                "W-SPEND-AMBIGUOUS",
                str(rows["file"].iloc[0]),
                f"{len(rows)} payment(s) of {format_money(pounds(int(rows['amount'].sum())))} "
                f"to {supplier} could be any of its lines: "
                f"{'; '.join(_line_name(ln) for ln in lines)}. Rows: {named}. {counted}. "
                "Give these lines a Cost code on Services and export the ledger with its cost "
                "centre",
                str(rows["sheet"].iloc[0]),
                str(rows["cell"].iloc[0]),
            )
        )
    return found


def _to_check(plan: Plan, loose: pd.DataFrame) -> list[PaymentToCheck]:
    """Each unmatched payment, and the ambiguous ones one entry per supplier (as their
    finding): a supplier paid weekly is one decision to make, not fifty-two."""
    ambiguous = loose["candidates"].map(len) > 1
    listed = [
        PaymentToCheck(
            UNMATCHED,
            row.file,
            row.sheet,
            row.cell,
            row.date,
            row.supplier,
            pounds(row.amount),
            row.reference,
            row.cost_code,
            "",
            "",
        )
        for row in _records(loose[~ambiguous])
    ]
    for supplier, rows in loose[ambiguous].groupby("supplier", sort=False):
        candidates = sorted({i for c in rows["candidates"] for i in c})
        funds = {plan.lines[i].fund_key for i in candidates}
        listed.append(
            PaymentToCheck(
                AMBIGUOUS,
                str(rows["file"].iloc[0]),
                str(rows["sheet"].iloc[0]),
                str(rows["cell"].iloc[0]),
                rows["date"].max().date(),
                str(supplier),
                pounds(int(rows["amount"].sum())),
                "",
                "",
                "; ".join(f"{plan.lines[i].service} ({plan.lines[i].fund})" for i in candidates),
                plan.lines[candidates[0]].fund if len(funds) == 1 else "",
                len(rows),
            )
        )
    return listed


def _unmatched_message(payment: PaymentToCheck) -> str:
    amount = format_money(payment.amount)
    if is_redacted(payment.supplier):
        return (
            f"The payment of {amount} on {format_date(payment.date)} has its supplier redacted "
            f'("{payment.supplier}"), so it matches no line and is not counted. Give the ledger '
            "row a cost code that is on Services, or record the payment against its line by hand"
        )
    code = f" with cost code {payment.cost_code}" if payment.cost_code else ""
    return (
        f"The payment of {amount} to {payment.supplier}{code} on {format_date(payment.date)} "
        "matches no line (no line has that cost code or that delivery organisation) and is not "
        "counted. If it belongs to a line, add the name to [tool.pcc-report.aliases] or give "
        "the line a Cost code"
    )


def _position_findings(
    plan: Plan, funds: Sequence[FundPosition], as_at: dt.date, ambiguous_lines: set[int]
) -> list[Finding]:
    found = []
    when = format_date(as_at)
    indexes = {id(line): i for i, line in enumerate(plan.lines)}
    for fund in funds:
        for position in fund.lines:
            line = position.line
            if position.spent > line.budget:
                found.append(
                    Finding(
                        "W-OVERSPEND",
                        plan.file,
                        f"{line.service} ({line.organisation}) has spent "
                        f"{format_money(position.spent)} of its {format_money(line.budget)} "
                        f"budget by {when}, {format_money(position.spent - line.budget)} over. "
                        "Check the payments, or vary the budget by a decision",
                        line.at.sheet,
                        line.at.cell("budget"),
                    )
                )
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
                        "service has started and is being invoiced",
                        line.at.sheet,
                        line.at.cell("service"),
                    )
                )
        if fund.forecast > fund.allocation:
            found.append(
                Finding(
                    "W-OVERSPEND",
                    plan.file,
                    f"The {fund.fund.name} is forecast to spend {format_money(fund.forecast)} "
                    f"by year end, {format_money(fund.forecast - fund.allocation)} over its "
                    f"{format_money(fund.allocation)} allocation (position at {when})",
                    fund.fund.at.sheet,
                    fund.fund.at.cell("allocation"),
                )
            )
        for stream in fund.streams:
            if stream.at_risk > 0:
                found.append(
                    Finding(
                        "W-RINGFENCE-UNDERSPEND",
                        plan.file,
                        f"{stream.source.source} ({fund.fund.name}): "
                        f"{format_money(stream.at_risk)} of the ring-fenced "
                        f"{format_money(stream.source.amount)} is forecast to be left unspent at "
                        f"31 March (forecast {format_money(stream.forecast)}, spent "
                        f"{format_money(stream.spent)} at {when}). Unspent ring-fenced grant "
                        "can be clawed back: commit or reprofile it before year end",
                        stream.source.at.sheet,
                        stream.source.at.cell("amount"),
                    )
                )
    return found
