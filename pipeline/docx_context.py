"""The Request for Decision's context: every figure of the reconciliation as text for the template.

Money is pre-formatted (``£1,009,000``, pence only where present), dates dd/mm/yyyy, so the
template (``templates/request-for-decision.docx``) needs no filters. The fields a template may use:

- ``year`` (``2021/22``); ``strategy_decision``: whether the decision is a commissioning
  strategy's (one is attached, or the decision's own words name one), which the standard
  background and links speak of ("This Commissioning Strategy sets out ..."); a plan alone has
  its own standard wording
- ``decision``: area, police_area, reference, date, date_long, financial_year, subject,
  report_by, contact_officer, executive_summary (paragraphs), recommendations, budget_approval,
  budget_approval_reference, publication_deferred (Yes/No), publication_deferred_reason,
  publication_deferred_until, part2_form (Yes/No), part2_form_reason, the three officers'
  initials, chief_executive_approval_date, pcc_approval_date ("" until signed), and background,
  plan_links, personnel_equalities, review_arrangements, risk_management (lists of
  ``{text, bullet, number}``; empty when the workbook leaves them blank), extra (other fields)
- ``funds``: name, allocation, committed, headroom, percent_committed, ring_fenced_total,
  ring_fenced_uncommitted, legal_basis, description (paragraphs), moj (``None`` or
  ``{allocation, supplemented, these}``), sources, lines (service, organisation,
  organisation_type, provision, start, end, extension_options, mechanism, how_commissioned,
  purpose, budget)
- ``sources`` (fund, name, amount, ring_fenced, grant_reference, and for a ring-fenced source
  committed and uncommitted, else ""), ``totals``, ``document_control`` (name, value) and
  ``change_control`` (change, initials_and_date, version)
- ``comparison``: ``None`` when last year's plan was not found, else previous_year,
  previous_reference, moved_count, funds (name; lines: service, organisation, previous_budget,
  budget, change, percent, status; totals: label, previous, current, change, percent) and
  ended (fund, service, organisation, previous_budget). Changes are signed (``+£2,272.73``,
  ``-£19,400``, ``+10.0%``); an amount for a year the line was not in the plan is ``–``.
- ``commitments``: rows (fund, year, committed, options: a row per fund and later financial
  year that carries money), committed and options (their totals); section B's table.

The report is published (Part 1 goes on the website), so the context holds no findings: no
code, cell reference, file path or instruction to an operator reaches it. The findings go to the
internal review note for the Chief Finance Officer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from pipeline import policing_body
from pipeline.docx_changes import comparison_context
from pipeline.docx_text import TextRow, clean, form_field
from pipeline.model import ChangeRecord, Decision, FundingSource, Plan, ServiceLine
from pipeline.reconcile import FundReconciliation
from pipeline.report import Report
from pipeline.values import (
    format_date,
    format_long_date,
    format_millions,
    format_money,
    format_percent,
)

Context = dict[str, Any]

_BULLET = re.compile(r"^\s*[•▪●◦]\s*")
# The loader folds a cell's line breaks into spaces, so a bullet can also start mid-line.
_INLINE_BULLET = re.compile(r"\s+(?=[•▪●◦]\s)")
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?$")
_STRATEGY = re.compile(r"\bstrateg(?:y|ies|aeth|aethau)\b", re.IGNORECASE)
_MOJ_PREFIX = re.compile(r"^\s*(moj|ministry of justice)\b[\s:–—-]*", re.IGNORECASE)


# -- the decision and the funds ------------------------------------------------------------------------------


def _date(value: dt.date | None, month_only: bool = False) -> str:
    return format_date(value, month_only) if value is not None else ""


def _long_date(value: dt.date | None) -> str:
    return format_long_date(value) if value is not None else ""


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def paragraphs(text: str) -> list[dict[str, Any]]:
    """Text typed in a cell as paragraphs: one per line, ``• `` lines as bullets.

    ``number`` counts the non-bullet paragraphs (1, 2, …) for forms that number them 1.1, 1.2.
    """
    result: list[dict[str, Any]] = []
    number = 0
    pieces = (piece for line in clean(text).splitlines() for piece in _INLINE_BULLET.split(line))
    for raw in pieces:
        line = raw.strip()
        if not line:
            continue
        bullet = _BULLET.match(line) is not None
        if bullet:
            line = _BULLET.sub("", line)
        else:
            number += 1
        result.append({"text": line, "bullet": bullet, "number": number if not bullet else ""})
    return result


def _grant_name(source: FundingSource) -> str:
    """``MoJ Victims' Services Grant`` -> ``Victims' Services Grant``."""
    return _MOJ_PREFIX.sub("", source.source).strip() or source.source


def _grant_amount_format(amounts: Iterable[Decimal]) -> Callable[[Decimal], str]:
    """``£0.884m`` as the seed writes a grant, when that is exact for every figure of the
    sentence; otherwise the pounds and pence of the grant letter (``£654,321.09``).

    Rounded to £0.001m, £1,234,567.89 + £456,789.12 + £210,000.50 would read £1.235m +
    £0.457m + £0.210m = £1.901m, a sum that does not add up, and a grant of £412,345.67
    would read £0.412m beside a fund heading of £412,345.67.
    """
    if all(a % 1000 == 0 for a in amounts):
        return format_millions
    return format_money


def moj_narrative(rec: FundReconciliation) -> dict[str, Any] | None:
    """The pieces of the "Ministry of Justice has confirmed ..." sentence, or None.

    One stream: ``Victims' Services Grant allocation will be £0.884m``; several: ``allocations
    will be £0.884m for the Victims' Services Grant and £0.300m for the ... (£1.184m in
    total)``; in pounds and pence when millions would round (:func:`_grant_amount_format`).
    ``supplemented`` when the fund also has money that is not from the MoJ. The Ministry
    confirms what it gives: a stream of £0 (a grant not awarded this year) is left out, not
    printed "£0.000m"; with nothing given there is no sentence.
    """
    moj = tuple(s for s in rec.moj_sources if s.amount > 0)
    if not moj:
        return None
    total = sum((s.amount for s in moj), Decimal(0))
    amount = _grant_amount_format((*(s.amount for s in moj), total))
    if len(moj) == 1:
        pieces = [
            (_grant_name(moj[0]), False),
            (f" allocation will be {amount(moj[0].amount)}", True),
        ]
    else:
        pieces = [("allocations will be", True)]
        for index, source in enumerate(moj):
            joining = " and" if index == len(moj) - 1 else ("," if index else "")
            pieces += [(f"{joining} {amount(source.amount)} for the ", True)]
            pieces += [(_grant_name(source), False)]
        pieces += [(f" ({amount(total)} in total)", True)]
    local = any(not s.is_moj and s.amount > 0 for s in rec.sources)
    return {
        "allocation": clean("".join(piece for piece, _ in pieces)),
        "english": _english_of(pieces),
        "supplemented": local,
        "these": "This Grant is" if len(moj) == 1 else "These Grants are",
    }


def _english_of(pieces: list[tuple[str, bool]]) -> tuple[str, ...]:
    """The English passages of a sentence made of the tool's words (True) and the plan's
    names (False): the tool's, and a name's where it is English, each run of them whole. A
    report in Welsh marks these English; a grant's Welsh name between them is left Welsh."""
    from pipeline.welsh import is_english, parts

    passages: list[str] = []
    current = ""
    for piece, ours in pieces:
        named = [(p, not welsh and is_english(p)) for p, welsh in parts(piece)]
        for text, english in [(piece, True)] if ours else named:
            if english:
                current += text
            elif current.strip():
                passages.append(clean(current).strip(" ,"))
                current = ""
            else:
                current = ""
    if current.strip():
        passages.append(clean(current).strip(" ,"))
    return tuple(passages)


def maker_title(decision: Decision) -> str:
    """The decision maker with the area: "Police and Crime Commissioner for Lincolnshire"
    (policing_body.title: as typed where it names the area or what it is for)."""
    return policing_body.title(decision.maker, decision.police_area)


def _decision(decision: Decision) -> Context:
    return {
        "area": clean(decision.police_area),
        "police_area": clean(decision.police_area),
        "body": clean(decision.body),
        "maker": clean(decision.maker),
        "maker_short": clean(decision.maker_short),
        "maker_title": clean(maker_title(decision)),
        "reference": clean(decision.reference),
        "date": _date(decision.date),
        "date_long": _long_date(decision.date),
        "financial_year": decision.year_label,
        "subject": clean(decision.subject),
        "report_by": form_field(decision.report_by),
        "contact_officer": form_field(decision.contact_officer),
        # The form's cell prints each paragraph as text: a line typed as a bullet keeps its
        # "• " (it lost it, and the list read as plain lines).
        "executive_summary": [
            ("• " if p["bullet"] else "") + p["text"]
            for p in paragraphs(decision.executive_summary)
        ],
        "recommendations": [clean(r) for r in decision.recommendations],
        "budget_approval": _long_date(decision.budget_approval),
        "budget_approval_reference": clean(decision.budget_approval_reference),
        "publication_deferred": _yes_no(decision.publication_deferred),
        "publication_deferred_reason": clean(decision.publication_deferred_reason),
        "publication_deferred_until": _date(decision.publication_deferred_until),
        "part2_form": _yes_no(decision.part2_form),
        "part2_form_reason": clean(decision.part2_form_reason),
        "originating_officer_initials": clean(decision.originating_officer_initials),
        "finance_officer_initials": clean(decision.finance_officer_initials),
        "monitoring_officer_initials": clean(decision.monitoring_officer_initials),
        "chief_executive_approval_date": _date(decision.chief_executive_approval_date),
        "pcc_approval_date": _date(decision.pcc_approval_date),
        "background": paragraphs(decision.background),
        "plan_links": paragraphs(decision.plan_links),
        "personnel_equalities": paragraphs(decision.personnel_equalities),
        "review_arrangements": paragraphs(decision.review_arrangements),
        "risk_management": paragraphs(decision.risk_management),
        "extra": {clean(k): clean(v) for k, v in decision.extra.items()},
    }


class LineRow(TextRow):
    """One service line of the plan appendix (as :class:`ChangeRow` for the changes)."""

    __slots__ = FIELDS = (
        "service",
        "organisation",
        "organisation_type",
        "provision",
        "start",
        "end",
        "extension_options",
        "mechanism",
        "how_commissioned",
        "purpose",
        "budget",
    )

    def __init__(self, line: ServiceLine) -> None:
        self.service = clean(line.service)
        self.organisation = clean(line.organisation)
        self.organisation_type = line.organisation_type
        self.provision = clean(line.provision)
        self.start = _date(line.start, line.start_month_only)
        self.end = _date(line.end, line.end_month_only)
        self.extension_options = clean(line.extension_options)
        self.mechanism = line.mechanism
        self.how_commissioned = clean(line.how_commissioned)
        self.purpose = clean(line.purpose)
        self.budget = format_money(line.budget)


def _fund(rec: FundReconciliation) -> Context:
    # Built in one pass: a 10,000-line plan is formatted in milliseconds.
    lines = [LineRow(line) for line in rec.lines]
    return {
        "name": clean(rec.fund.name),
        "allocation": format_money(rec.allocation),
        "committed": format_money(rec.committed),
        "headroom": format_money(rec.headroom),
        "percent_committed": format_percent(rec.committed, rec.allocation),
        "ring_fenced_total": format_money(rec.ring_fenced_total),
        "ring_fenced_uncommitted": format_money(rec.ring_fenced_uncommitted),
        "legal_basis": clean(rec.fund.legal_basis),
        "description": paragraphs(rec.fund.description),
        "moj": moj_narrative(rec),
        "sources": [_source(s, rec) for s in rec.sources],
        "lines": lines,
        "line_count": len(lines),
    }


def _source(source: FundingSource, rec: FundReconciliation) -> Context:
    """A source; a ring-fenced one (each MoJ stream) also with what its fund's lines use of it
    and what is left, as reported back to the grant body. Blank for other money."""
    use = next((u for u in rec.ring_fence if u.source is source), None)
    return {
        "fund": clean(source.fund),
        "name": clean(source.source),
        "amount": format_money(source.amount),
        "ring_fenced": _yes_no(source.ring_fenced),
        "grant_reference": clean(source.grant_reference),
        "committed": format_money(use.committed) if use is not None else "",
        "uncommitted": format_money(use.uncommitted) if use is not None else "",
    }


def _document_control_value(value: str) -> str:
    # Dates on the Document control sheet arrive as ISO text; show them as the form does.
    match = _ISO_DATETIME.match(value.strip())
    if match:
        return f"{match.group(3)}/{match.group(2)}/{match.group(1)}"
    return clean(value)


def _change(change: ChangeRecord) -> Context:
    """A change-control row as the seed prints it: change · "JD 11/12/2019" · version."""
    when = format_date(change.date) if change.date is not None else ""
    return {
        "change": clean(change.change),
        "initials_and_date": clean(f"{change.initials} {when}".strip()),
        "version": clean(change.version),
    }


def names_a_strategy(decision: Decision) -> bool:
    """Whether the Decision sheet's own words (subject, summary, recommendations) make this a
    strategy's decision: "Commissioning Strategy and Plan 2021/22", or in Welsh "Strategaeth"."""
    texts = (decision.subject, decision.executive_summary, *decision.recommendations)
    return any(_STRATEGY.search(text) for text in texts)


def context(recon: Report, appendix: str = "3") -> Context:
    """Everything the template may print, as text; see the module docstring for the names.

    ``appendix`` is the number (or letter) of the generated Commissioning Plan appendix: 3,
    or the one after the attached strategy's own appendices ("C" after Appendices A and B)."""
    ring_fenced_uncommitted = sum((f.ring_fenced_uncommitted for f in recon.funds), Decimal(0))
    sources_total = sum((f.sources_total for f in recon.funds), Decimal(0))
    funds = [_fund(rec) for rec in recon.funds]
    return {
        "year": recon.decision.year_label,
        # The appendix's title spells the year out as the seed does: "2021 - 2022".
        "year_span": f"{recon.decision.year_start.year} - {recon.decision.year_end.year}",
        "appendix": appendix,
        "strategy_decision": recon.strategy is not None or names_a_strategy(recon.decision),
        "decision": _decision(recon.decision),
        "funds": funds,
        "sources": [source for fund in funds for source in fund["sources"]],
        "totals": {
            "allocation": format_money(recon.allocation),
            "committed": format_money(recon.committed),
            "headroom": format_money(recon.headroom),
            "percent_committed": format_percent(recon.committed, recon.allocation),
            "ring_fenced_uncommitted": format_money(ring_fenced_uncommitted),
            "sources": format_money(sources_total),
            "fund_count": len(recon.funds),
            "line_count": sum(len(f.lines) for f in recon.funds),
        },
        "document_control": [
            {"name": clean(name), "value": _document_control_value(value)}
            for name, value in recon.plan.document_control
        ],
        "change_control": [_change(change) for change in recon.plan.change_control],
        "comparison": comparison_context(recon.comparison),
        "commitments": commitments_context(recon.plan),
    }


def generated_english(ctx: Context) -> set[str]:
    """The English this tool writes into the report of ``ctx`` itself, not the plan's: a long
    date ("28 May 2021"), a month ("April 2021"), Yes and No, the MoJ sentence, the
    comparison's statuses and totals' labels, "After 2031/32", the basis of the later years'
    commitments ("at each line's yearly rate ..."). A report in Welsh marks it English, as it marks the plan's
    (:func:`pipeline.docx_welsh.mark_welsh`): a Welsh voice read "May" as Welsh."""
    decision = ctx["decision"]
    found = {decision["date_long"], decision["budget_approval"], _yes_no(True), _yes_no(False)}
    for fund in ctx["funds"]:
        if fund["moj"] is not None:
            found |= {*fund["moj"]["english"], fund["moj"]["these"]}
        # A date typed as a month is printed as one, in English ("April 2021").
        found |= {day for line in fund["lines"] for day in (line.start, line.end) if _named(day)}
    if ctx["comparison"] is not None:
        for change in ctx["comparison"]["funds"]:
            found |= {line.status for line in change["lines"]}
            found |= {total["label"] for total in change["totals"]}
    found |= {row["year"] for row in ctx["commitments"]["rows"] if row["year"][:1].isalpha()}
    found.add(ctx["commitments"]["basis"])
    return {text for text in found if text}


def _named(day: str) -> bool:
    return any(c.isalpha() for c in day)


def commitments_context(plan: Plan) -> Context:
    """Section B's commitments beyond the year: a row per fund and later financial year that
    carries money (committed to the lines' end dates, and extension options apart), and the
    basis of the figures in words."""
    from pipeline.commitments import YEARLY_RATE, commitments
    from pipeline.later_years import after_shown

    later = commitments(plan)
    # A line running past the later years shown (a contract to 2040): one row "After 2031/32"
    # per fund, so the total is the whole commitment, not one short of it without a word.
    after = after_shown(later)
    rows = [
        {
            "fund": clean(fund.fund),
            "year": year,
            "committed": format_money(committed),
            "options": format_money(options),
        }
        for index, fund in enumerate(later.funds)
        for year, committed, options in zip(
            [y.label for y in later.years] + ([after.label] if after else []),
            (*fund.years, *([after.funds[index][0]] if after else [])),
            (*fund.options, *([after.funds[index][1]] if after else [])),
            strict=True,
        )
        if committed or options
    ]
    # A multi-year plan's own budgets for later years are used where it types them.
    typed = any(line.later_budgets for line in plan.lines)
    return {
        "rows": rows,
        "basis": (
            f"as the plan budgets them, and {YEARLY_RATE} to its end date where it gives no "
            "budget for a year"
            if typed
            else f"{YEARLY_RATE} to its end date"
        ),
        "committed": format_money(
            sum(later.totals, Decimal(0)) + (after.committed if after else 0)
        ),
        "options": format_money(
            sum(later.option_totals, Decimal(0)) + (after.options if after else 0)
        ),
    }
