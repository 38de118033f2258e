"""Year on year: this plan against last year's — what continued, changed, moved, started, ended.

Matching rule (documented in the README):

1. **fund + service + delivery organisation**, each normalised (case, spaces, punctuation,
   "&" = "and", a "The" before and a legal form after a name, and
   ``[tool.pcc-report.aliases]``: an abbreviation, e.g. ``LCC`` =
   ``Lincolnshire County Council``, or a whole name, e.g. a renamed fund) → *continued*;
2. then **service alone**, only where exactly one line on each side is left with that service
   → *moved* (to another fund or provider). A moved line is listed for a person to confirm:
   a provider that was renamed looks exactly like this, and is never silently continued;
3. whatever is left is *new* (this year only) or *ended* (last year only).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pipeline.comparison import (
    CONTINUED,
    DEFAULT_UPLIFT_THRESHOLD,
    ENDED,
    MOVED,
    NEW,
    ZERO,
    Comparison,
    FundChange,
    Line,
    LineChange,
    signed_money,
    signed_percent,
)
from pipeline.findings import Finding, row_ranges
from pipeline.last_year import FundTotals, LastYear
from pipeline.model import Plan, ServiceLine
from pipeline.reconcile import Reconciliation
from pipeline.values import format_money, normalise

# A company's legal form at the end of its name, short or in full: "Bike Register Limited"
# last year is "Bike Register Ltd" or "Bike Register" this year, one organisation typed another
# way (as a supplier master has it, pipeline.position_match).
LEGAL_FORM = re.compile(
    r"( (ltd|limited|plc|public limited company|llp|limited liability partnership|cic|"
    r"community interest company|cio|charitable incorporated organisation))+$"
)


def _plain(text: str) -> str:
    """``text`` normalised, "&" read as "and", punctuation as a space, one space between words,
    without a "The" before it or a legal form at its end (Ltd, Limited, PLC, LLP, CIC, CIO)."""
    plain = " ".join(re.sub(r"[^\w\s]", " ", normalise(text).replace("&", " and ")).split())
    plain = LEGAL_FORM.sub("", plain) or plain
    return plain.removeprefix("the ") or plain


def _folded(aliases: Mapping[str, str]) -> dict[str, str]:
    return {_plain(k): _plain(v) for k, v in aliases.items()}


def _key(text: str, folded: Mapping[str, str]) -> str:
    """The matching key of ``text``: a whole name the aliases name (``"Victims' Services Fund"
    = "Victims Fund"``, a fund or provider renamed) becomes the other; otherwise each word
    the aliases name (``LCC``) becomes its long form."""
    plain = _plain(text)
    whole = folded.get(plain)
    if whole is not None:
        return whole
    return " ".join(folded.get(word, word) for word in plain.split())


def match_key(text: str, aliases: Mapping[str, str]) -> str:
    """Normalised name: case, punctuation, "&"/"and", spaces and abbreviations folded."""
    return _key(text, _folded(aliases))


def _keyer(aliases: Mapping[str, str]) -> Callable[[str], str]:
    """:func:`_key` with these aliases, each distinct name's key made once (funds and
    providers repeat over thousands of lines)."""
    folded = _folded(aliases)
    keys: dict[str, str] = {}

    def key(text: str) -> str:
        found = keys.get(text)
        if found is None:
            found = keys[text] = _key(text, folded)
        return found

    return key


def _match(
    current: Sequence[ServiceLine],
    previous: Sequence[Line],
    aliases: Mapping[str, str],
    key: Callable[[str], str] | None = None,
) -> list[LineChange]:
    """Pair this year's lines with last year's: a join on the normalised keys, each line's key
    computed once, so 10,000 lines against 10,000 take one pass over each side. ``key`` is
    the caller's :func:`_keyer` of ``aliases``, when it has one.

    Among last year's lines with the same key, the first in the plan is taken first.
    """
    key = key or _keyer(aliases)

    def full(line: Line) -> tuple[str, str, str]:
        return key(line.fund), key(line.service), key(line.organisation)

    waiting: dict[tuple[str, str, str], deque[int]] = {}
    for index, line in enumerate(previous):
        waiting.setdefault(full(line), deque()).append(index)
    changes: list[LineChange] = []
    taken: set[int] = set()
    unmatched: list[ServiceLine] = []
    for line in current:
        queue = waiting.get(full(line))
        if queue:
            index = queue.popleft()
            taken.add(index)
            changes.append(LineChange(CONTINUED, line, previous[index]))
        else:
            unmatched.append(line)

    now: dict[str, list[ServiceLine]] = {}
    for line in unmatched:
        now.setdefault(key(line.service), []).append(line)
    before: dict[str, list[int]] = {}
    for index, line in enumerate(previous):
        if index not in taken:
            before.setdefault(key(line.service), []).append(index)
    for service, lines in now.items():
        candidates = before.get(service, [])
        if len(lines) == 1 and len(candidates) == 1:
            changes.append(LineChange(MOVED, lines[0], previous[candidates[0]]))
            taken.add(candidates[0])
        else:
            changes.extend(LineChange(NEW, line, None) for line in lines)
    changes.extend(
        LineChange(ENDED, None, line) for index, line in enumerate(previous) if index not in taken
    )
    return changes


_NO_FUND = FundTotals("", "", ZERO, ZERO, ZERO)  # a fund not in that year's plan


def _by_key(funds: Iterable[FundTotals], key: Callable[[str], str]) -> dict[str, FundTotals]:
    """Each fund's figures by its matching key; two funds of one key count together (MoJ
    grants, allocation and committed alike)."""
    found: dict[str, FundTotals] = {}
    for fund in funds:
        kept = found.get(key(fund.name))
        found[key(fund.name)] = (
            fund
            if kept is None
            else FundTotals(
                kept.key,
                kept.name,
                kept.allocation + fund.allocation,
                kept.committed + fund.committed,
                kept.moj + fund.moj,
            )
        )
    return found


def compare(
    current: Reconciliation,
    previous: Reconciliation | LastYear,
    aliases: Mapping[str, str] | None = None,
    uplift_threshold: Decimal = DEFAULT_UPLIFT_THRESHOLD,
) -> Comparison:
    """Line-by-line and fund-by-fund changes from ``previous`` to ``current``.

    ``previous`` is last year's plan as read (a reconciliation) or as the cache kept it
    (:class:`~pipeline.last_year.LastYear`); either way the comparison is made from the
    latter, so both give the same result."""
    aliases = aliases or {}
    last = previous if isinstance(previous, LastYear) else LastYear.of(previous)
    # Funds are set against each other by the same key as the lines' funds (a fund renamed
    # and named in the aliases is one fund).
    key = _keyer(aliases)
    totals = [FundTotals.of(f) for f in current.funds]
    changes = _match(current.plan.lines, last.lines, aliases, key)
    order = list(dict.fromkeys(key(f.name) for f in (*totals, *last.funds)))
    names = {key(f.name): f.name for f in (*last.funds, *totals)}
    now = _by_key(totals, key)
    before = _by_key(last.funds, key)
    by_fund: dict[str, list[LineChange]] = {}
    for change in changes:  # one pass, not one per fund
        by_fund.setdefault(key(change.line.fund), []).append(change)
    funds = []
    for fund in order:
        this, that = now.get(fund, _NO_FUND), before.get(fund, _NO_FUND)
        funds.append(
            FundChange(
                fund=names[fund],
                previous_allocation=that.allocation,
                allocation=this.allocation,
                previous_committed=that.committed,
                committed=this.committed,
                previous_moj=that.moj,
                moj=this.moj,
                lines=tuple(sorted(by_fund.get(fund, []), key=_display_order)),
            )
        )
    comparison = Comparison(
        last.file,
        last.decision.year_label,
        last.decision.reference,
        tuple(funds),
        (),
    )
    # How many lines of each fund, service and provider last year's plan had: a line "new" only
    # because this year has more of them than last year matched all of those.
    before_lines = Counter(
        (key(line.fund), key(line.service), key(line.organisation)) for line in last.lines
    )

    def had(line: Line) -> int:
        return before_lines[key(line.fund), key(line.service), key(line.organisation)]

    present = Present(
        frozenset(key(fund.name) for fund in totals),
        frozenset(key(line.organisation) for line in current.plan.lines),
        Counter(
            (key(line.fund), key(line.service), key(line.organisation))
            for line in current.plan.lines
        ),
        key,
    )
    findings = tuple(_findings(current.plan, comparison, uplift_threshold, had, present))
    return Comparison(
        comparison.previous_file,
        comparison.previous_year,
        comparison.previous_reference,
        comparison.funds,
        findings,
    )


_RANK = {CONTINUED: 0, MOVED: 1, NEW: 2, ENDED: 3}


def _display_order(change: LineChange) -> tuple[int, int]:
    return _RANK[change.status], change.line.at.row


def _moved(file: str, change: LineChange, present: Present) -> Finding:
    """W-MOVED for one line matched by its service alone; with the alias that would make it
    continued when it may be the same service under a renamed provider or fund (one this
    plan no longer names: an alias for a fund or provider it still has would pair every line
    of the one with the other)."""
    now, before = change.current, change.previous
    assert now is not None and before is not None
    provider = _provider_changed(change)
    renamed = (now.organisation, before.organisation) if provider else (now.fund, before.fund)
    gone = not (present.has_provider if provider else present.has_fund)(renamed[1])
    advice = (
        f' If it was renamed, add "{renamed[0]}" = "{renamed[1]}" under [tool.pcc-report.aliases].'
        if gone
        else ""
    )
    return Finding(
        "W-MOVED",
        file,
        f'"{now.service}" matched last year\'s line only by its service name ({change.note}); '
        f"confirm it is the same service, or treat it as one ended and one new.{advice}",
        now.at.sheet,
        now.at.cell("organisation" if provider else "fund"),
    )


@dataclass(frozen=True)
class Present:
    """Whether this year's plan still names a fund or a provider, and how many lines it has
    of a fund, service and provider (by matching key)."""

    funds: frozenset[str]
    providers: frozenset[str]
    lines: Counter[tuple[str, str, str]]
    key: Callable[[str], str]

    def lines_like(self, line: Line) -> int:
        key = self.key
        return self.lines[key(line.fund), key(line.service), key(line.organisation)]

    def has_fund(self, name: str) -> bool:
        return self.key(name) in self.funds

    def has_provider(self, name: str) -> bool:
        return self.key(name) in self.providers


def _fund_moves(comparison: Comparison) -> dict[tuple[str, str], list[LineChange]]:
    """The moved lines that kept their provider but not their fund, by (last year's fund,
    this year's): where two or more went the same way, the fund was likely renamed."""
    moves: dict[tuple[str, str], list[LineChange]] = {}
    for fund in comparison.funds:
        for change in fund.lines:
            now, before = change.current, change.previous
            if (
                change.status == MOVED
                and now is not None
                and before is not None
                and now.fund_key != before.fund_key
                and not _provider_changed(change)
            ):
                moves.setdefault((before.fund, now.fund), []).append(change)
    return {pair: changes for pair, changes in moves.items() if len(changes) > 1}


def _provider_changed(change: LineChange) -> bool:
    now, before = change.current, change.previous
    return bool(now and before and normalise(now.organisation) != normalise(before.organisation))


def _renamed_fund(
    file: str, pair: tuple[str, str], changes: list[LineChange], present: Present
) -> Finding:
    """One W-MOVED for the lines that moved together from one fund to another: with the alias
    that pairs them when last year's fund is not in this plan (renamed, it seems)."""
    before, now = pair
    first = min((change.line.at for change in changes), key=lambda at: at.row)
    what = (
        f'"{before}" is in this plan too: confirm each moved between the funds.'
        if present.has_fund(before)
        else f'If the fund was renamed, add "{now}" = "{before}" under '
        "[tool.pcc-report.aliases] and they are compared as continued; otherwise confirm "
        "each moved between the funds."
    )
    return Finding(
        "W-MOVED",
        file,
        f'{len(changes)} lines of "{now}" ({first.sheet} rows '
        f"{row_ranges(c.line.at.row for c in changes)}) matched "
        f'last year\'s lines of "{before}" by service and provider. {what}',
        first.sheet,
        first.cell("fund"),
    )


def _new_line(file: str, change: LineChange, comparison: Comparison, had: int) -> Finding:
    """I-NEW-SERVICE: a line with no line of last year's plan left to match it."""
    line = change.line
    why = (
        f"last year's plan had {had} line{'s' if had != 1 else ''} for this service and "
        f"provider in this fund, each matched to another line of this plan"
        if had
        else f"it matches no line of {comparison.previous_file}"
    )
    return Finding(
        "I-NEW-SERVICE",
        file,
        f'"{line.service}" ({line.organisation}, {format_money(line.budget)}) is new since '
        f"{comparison.previous_year}: {why}.",
        line.at.sheet,
        line.at.cell("service"),
    )


def _ended_line(comparison: Comparison, change: LineChange, had: int, present: Present) -> Finding:
    """I-ENDED-SERVICE: a line of last year's plan no line of this plan is left to match; one
    of several of a service and provider that this plan has fewer of may have been merged."""
    line = change.line
    now = present.lines_like(line)
    what = (
        f"matched no line of this plan: last year's plan had {had} lines for this service and "
        f"provider in this fund, this plan has {now}. If they were merged into fewer lines, "
        "nothing ends; if this one is being decommissioned"
        if now
        else "is not in this plan; if it is being decommissioned"
    )
    return Finding(
        "I-ENDED-SERVICE",
        comparison.previous_file,
        f'"{line.service}" ({line.organisation}, {format_money(line.budget)} in '
        f"{comparison.previous_year}, {comparison.previous_file} "
        f"{line.at.sheet}!{line.at.cell('service')}) {what}, work through the "
        "decommissioning checklist (strategy Appendix 2).",
        line.at.sheet,
        line.at.cell("service"),
    )


def _findings(
    plan: Plan,
    comparison: Comparison,
    threshold: Decimal,
    had: Callable[[Line], int],
    present: Present,
) -> list[Finding]:
    year = comparison.previous_year
    findings: list[Finding] = []
    fund_moves = _fund_moves(comparison)
    told = {id(change) for changes in fund_moves.values() for change in changes}
    findings += [
        _renamed_fund(plan.file, pair, moves, present) for pair, moves in fund_moves.items()
    ]
    for fund in comparison.funds:
        for change in fund.lines:
            line = change.line
            if change.status == NEW:
                findings.append(_new_line(plan.file, change, comparison, had(line)))
            elif change.status == ENDED:
                findings.append(_ended_line(comparison, change, had(line), present))
            elif change.status == MOVED and id(change) not in told:
                findings.append(_moved(plan.file, change, present))
            percent = change.percent
            if change.status == CONTINUED and percent is not None and abs(percent) >= threshold:
                findings.append(
                    Finding(
                        "W-UPLIFT",
                        plan.file,
                        f'"{line.service}" ({line.organisation}) changes from '
                        f"{format_money(change.previous_budget)} in {year} to "
                        f"{format_money(change.budget)} ({signed_money(change.change)}, "
                        f"{signed_percent(percent)}), at or over the "
                        f"{threshold}% threshold (the uplift_threshold setting); explain the "
                        "change in the report.",
                        line.at.sheet,
                        line.at.cell("budget"),
                    )
                )
        if fund.moj != fund.previous_moj and fund.committed == fund.previous_committed:
            source_cell = next(
                (s for s in plan.sources if normalise(s.fund) == normalise(fund.fund) and s.is_moj),
                None,
            )
            findings.append(
                Finding(
                    "W-MOJ-CHANGE",
                    plan.file,
                    f"The MoJ grant for {fund.fund} changes from {format_money(fund.previous_moj)} "
                    f"in {year} to {format_money(fund.moj)}, but its lines still add up to "
                    f"{format_money(fund.committed)} as last year; check the plan reflects the new "
                    "grant.",
                    source_cell.at.sheet if source_cell else "Funding sources",
                    source_cell.at.cell("amount") if source_cell else "",
                )
            )
    return findings
