"""Stage 2b: the plan and its figures (``figures``) -> the findings of the strategy's rules.

Each rule is a small generator
that takes the plan, its per-fund figures and the configuration and yields findings; the
``@rule(...)`` decorator lists it in ``RULES`` with the catalogue codes it may raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from pipeline import contract
from pipeline.config import Config
from pipeline.figures import (
    ZERO,
    FundReconciliation,
    Reconciliation,
    RingFenceUse,
    closed_lines,
    committed_by_fund,
    fund_figures,
    left_out,
    missing_line_hint,
)
from pipeline.findings import Finding, row_ranges
from pipeline.later_years import beyond_later_years
from pipeline.line_dates import inactive_lines
from pipeline.model import Fund, Plan, ServiceLine
from pipeline.s143 import S143_PURPOSES, is_s143_fund, s143_purpose
from pipeline.textsafe import for_log
from pipeline.unknown_funds import unknown_funds
from pipeline.values import format_date, format_money, normalise

# The figures' types, for the renderers and tests that import them from here.
__all__ = [
    "CODES",
    "RULES",
    "ZERO",
    "FundReconciliation",
    "Reconciliation",
    "RingFenceUse",
    "check_readable",
    "committed_by_fund",
    "reconcile",
    "row_ranges",
]


# -- the rules --------------------------------------------------------------------------------

Funds = tuple[FundReconciliation, ...]
Rule = Callable[[Plan, Funds, Config], Iterator[Finding]]
_registered: list[tuple[Rule, tuple[str, ...]]] = []


_per_line: list[Rule] = []
_of_the_year: list[Rule] = []


def rule(*codes: str, per_line: bool = False, year: bool = False) -> Callable[[Rule], Rule]:
    """Register a rule with the catalogue codes it may yield (listed in ``RULES``).

    ``per_line``: the rule judges each line (or source) by its own values and never uses the
    per-fund figures nor the Decision sheet's fields, so it can run on the lines of a workbook
    read only in part (:func:`check_readable`). ``year``: it reads the decision's financial
    year (and no other field of it), so it waits while that could not be read.
    """

    def register(func: Rule) -> Rule:
        _registered.append((func, codes))
        if per_line:
            _per_line.append(func)
        if year:
            _of_the_year.append(func)
        return func

    return register


def _at_line(plan: Plan, code: str, line: ServiceLine, key: str, message: str) -> Finding:
    return Finding(code, plan.file, message, line.at.sheet, line.at.cell(key))


def _at_fund(plan: Plan, code: str, fund: Fund, message: str) -> Finding:
    return Finding(code, plan.file, message, fund.at.sheet, fund.at.cell("allocation"))


def _where(fund: Fund) -> str:
    """``Funds!B2``: the allocation's cell, for messages that point at it."""
    return f"{fund.at.sheet}!{fund.at.cell('allocation')}"


@rule("E-FUND", per_line=True)
def check_unknown_funds(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """E-FUND: lines or a funding source name a fund that is not on the Funds sheet."""
    return unknown_funds(plan)


@rule("E-SOURCES")
def check_sources(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """E-SOURCES: a fund's sources do not add up to its allocation."""
    for rec in funds:
        fund = rec.fund
        if not rec.sources and fund.allocation:
            yield _at_fund(
                plan,
                "E-SOURCES",
                fund,
                f"{fund.name} has no rows on the Funding sources sheet; add where its "
                f"allocation of {format_money(fund.allocation)} comes from.",
            )
        elif rec.sources_total != fund.allocation:
            diff = rec.sources_total - fund.allocation
            listed = " + ".join(format_money(s.amount) for s in rec.sources)
            yield _at_fund(
                plan,
                "E-SOURCES",
                fund,
                f"{fund.name}'s funding sources add up to "
                f"{format_money(rec.sources_total)} ({listed}), "
                f"{format_money(abs(diff))} {'more' if diff > 0 else 'less'} than its "
                f"allocation of {format_money(fund.allocation)}; correct the "
                "allocation or the source amounts so they agree.",
            )


@rule("E-OVERCOMMIT")
def check_overcommit(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """E-OVERCOMMIT: a fund's lines add up to more than its allocation."""
    for rec in funds:
        if rec.committed > rec.allocation:
            fund = rec.fund
            yield _at_fund(
                plan,
                "E-OVERCOMMIT",
                fund,
                f"{fund.name} lines add up to {format_money(rec.committed)}, "
                f"{format_money(rec.committed - rec.allocation)} more than its "
                f"allocation of {format_money(fund.allocation)} ({_where(fund)}); "
                "reduce the budget lines or raise the allocation.",
            )


@rule("E-TOTAL")
def check_totals(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """E-TOTAL: a typed Total row differs from the sum of the lines it closes."""
    for total in plan.totals:
        closed = [plan.lines[i] for i in total.closes]
        expected = sum((ln.budget for ln in closed), ZERO)
        if total.amount != expected:
            lines, cover = closed_lines(total, closed)
            diff = total.amount - expected
            hidden = left_out(total.hidden_rows, total, closed)
            as_text = left_out(total.text_rows, total, closed)
            fix = (
                f" It equals the lines without the hidden or filtered-out rows ({hidden}): a "
                "SUBTOTAL formula, as an Excel table's Total row holds, leaves hidden rows out, "
                "but the plan counts every line. Unhide the rows (or clear the filter) and save "
                "the workbook, or total the lines with SUM."
                if hidden
                else f" It equals the lines without those whose budget is typed as text "
                f"(row{'s' * (',' in as_text)} {as_text}), which SUM leaves out. Retype those budgets as numbers (or use "
                "Excel's Convert to Number on them) and save the workbook."
                if as_text
                else f"{missing_line_hint(total.amount, closed)} Correct the total (if it "
                f"is a SUM formula, make its range cover {cover}; if its range "
                "is right, its saved result is out of date: open the workbook in Excel, "
                "press F9 to calculate, and save it)."
            )
            yield Finding(
                "E-TOTAL",
                plan.file,
                f'The "{total.label}" row reads {format_money(total.amount)} but the '
                f"{lines} add up to "
                f"{format_money(expected)}, {format_money(abs(diff))} "
                f"{'more' if diff > 0 else 'less'}.{fix}",
                total.at.sheet,
                total.at.cell("amount"),
            )


@rule("E-DATES", per_line=True)
def check_dates(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """E-DATES: end date before start date."""
    for line in plan.lines:
        if line.end < line.start:
            yield _at_line(
                plan,
                "E-DATES",
                line,
                "end",
                f'"{line.service}" ends {format_date(line.end, line.end_month_only)}, '
                f"before it starts {format_date(line.start, line.start_month_only)}; "
                "correct the start or end date.",
            )


@rule("E-PARTNERSHIP", per_line=True)
def check_partnership(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """E-PARTNERSHIP: a partnership agreement with a body that is not public sector (§4.2)."""
    for line in plan.lines:
        if (
            line.mechanism == "Partnership agreement"
            and line.organisation_type != contract.PUBLIC_SECTOR
        ):
            yield _at_line(
                plan,
                "E-PARTNERSHIP",
                line,
                "mechanism",
                f'"{line.service}" is a partnership agreement with '
                f"{line.organisation} ({line.organisation_type}); the strategy (§4.2) "
                "allows partnership agreements only with public sector bodies. Use a "
                "contract or a grant, or correct the organisation type.",
            )


# A fund whose Legal basis cites s143 ("Section 143 Anti-social Behaviour, Crime and Policing
# Act 2014", "ASBCPA 2014 s.143"), whatever the fund is called.
_S143_BASIS = re.compile(r"\b(?:s|sec|sect|section)\.?\s*143\b", re.IGNORECASE)


@rule("E-PURPOSE", per_line=True)
def check_purpose(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """E-PURPOSE: a line of an s143 fund (by default the Community Safety Fund) whose purpose is
    blank or not one of the four s143 purposes ("N/A", "None", "-", "TBC" name none)."""
    funds_needing = {
        f.key
        for f in plan.funds
        if is_s143_fund(f.name, config.s143_funds) or _S143_BASIS.search(f.legal_basis)
    }
    wanted = {normalise(name) for name in config.s143_funds} | funds_needing
    needing = [line for line in plan.lines if line.fund_key in wanted]
    if needing and not any("purpose" in line.at.cells for line in needing):
        # No Purpose column (it is optional where no fund needs it): one finding, not one
        # per line telling the officer to fill in a column the sheet does not have.
        first = needing[0]
        funds_named = sorted({f.name if (f := plan.fund(ln.fund)) else ln.fund for ln in needing})
        yield _at_line(
            plan,
            "E-PURPOSE",
            first,
            "purpose",
            f"The {first.at.sheet} sheet has no Purpose column, and the {len(needing)} "
            f"line{'s' * (len(needing) > 1)} of the {' and '.join(funds_named)} "
            f"({first.at.sheet} rows {row_ranges(ln.at.row for ln in needing)}) each need an "
            's143 purpose. Add a column headed "Purpose" and enter one on each of those '
            "lines: " + "; ".join(S143_PURPOSES) + ".",
        )
        return
    for line in needing:
        if s143_purpose(line.purpose) is None:
            seen = (
                f'reads "{line.purpose}", which is not an s143 purpose'
                if line.purpose
                else "has no s143 purpose"
            )
            yield _at_line(
                plan,
                "E-PURPOSE",
                line,
                "purpose",
                f'"{line.service}" ({line.fund}, {format_money(line.budget)}) {seen}; every '
                "award from this fund must serve at least one. Enter one in the Purpose "
                "column: " + "; ".join(S143_PURPOSES) + ".",
            )


# A line break (any kind Python splits lines on) or an "@" in a person's name on the Circulation
# sheet: the name goes into the e-mail's To line, where either would address someone else.
_NOT_A_NAME = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029@]")


@rule("E-CIRCULATION", per_line=True)
def check_circulation_names(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """E-CIRCULATION: a Circulation name that holds a line break or an e-mail address."""
    for person in plan.circulation:
        found = {
            "an e-mail address" if c == "@" else "a line break"
            for c in _NOT_A_NAME.findall(person.name)
        }
        if not found:
            continue
        what = " and ".join(sorted(found))  # "a line break and an e-mail address"
        shown = for_log(person.name)  # a line break shown as \r\n, all on one line
        who = f"The {person.role}'s name" if person.role else "A name"
        yield Finding(
            "E-CIRCULATION",
            plan.file,
            f'{who} reads "{shown}", which holds {what}. The name goes into the '
            "e-mail's To line as it is, so it must be the person's name only: type the name "
            "alone here, and the address in the E-mail column.",
            person.at.sheet,
            person.at.cell("name"),
        )


@rule("W-RINGFENCE")
def check_ring_fence(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """W-RINGFENCE: ring-fenced money not fully committed to lines of its fund."""
    for rec in funds:
        for use in rec.ring_fence:
            if use.uncommitted <= 0:
                continue
            source = use.source
            if len(rec.ring_fence) == 1:
                basis = (
                    f"{format_money(rec.committed)} committed to {rec.fund.name} lines; "
                    "ring-fenced money is assumed to be spent first"
                )
            else:
                basis = (
                    f"{format_money(use.committed)} of it committed out of "
                    f"{format_money(rec.committed)} of {rec.fund.name} lines; ring-fenced "
                    "money is assumed to be spent first, in the order listed on the Funding "
                    "sources sheet"
                )
            yield Finding(
                "W-RINGFENCE",
                plan.file,
                f"{format_money(use.uncommitted)} of the ring-fenced "
                f"{format_money(source.amount)} {source.source} is uncommitted "
                f"({basis}). Commit it to lines of the fund or "
                "agree the underspend with the grant body.",
                source.at.sheet,
                source.at.cell("amount"),
            )


@rule("W-INACTIVE", per_line=True, year=True)
def check_inactive(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """W-INACTIVE: a line that does not run at all inside the financial year."""
    return inactive_lines(plan)


@rule("W-LATER-YEARS", per_line=True, year=True)
def check_later_years(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """W-LATER-YEARS: a line running past the later years the commitments show."""
    return beyond_later_years(plan)


@rule("W-DUPLICATE", per_line=True)
def check_duplicates(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """W-DUPLICATE: two lines with the same fund, service, organisation and provision."""
    seen: dict[tuple[str, ...], ServiceLine] = {}
    for line in plan.lines:
        key = (
            line.fund_key,
            normalise(line.service),
            normalise(line.organisation),
            normalise(line.provision),
        )
        first = seen.setdefault(key, line)
        if first is not line:
            yield _at_line(
                plan,
                "W-DUPLICATE",
                line,
                "service",
                f'"{line.service}" ({line.organisation}, {format_money(line.budget)}) '
                f"repeats the line in row {first.at.row} "
                f"({format_money(first.budget)}) with the same fund, organisation and "
                "provision; delete one, or tell them apart in Provision.",
            )


@rule("W-GRANT-SIZE", per_line=True)
def check_grant_size(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """W-GRANT-SIZE: a grant over the ``grant_size_threshold`` setting (a local figure; the
    strategy (§4.3) only says grants are for small-scale work)."""
    threshold = config.grant_size_threshold
    for line in plan.lines:
        if line.mechanism == "Grant" and line.budget > threshold:
            yield _at_line(
                plan,
                "W-GRANT-SIZE",
                line,
                "budget",
                f'"{line.service}" is a grant of {format_money(line.budget)}, '
                f"{format_money(line.budget - threshold)} over the grant threshold of "
                f"{format_money(threshold)} (the grant_size_threshold setting, a local "
                "choice). The strategy (§4.3) keeps grants for small-scale work: record why "
                "a grant suits this one, or commission it by contract.",
            )


@rule("I-HEADROOM")
def check_headroom(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """I-HEADROOM: the allocation left uncommitted, per fund."""
    for rec in funds:
        if rec.headroom > 0:
            yield _at_fund(
                plan,
                "I-HEADROOM",
                rec.fund,
                f"{rec.fund.name}: {format_money(rec.headroom)} of the "
                f"{format_money(rec.allocation)} allocation is uncommitted "
                f"({format_money(rec.committed)} committed); it remains available "
                "for in-year commissioning.",
            )


@rule("I-EXPIRING", "I-YEAR-END")
def check_expiring(plan: Plan, funds: Funds, config: Config) -> Iterator[Finding]:
    """I-EXPIRING where a decision is due: a line ending before the financial year does, or
    one with an extension option to take up (one each, with the date to decide by).

    A line ending with the year and no option is what every annual line does: those are one
    I-YEAR-END note per fund, naming their rows, for next year's commissioning.
    """
    decision = plan.decision
    year_end = format_date(decision.year_end)
    next_year = f"{decision.year_end.year}/{str(decision.year_end.year + 1)[-2:]}"
    for rec in funds:
        with_the_year: list[ServiceLine] = []
        for line in rec.expiring:
            early = line.end < decision.year_end
            if not early and not line.extension_options:
                with_the_year.append(line)
                continue
            end = format_date(line.end, line.end_month_only)
            ends = f'"{line.service}" ({line.organisation}) ends {end}'
            if early:
                ends += f", before the financial year ends on {year_end}"
            if line.extension_options:
                advice = (
                    f"; extension option: {line.extension_options}. Decide by {end} whether "
                    "to take it up, or plan its re-procurement or decommissioning"
                )
            else:
                advice = (
                    ", with no extension option; plan its re-procurement or "
                    f"decommissioning before {end}"
                )
            yield _at_line(
                plan, "I-EXPIRING", line, "end", f"{ends}{advice} (strategy Appendix 2)."
            )
        if with_the_year:
            first, last = with_the_year[0], with_the_year[-1]
            # The End date cells from the first such line to the last (the rows are listed).
            span = first.at.cell("end")
            if last is not first:
                span = f"{span}:{last.at.cell('end')}"
            many = len(with_the_year) > 1
            yield Finding(
                "I-YEAR-END",
                plan.file,
                f"{rec.fund.name}: {len(with_the_year)} line{'s' if many else ''} "
                f"end{'' if many else 's'} with the financial year on {year_end} "
                f"({first.at.sheet} row{'s' if many else ''} "
                f"{row_ranges(ln.at.row for ln in with_the_year)}); {next_year} "
                "commissioning to plan: re-procure, extend or decommission each (strategy "
                "Appendix 2).",
                first.at.sheet,
                span,
            )


RULES: tuple[tuple[Rule, tuple[str, ...]], ...] = tuple(_registered)
CODES: frozenset[str] = frozenset(code for _, codes in RULES for code in codes)
PER_LINE_RULES: tuple[Rule, ...] = tuple(_per_line)


def check_readable(
    plan: Plan,
    config: Config | None = None,
    *,
    funds_complete: bool = True,
    sources_complete: bool = True,
    year_read: bool = True,
) -> tuple[Finding, ...]:
    """The findings a workbook read only in part can still give, so its first check lists
    everything knowable: ``plan`` holds what the loader could read (a cell it could not read
    is an E-VALUE of its own, and that line is left out; a Decision field, and the decision
    holds that field blank).

    The per-line rules run (fund names, dates, partnerships, s143 purposes, duplicates, grant
    size), and E-SOURCES, which needs only the Funds and Funding sources sheets: sums over the
    lines (overcommitment, Total rows, ring-fence, uncommitted money) would be wrong while a
    line is missing, so they wait for the workbook to be read whole. ``funds_complete=False``
    says a Funds row could not be read: a line naming that fund would look unknown, so E-FUND
    waits too; ``sources_complete=False``, a Funds or Funding sources row, so E-SOURCES waits;
    ``year_read=False``, the Financial year, so the rules of the year wait.
    """
    config = config or Config()
    waiting = {
        *(() if funds_complete else (check_unknown_funds,)),
        *(() if year_read else _of_the_year),
    }
    per_line = tuple(
        finding
        for check in PER_LINE_RULES
        if check not in waiting
        for finding in check(plan, (), config)
    )
    if not sources_complete:
        return per_line
    # The funds' figures of their sources alone: no line, so nothing of the lines is summed.
    sources = fund_figures(replace(plan, lines=(), totals=()))
    return (*per_line, *check_sources(plan, sources, config))


def reconcile(plan: Plan, config: Config | None = None) -> Reconciliation:
    """Figures per fund, and every rule's findings, for a loaded plan."""
    config = config or Config()
    funds = fund_figures(plan)
    findings = tuple(finding for check, _ in RULES for finding in check(plan, funds, config))
    return Reconciliation(plan, plan.decision, funds, findings)
