"""Findings about payments, and the list of payments a person must look at.

- ``I-SPEND-OUT-OF-YEAR``: per file, the payments dated outside the plan's financial year (but
  not those of another plan's year in the same run: they are that plan's), and those of the
  year dated after the position's date;
- ``W-SPEND-OTHER-YEAR``: per file, when no payment of the files is in the plan's year (nor
  of another plan's in the run): no position;
- ``W-SPEND-GAP``: the spend files end months before the position's date (``--as-at``);
- ``W-SPEND-AMBIGUOUS``: one per supplier whose payments could be any of several lines;
- ``W-SPEND-UNMATCHED``: one per supplier whose payments match no line (the first 20; one for
  the rest);
- ``W-SPEND-OTHER-BODY``: per file, the payments its Body name column gives to another body
  than the plan's (a neighbouring commissioner's spend file): never counted.

The payments in the spend files twice (``W-SPEND-DUPLICATE``) are found by
:mod:`pipeline.payment_duplicates`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from pipeline.commitments import add_months
from pipeline.findings import Finding
from pipeline.ledger_values import MAX_NAME_SAID, cut, is_redacted, payee, pounds
from pipeline.model import Plan, ServiceLine
from pipeline.values import format_date, format_money

if TYPE_CHECKING:
    import pandas as pd

MAX_ROWS_NAMED = 12  # rows named in one W-SPEND-AMBIGUOUS message before "and N more"
MAX_SUPPLIERS_NAMED = 20  # unmatched suppliers with a finding each; one finding for the rest
UNMATCHED, AMBIGUOUS = "unmatched", "ambiguous"


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


def payments_of(count: int, total: str) -> str:
    """How many payments and what they come to, never read as so much each: "1 payment of
    £5,000", "2 payments totalling £10,000" (not "2 payment(s) of £10,000")."""
    return f"1 payment of {total}" if count == 1 else f"{count} payments totalling {total}"


def _line_name(line: ServiceLine) -> str:
    return f"Services row {line.at.row} ({line.service}, {line.organisation}, {line.fund})"


_POLICING_WORDS = re.compile(r"\b(?:police|force|area|constabulary)\b")
# A body's name that says it is a policing body, beside its place: a council, a fire and
# rescue service or an NHS body of the same county says none of them.
_POLICING_BODY = re.compile(
    r"\b(?:police|policing|constabulary|constable|commissioners?|pcc|opcc|pfcc|crime|force"
    r"|heddlu|comisiynydd|mayors?)\b"
)
# The words of a policing body's name that name no one body ("Office of the Police and Crime
# Commissioner", "OPCC"), as match_key folds them.
_GENERIC = re.compile(
    r"\b(?:police|policing|constabulary|chief|constable|commissioners?|pcc|opcc|pfcc|crime|force"
    r"|fire|rescue|deputy|mayors?|s|office|of|the|for|and|a|heddlu|comisiynydd|swyddfa|throseddu)\b"
)


def other_bodies(
    plan: Plan, payments: pd.DataFrame, aliases: Mapping[str, str]
) -> tuple[pd.DataFrame, list[Finding]]:
    """The payments of the plan's body, and one W-SPEND-OTHER-BODY per file and body for
    those a spend file's Body name column (the Transparency Code's spend layout) gives to
    another: a neighbouring commissioner's file dropped in spend/ pays the same national
    charities, and its payments were counted as this plan's spend. A blank body name is the
    plan's; a name is the plan's when its words hold the Organisation's, or the police area's
    alone or with a word of policing ("Lincolnshire Police", "Office of the Police and Crime
    Commissioner for Lincolnshire"; the county council of the same place is another body),
    folded as suppliers are (case, punctuation, "&", the ``aliases``: ``Lincs``)."""
    from pipeline.compare import match_key

    if "body" not in payments or not payments["body"].any():
        return payments, []
    decision = plan.decision
    # Each side of a Welsh body's name in both languages ("Comisiynydd Heddlu a Throseddu De
    # Cymru / South Wales Police and Crime Commissioner") names it alone.
    sides = [match_key(side, aliases) for side in decision.organisation.split("/")]
    organisations = {side for side in sides if side}
    # "Lincolnshire Police Area" and "Avon and Somerset Constabulary" are named by the place.
    areas = {
        " ".join(_POLICING_WORDS.sub(" ", match_key(side, aliases)).split())
        for side in decision.police_area.split("/")
    } - {""}
    # An Organisation of policing words alone ("OPCC") names no body: every commissioner's is.
    named = {side for side in organisations if _GENERIC.sub(" ", side).strip()}

    def own(body: str) -> bool:
        """The plan's body: its Organisation named, or its place with a word of policing
        ("Lincolnshire Police", "OPCC for Lincolnshire") or alone, or policing words naming
        no place ("OPCC"); "Lincolnshire County Council", of the same place, is another
        body, and so is "OPCC for Nottinghamshire"."""
        key = f" {match_key(body, aliases)} "
        if key.strip() in organisations or any(f" {side} " in key for side in named):
            return True
        if not _GENERIC.sub(" ", key).strip():
            return True
        placed = [area for area in areas if f" {area} " in key]
        return bool(placed) and (key.strip() in placed or bool(_POLICING_BODY.search(key)))

    ours_by_body = {body: not body or own(body) for body in payments["body"].unique()}
    ours = payments["body"].map(ours_by_body).astype(bool)
    findings = []
    for (file, sheet, body), group in payments[~ours].groupby(
        ["file", "sheet", "body"], sort=False
    ):
        rows = ", ".join(str(c) for c in group["cell"][:MAX_ROWS_NAMED])
        more = f" and {len(group) - MAX_ROWS_NAMED} more" if len(group) > MAX_ROWS_NAMED else ""
        total = format_money(pounds(int(group["amount"].sum())))
        message = (
            f"{payments_of(len(group), total)} whose Body name reads "
            f'"{cut(str(body), MAX_NAME_SAID)}" '
            f"({rows}{more}) are another body's, not {decision.police_area}'s: they are not "
            "counted. If the file is another body's, move it out of the spend folder; if the "
            "body is this one, check the Police area and Organisation on the plan's Decision "
            "sheet, or add its short name to the aliases in the settings."
        )
        findings.append(
            Finding(
                "W-SPEND-OTHER-BODY", str(file), message, str(sheet), str(group["cell"].iloc[0])
            )
        )
    return payments[ours], findings


def financial_year(dates: pd.Series) -> pd.Series:
    """The year in which each date's financial year (1 April to 31 March) starts."""
    year: pd.Series = dates.dt.year - (dates.dt.month < 4).astype("int64")
    return year


def _not_of(payments: pd.DataFrame, years: Collection[int]) -> pd.DataFrame:
    """The payments dated in none of ``years`` (financial years, by the year they start)."""
    return payments[~financial_year(payments["date"]).isin(list(years))] if years else payments


def out_of_year(plan: Plan, outside: pd.DataFrame, others: Collection[int] = ()) -> list[Finding]:
    """One I-SPEND-OUT-OF-YEAR note per file (and sheet) for the payments outside the year.

    ``others``: the financial years of the run's other plans. Their payments count in those
    plans' positions, so they are not said here: a folder of two years' plans and exports
    would otherwise tell each plan that the other year's payments are mistyped dates."""
    label = plan.decision.year_label
    return [
        Finding(
            "I-SPEND-OUT-OF-YEAR",
            file,
            f"{said} {_be(one, 'falls', 'fall')} outside {label} (decision "
            f"{plan.decision.reference}) and {_be(one)} not counted in its position. If a date "
            "is mistyped, correct it in the export.",
            sheet,
        )
        for file, sheet, said, one in _per_file(_not_of(outside, others))
    ]


def nothing_in_year(
    plan: Plan, payments: pd.DataFrame, others: Collection[int] = ()
) -> list[Finding]:
    """When no payment of the spend files falls in the plan's year, so it gets no position:
    one W-SPEND-OTHER-YEAR per file saying so (the run said nothing before, then only counted
    a note: last year's exports left in spend/ built no position unseen). The payments of the
    run's other plans' years (``others``) are left out of it, unless they are all there is:
    then an I-SPEND-OUT-OF-YEAR note says whose they are, rather than call their dates
    mistyped."""
    label = plan.decision.year_label
    rest = _not_of(payments, others)
    none = f"no position is built for decision {plan.decision.reference}"
    if rest.empty:
        return [
            Finding(
                "I-SPEND-OUT-OF-YEAR",
                file,
                f"{said} {_be(one)} of another year's plan built with these spend files, and no "
                f"payment of the files is in {label}: {none}.",
                sheet,
            )
            for file, sheet, said, one in _per_file(payments)
        ]
    # A warning: the position the office expects is not made, and a note is only counted.
    return [
        Finding(
            "W-SPEND-OTHER-YEAR",
            file,
            f"{said} {_be(one, 'falls', 'fall')} outside {label}, and no payment of the spend "
            f"files is in it: {none}. If the dates are mistyped, correct them in the export; if "
            "the files are another year's, build them with that year's plan.",
            sheet,
        )
        for file, sheet, said, one in _per_file(rest)
    ]


def after_as_at(
    plan: Plan,
    as_at: dt.date,
    later: pd.DataFrame,
    today: dt.date | None = None,
    counted: bool = True,
) -> list[Finding]:
    """One I-SPEND-OUT-OF-YEAR note per file (and sheet) for the payments of the year dated
    after the position's date: left out of it, and said to be. ``today``: the position is at
    the latest payment, and these are dated after the day of the build (``counted`` False:
    none is dated by then, and the position is at today)."""
    start = plan.decision.year_start
    if today is not None:
        at = (
            f"the position is at {format_date(as_at)}, the latest payment up to today"
            if counted
            else f"no payment of {plan.decision.year_label} is dated by today: the position "
            "is at today and counts none"
        )
        return [
            Finding(
                "I-SPEND-OUT-OF-YEAR",
                file,
                f"{said} {_be(one)} dated after today, {format_date(today)}: not paid yet, or a "
                f"date mistyped. {_be(one, 'It is', 'They are')} not counted, and {at}. Correct "
                "the dates in the export, or give --as-at to date the position.",
                sheet,
            )
            for file, sheet, said, one in _per_file(later)
        ]
    if as_at < start:  # --as-at 30/09/1921 for 30/09/2021: not one payment counts
        why = (
            f"which is before {plan.decision.year_label} began on {format_date(start)}, so "
            "the position counts no payment. Give an --as-at date in the year"
        )
    else:
        why = "and {are} not counted in it. To count {them}, build with a later --as-at date"
    return [
        Finding(
            "I-SPEND-OUT-OF-YEAR",
            file,
            f"{said} {_be(one)} after {format_date(as_at)}, the date of this position, "
            + why.format(are=_be(one), them=_be(one, "it", "them"))
            + " (or none: the latest payment's).",
            sheet,
        )
        for file, sheet, said, one in _per_file(later)
    ]


def after_year_end(plan: Plan, as_at: dt.date) -> Finding:
    """I-SPEND-YEAR-END: ``--as-at`` is after the plan's year end, so the position is the
    year-end one, at that date (every date it gives is the year end's)."""
    end = format_date(plan.decision.year_end)
    return Finding(
        "I-SPEND-YEAR-END",
        plan.file,
        f"--as-at {format_date(as_at)} is after {plan.decision.year_label} ended on {end}: "
        f"this is the plan's year-end position, at {end} (the position workbook's name and "
        "every note about the year's spend give that date), counting the payments of the "
        "whole year.",
    )


GAP_MONTHS = 2  # a month's export not yet published is normal; two months missing are not


def gap(plan: Plan, as_at: dt.date, latest: dt.date) -> list[Finding]:
    """W-SPEND-GAP when the latest payment counted is more than ``GAP_MONTHS`` before the
    position's date (``--as-at`` 31/03/2022, and the spend folder's exports end in
    September): every line then reads as paid nothing since, its instalments as stopped, and
    ring-fenced money as forecast unspent, when the months' exports are only missing."""
    as_at = min(as_at, plan.decision.year_end)  # after the year: as at its end
    if add_months(latest, GAP_MONTHS) >= as_at:
        return []
    return [
        Finding(
            "W-SPEND-GAP",
            plan.file,
            f"The latest payment of {plan.decision.year_label} in the spend files is dated "
            f"{format_date(latest)}, {(as_at - latest).days} days before {format_date(as_at)}, "
            "the date of this position: the forecasts read every line as paid nothing since "
            "(instalments as stopped), and the underspends they show may be only exports "
            "missing. Add the missing months' exports to the spend folder, or build as at the "
            "date the exports run to (--as-at, or none: the latest payment's).",
        )
    ]


def _be(one: bool, singular: str = "is", plural: str = "are") -> str:
    """The word that agrees with one payment, or with several."""
    return singular if one else plural


def _per_file(rows: pd.DataFrame) -> Iterator[tuple[str, str, str, bool]]:
    """Per file and sheet: how many payments, of how much, on which dates (and rows), and
    whether it is one ("1 payment of £500", "2 payments totalling £800")."""
    for (file, sheet), group in rows.groupby(["file", "sheet"], sort=False):
        first, last = min(group["date"]).date(), max(group["date"]).date()
        dates = format_date(first) + ("" if first == last else f" to {format_date(last)}")
        # A few stray rows may be dates typed wrong (2012 for 2021): name them. A whole file
        # of last year's payments is plain from its dates.
        named = (
            f" ({', '.join(str(c) for c in group['cell'])})" if len(group) <= MAX_ROWS_NAMED else ""
        )
        total = format_money(pounds(int(group["amount"].sum())))
        said = f"{payments_of(len(group), total)} dated {dates}{named}"
        yield str(file), str(sheet), said, len(group) == 1


def ambiguous_suppliers(plan: Plan, loose: pd.DataFrame) -> list[Finding]:
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
                f"{payments_of(len(rows), format_money(pounds(int(rows['amount'].sum()))))} "
                f"to {supplier} could be any of its lines: "
                f"{'; '.join(_line_name(ln) for ln in lines)}. Rows: {named}. {counted}. "
                f"{_tell_apart(lines)}",
                str(rows["sheet"].iloc[0]),
                str(rows["cell"].iloc[0]),
            )
        )
    return found


def _tell_apart(lines: list[ServiceLine]) -> str:
    """How to let each payment name its line: cost codes on the lines, then in the ledger."""
    codes = [ln.cost_code.strip() for ln in lines]
    shared = [c for c in dict.fromkeys(codes) if c and codes.count(c) > 1]
    if shared:  # one cost centre for several lines (a fund's): no payment can name one
        return (
            f"These lines share the Cost code {', '.join(shared)}, so a payment's cost centre "
            "cannot tell them apart: give each line on Services a code of its own, the one "
            "its payments are coded to in the ledger."
        )
    if all(codes):  # the plan has done its part: the payments named no code, or another
        return (
            f"These lines have Cost codes ({', '.join(codes)}): export the ledger with its "
            "cost centre column, and check that each payment's cost centre is one of them."
        )
    return "Give these lines a Cost code on Services and export the ledger with its cost centre."


def to_check(plan: Plan, loose: pd.DataFrame) -> list[PaymentToCheck]:
    """Each unmatched payment, and the ambiguous ones one entry per supplier (as their
    finding): a supplier paid weekly is one decision to make, not fifty-two."""
    ambiguous = loose["candidates"].map(len) > 1
    alone = loose[~ambiguous]  # a whole force's ledger: 100,000 rows, read column by column
    listed = [
        PaymentToCheck(
            UNMATCHED, str(f), str(s), str(c), d, str(p), pounds(a), str(r), str(k), "", ""
        )
        for f, s, c, d, p, a, r, k in zip(
            alone["file"].tolist(),
            alone["sheet"].tolist(),
            alone["cell"].tolist(),
            alone["date"].dt.date.tolist(),
            alone["supplier"].tolist(),
            alone["amount"].tolist(),
            alone["reference"].tolist(),
            alone["cost_code"].tolist(),
            strict=True,
        )
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


def unmatched(payments: Sequence[PaymentToCheck]) -> Iterator[Finding]:
    """``W-SPEND-UNMATCHED`` for the unmatched payments of ``payments``: one per supplier,
    naming its rows, for the first ``MAX_SUPPLIERS_NAMED`` suppliers, then one for the rest.
    A whole organisation's ledger holds thousands of payments that are no commissioning
    spend: the position workbook lists each, the findings do not repeat them one by one."""
    suppliers: dict[str, list[PaymentToCheck]] = {}
    for payment in payments:
        if payment.status == UNMATCHED:
            suppliers.setdefault(payment.supplier, []).append(payment)
    groups = list(suppliers.values())
    for group in groups[:MAX_SUPPLIERS_NAMED]:
        first = group[0]
        message = _unmatched_message(first) if len(group) == 1 else _several_message(group)
        yield Finding("W-SPEND-UNMATCHED", first.file, message, first.sheet, first.cell)
    rest = [payment for group in groups[MAX_SUPPLIERS_NAMED:] for payment in group]
    if rest:
        total = format_money(sum((p.amount for p in rest), Decimal(0)))
        yield Finding(
            "W-SPEND-UNMATCHED",
            rest[0].file,
            f"{len(rest)} more payments totalling {total} to {len(groups) - MAX_SUPPLIERS_NAMED} "
            "other suppliers match no line either and are not counted; the position "
            "workbook's Payments to check sheet lists each. If they are not spend on the "
            "plan's services (a whole ledger was exported), there is nothing to do.",
            rest[0].sheet,
        )


def _several_message(group: Sequence[PaymentToCheck]) -> str:
    """The finding of one supplier's several unmatched payments, naming their rows."""
    places = [f"{p.sheet} {p.cell}" for p in group]
    named = "; ".join(places[:MAX_ROWS_NAMED])
    if len(places) > MAX_ROWS_NAMED:
        named += f" and {len(places) - MAX_ROWS_NAMED} more"
    total = format_money(sum((p.amount for p in group), Decimal(0)))
    dates = sorted(p.date for p in group)
    when = f"dated {format_date(dates[0])} to {format_date(dates[-1])}"
    supplier = group[0].supplier
    if is_redacted(supplier):
        return (
            f"{len(group)} payments totalling {total} {when} have their supplier redacted "
            f'("{supplier}"), '
            f"so they match no line and are not counted. Rows: {named}. Give the ledger rows a "
            "cost code that is on Services, or record the payments against their line by hand."
        )
    to = f"to {payee(supplier)}" if supplier else "with no supplier named"
    return (
        f"{len(group)} payments totalling {total} {to} {when} match no line (no line has "
        f"their cost code or that delivery organisation) and are not counted. Rows: {named}. "
        "If they belong to a line, add the name to [tool.pcc-report.aliases] or give the line "
        "a Cost code."
    )


def _unmatched_message(payment: PaymentToCheck) -> str:
    amount = format_money(payment.amount)
    if is_redacted(payment.supplier):
        return (
            f"The payment of {amount} on {format_date(payment.date)} has its supplier redacted "
            f'("{cut(payment.supplier, MAX_NAME_SAID)}"), so it matches no line and is not '
            "counted. Give the ledger "
            "row a cost code that is on Services, or record the payment against its line by hand."
        )
    code = f" with cost code {cut(payment.cost_code)}" if payment.cost_code else ""
    if not payment.supplier:
        return (
            f"The payment of {amount} with no supplier named{code} on "
            f"{format_date(payment.date)} matches no line and is not counted. Fill in its "
            "supplier (or a cost code that is on Services) in the export and run again."
        )
    return (
        f"The payment of {amount} to {payee(payment.supplier)}{code} on "
        f"{format_date(payment.date)} "
        "matches no line (no line has that cost code or that delivery organisation) and is not "
        "counted. If it belongs to a line, add the name to [tool.pcc-report.aliases] or give "
        "the line a Cost code."
    )
