"""Properties of the reconciliation over random plans with pence (hypothesis).

Plans are built as model objects, not workbooks, so hundreds of examples stay fast. Whatever
the figures, the sums must be exact: committed + headroom == allocation to the penny, the funds'
committed add up to every line of a known fund, and ring-fence uses never exceed their sources.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import contract
from pipeline.findings import CATALOGUE
from pipeline.model import Decision, Fund, FundingSource, Located, Plan, ServiceLine, TotalRow
from pipeline.reconcile import CODES, ZERO, committed_by_fund, reconcile

EXAMPLES = settings(max_examples=60, deadline=None)
FUND_NAMES = (
    "Victims Fund",
    "Community Safety Fund",
    "Violence Reduction Fund",
    "Safer Streets Fund",
)
YEAR_START, YEAR_END = dt.date(2021, 4, 1), dt.date(2022, 3, 31)

# Up to £2m in pence, so pence are common and sums cross many magnitudes.
money = st.integers(min_value=0, max_value=200_000_000).map(lambda pence: Decimal(pence) / 100)


def decision() -> Decision:
    return Decision(
        police_area="Anyshire",
        reference="001/2021",
        date=dt.date(2021, 5, 1),
        financial_year="2021/22",
        subject="Plan",
        report_by="",
        contact_officer="",
        executive_summary="",
        recommendations=(),
        budget_approval=None,
        budget_approval_reference="",
        publication_deferred=False,
        publication_deferred_reason="",
        publication_deferred_until=None,
        part2_form=False,
        part2_form_reason="",
        originating_officer_initials="",
        finance_officer_initials="",
        monitoring_officer_initials="",
        chief_executive_approval_date=None,
        pcc_approval_date=None,
        background="",
        plan_links="",
        personnel_equalities="",
        review_arrangements="",
        risk_management="",
        year_start=YEAR_START,
        year_end=YEAR_END,
        at=Located("Decision", 2),
    )


def at(sheet: str, row: int, **cells: str) -> Located:
    return Located(sheet, row, {key: f"{col}{row}" for key, col in cells.items()})


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    names = draw(st.lists(st.sampled_from(FUND_NAMES), min_size=1, max_size=4, unique=True))
    funds = tuple(
        Fund(name, draw(money), "", "", at("Funds", row, allocation="B"))
        for row, name in enumerate(names, start=2)
    )
    sources: list[FundingSource] = []
    for fund in funds:
        for _ in range(draw(st.integers(0, 3))):
            row = len(sources) + 2
            sources.append(
                FundingSource(
                    fund.name,
                    draw(st.sampled_from(("MoJ grant", "Local", "Home Office grant"))),
                    draw(money),
                    draw(st.booleans()),
                    "",
                    at("Funding sources", row, amount="C"),
                )
            )
    # Lines name a fund as typed: other case and spacing, or a fund that is not listed.
    typed = (
        st.sampled_from(names).map(lambda n: f" {n.upper()} ")
        | st.sampled_from(names)
        | st.just("Unlisted Fund")
    )
    lines = []
    for row in range(2, 2 + draw(st.integers(0, 15))):
        start = YEAR_START + dt.timedelta(days=draw(st.integers(-800, 400)))
        end = start + dt.timedelta(days=draw(st.integers(-30, 1200)))
        lines.append(
            ServiceLine(
                fund=draw(typed),
                service=f"Service {row % 5}",
                organisation="Org",
                organisation_type=draw(st.sampled_from(contract.ORGANISATION_TYPES)),
                provision="",
                start=start,
                end=end,
                start_month_only=False,
                end_month_only=False,
                extension_options="",
                mechanism=draw(st.sampled_from(contract.MECHANISMS)),
                how_commissioned="",
                purpose=draw(st.sampled_from(("", "Reducing re-offending"))),
                budget=draw(money),
                at=at(
                    "Services",
                    row,
                    fund="A",
                    service="B",
                    start="F",
                    end="G",
                    mechanism="I",
                    purpose="K",
                    budget="L",
                ),
            )
        )
    return Plan("plan.xlsx", decision(), funds, tuple(sources), tuple(lines))


def known_lines_total(plan: Plan) -> Decimal:
    return sum((ln.budget for ln in plan.lines if plan.fund(ln.fund) is not None), ZERO)


@EXAMPLES
@given(plans())
def test_committed_plus_headroom_is_the_allocation_exactly(plan: Plan) -> None:
    recon = reconcile(plan)
    for rec in recon.funds:
        assert type(rec.committed) is Decimal
        assert rec.committed + rec.headroom == rec.allocation
        assert rec.committed == sum((ln.budget for ln in rec.lines), ZERO)
    assert recon.committed + recon.headroom == recon.allocation
    assert recon.allocation == sum((f.allocation for f in plan.funds), ZERO)


@EXAMPLES
@given(plans())
def test_funds_committed_add_up_to_every_known_fund_line(plan: Plan) -> None:
    recon = reconcile(plan)
    total = known_lines_total(plan)
    assert sum((rec.committed for rec in recon.funds), ZERO) == total
    assert sum(committed_by_fund(plan).values(), ZERO) == total
    assert recon.committed == total
    # One E-FUND per unknown fund name (naming its lines' rows), one per source naming one.
    unknown = {ln.fund_key for ln in plan.lines if plan.fund(ln.fund) is None}
    sources = [s for s in plan.sources if plan.fund(s.fund) is None]
    assert len([f for f in recon.findings if f.code == "E-FUND"]) == len(unknown) + len(sources)


@EXAMPLES
@given(plans())
def test_ring_fence_uses_never_exceed_their_sources(plan: Plan) -> None:
    for rec in reconcile(plan).funds:
        for use in rec.ring_fence:
            assert ZERO <= use.committed <= use.source.amount
            assert use.committed + use.uncommitted == use.source.amount
        used = sum((use.committed for use in rec.ring_fence), ZERO)
        # Ring-fenced money is spent first: as much of it as the lines need.
        assert used == min(rec.committed, rec.ring_fenced_total)
        assert rec.ring_fenced_uncommitted == rec.ring_fenced_total - used


@EXAMPLES
@given(plans())
def test_findings_agree_with_the_figures(plan: Plan) -> None:
    recon = reconcile(plan)
    assert {f.code for f in recon.findings} <= CODES
    assert all(f.code in CATALOGUE and f.sheet and f.cell for f in recon.findings)
    over = {f.cell for f in recon.findings if f.code == "E-OVERCOMMIT"}
    headroom = {f.cell for f in recon.findings if f.code == "I-HEADROOM"}
    for rec in recon.funds:
        cell = rec.fund.at.cell("allocation")
        assert (cell in over) == (rec.committed > rec.allocation)
        assert (cell in headroom) == (rec.headroom > 0)
    ring = [f for f in recon.findings if f.code == "W-RINGFENCE"]
    assert len(ring) == sum(1 for rec in recon.funds for u in rec.ring_fence if u.uncommitted)


@EXAMPLES
@given(plans(), st.sampled_from((Decimal("-0.01"), ZERO, Decimal("0.01"))))
def test_a_total_row_a_penny_out_is_caught(plan: Plan, drift: Decimal) -> None:
    closes = tuple(range(len(plan.lines)))
    exact = sum((ln.budget for ln in plan.lines), ZERO)
    total = TotalRow("Total", exact + drift, closes, at("Services", 99, amount="L"))
    recon = reconcile(
        Plan(plan.file, plan.decision, plan.funds, plan.sources, plan.lines, (total,))
    )
    flagged = [f for f in recon.findings if f.code == "E-TOTAL"]
    assert len(flagged) == (1 if drift else 0)
    if drift:
        assert "£0.01" in flagged[0].message
        assert flagged[0].cell == "L99"
