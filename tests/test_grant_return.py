"""The position workbook's MoJ grant return read back with openpyxl, for one MoJ grant, two
grants funding one fund, and two grants funding two funds: no service's spend is shown twice,
and what each fund's block counts against its grants adds up to the sheet's MoJ total."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pipeline.commitments import commitments
from pipeline.ledger import read_ledgers
from pipeline.model import FundingSource, Plan
from pipeline.position import Position, build_position
from pipeline.render_position import render_position
from tests.make_ledger import write_ledger
from tests.office import convert
from tests.test_position import sample_with_cost_codes

SHEET = "MoJ grant return"
Row = tuple[object, ...]


def source(like: FundingSource, name: str, amount: str, ring_fenced: bool = True) -> FundingSource:
    return dataclasses.replace(
        like, source=name, amount=Decimal(amount), ring_fenced=ring_fenced, grant_reference=""
    )


def two_grants_one_fund(plan: Plan) -> tuple[FundingSource, ...]:
    """The sample's £884,000 Victims' Services Grant as two ring-fenced MoJ grants, and a
    third, not ring-fenced, of £0 (as an office lists a grant it did not get this year)."""
    vsg, local, police = plan.sources
    return (
        dataclasses.replace(vsg, amount=Decimal("700000.00"), grant_reference="VSG-21"),
        source(vsg, "Ministry of Justice ISVA/IDVA uplift", "184000.00"),
        source(vsg, "MoJ Domestic Abuse Safe Accommodation", "0.00", ring_fenced=False),
        local,
        police,
    )


def two_grants_two_funds(plan: Plan) -> tuple[FundingSource, ...]:
    vsg, local, police = plan.sources
    return (
        vsg,
        local,
        source(police, "MoJ Domestic Abuse Grant", "100000.00"),
        dataclasses.replace(police, amount=Decimal("456000.00")),
    )


@pytest.fixture(scope="module")
def payments(tmp_path_factory: pytest.TempPathFactory) -> object:
    ledger = write_ledger(tmp_path_factory.mktemp("spend") / "ledger-2021-22.csv")
    return read_ledgers([ledger]).payments


def rendered(payments: object, folder: Path, sources: object = None) -> tuple[Position, Path]:
    plan = sample_with_cost_codes()
    if sources is not None:
        plan = dataclasses.replace(plan, sources=sources(plan))  # type: ignore[operator]
    position = build_position(plan, payments)  # type: ignore[arg-type]
    assert position is not None
    target = folder / "position.xlsx"
    render_position(position, commitments(plan), target)
    return position, target


def rows(path: Path) -> list[Row]:
    sheet = openpyxl.load_workbook(path, data_only=True)[SHEET]
    return [tuple(r) for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]


def row(found: Sequence[Row], label: str) -> Row:
    matching = [r for r in found if r[0] == label]
    assert len(matching) == 1, (label, matching)
    return matching[0]


def money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def moj_spent(position: Position) -> tuple[Decimal, Decimal]:
    streams = [s for s in position.streams if s.source.is_moj]
    return (
        sum((s.spent for s in streams), Decimal(0)),
        sum((s.forecast for s in streams), Decimal(0)),
    )


def text(found: Sequence[Row]) -> str:
    return "\n".join(str(v) for r in found for v in r if isinstance(v, str))


def check_blocks_add_up(position: Position, found: Sequence[Row]) -> None:
    """Each service once; each fund block's 'of which' rows add up to its total; the grants'
    'of which' rows over every block add up to the sheet's total against MoJ grants."""
    plan = position.plan
    funded = {f.key for f in plan.funds if any(s.is_moj for s in plan.sources_of(f))}
    expected = Counter((ln.service, ln.organisation) for ln in plan.lines if ln.fund_key in funded)
    listed = Counter((r[0], r[1]) for r in found)
    every = {(ln.service, ln.organisation) for ln in plan.lines}
    assert {key: listed[key] for key in every} == {key: expected[key] for key in every}
    total = row(found, "Total, MoJ grants")
    spent, forecast = moj_spent(position)
    assert (money(total[3]), money(total[4])) == (spent, forecast)
    against = [r for r in found if str(r[0]).startswith("of which ")]
    grants = [r for r in against if "other money" not in str(r[0])]
    assert sum(money(r[3]) for r in grants) == spent
    assert sum(money(r[4]) for r in grants) == forecast
    for fund in position.funds:
        block = [r for r in found if r[0] == f"Total, {fund.fund.name}"]
        if not block:
            continue
        start = found.index(block[0])
        shares = []
        for later in found[start + 1 :]:
            if not str(later[0]).startswith("of which "):
                break
            shares.append(later)
        assert money(block[0][3]) == fund.spent
        assert money(block[0][4]) == fund.forecast
        assert sum(money(r[3]) for r in shares) == fund.spent
        assert sum(money(r[4]) for r in shares) == fund.forecast


def test_two_grants_one_fund_list_its_services_once(payments: object, tmp_path: Path) -> None:
    """The acceptance report's West Yorkshire case: under the second grant's row (£0 spent)
    came every Victims Fund service again with the fund's whole spend, the same block as under
    the first; a reader adding the blocks counted the spend twice."""
    position, path = rendered(payments, tmp_path, two_grants_one_fund)
    found = rows(path)
    check_blocks_add_up(position, found)
    vsg = row(found, "MoJ Victims' Services Grant")
    assert (vsg[5], money(vsg[2]), vsg[1]) == ("VSG-21", Decimal("700000.00"), "Victims Fund")
    assert money(vsg[4]) == Decimal("700000.00")  # ring-fenced money spent first, in order
    uplift = row(found, "Ministry of Justice ISVA/IDVA uplift")
    assert money(uplift[3]) == 0 and money(uplift[4]) == Decimal("103198.64")
    of_uplift = row(found, "of which Ministry of Justice ISVA/IDVA uplift")
    assert money(of_uplift[4]) == Decimal("103198.64")
    words = text(found)
    assert "Victims Fund: its services, paid for by MoJ Victims' Services Grant, " in words
    assert "does not say which grant pays for which service" in words
    # Not ring-fenced: listed with its allocation, its spend not told apart from the fund's.
    dasa = row(found, "MoJ Domestic Abuse Safe Accommodation")
    assert money(dasa[2]) == 0 and dasa[3] is None and dasa[4] is None
    assert "MoJ Domestic Abuse Safe Accommodation is not ring-fenced" in words


def test_two_grants_two_funds_each_block_names_its_own(payments: object, tmp_path: Path) -> None:
    position, path = rendered(payments, tmp_path, two_grants_two_funds)
    found = rows(path)
    check_blocks_add_up(position, found)
    assert row(found, "MoJ Domestic Abuse Grant")[1] == "Community Safety Fund"
    words = text(found)
    assert "Community Safety Fund: its services, paid for by MoJ Domestic Abuse Grant" in words
    assert "Victims Fund: its services, paid for by MoJ Victims' Services Grant and" in words
    assert "does not say which" not in words  # one grant to each fund


def test_one_grant(payments: object, tmp_path: Path) -> None:
    position, path = rendered(payments, tmp_path)
    found = rows(path)
    check_blocks_add_up(position, found)
    vsg = row(found, "of which MoJ Victims' Services Grant")
    assert money(vsg[3]) == Decimal("325155.46")
    other = row(found, "of which the fund's other money")
    fund = next(f for f in position.funds if f.fund.name == "Victims Fund")
    assert money(other[3]) == fund.spent - Decimal("325155.46")
    assert not any(r[0] == "Total, Community Safety Fund" for r in found)  # no MoJ grant
    assert "does not say which" not in text(found)


def test_no_moj_grant_says_so(payments: object, tmp_path: Path) -> None:
    _, path = rendered(
        payments, tmp_path, lambda plan: tuple(s for s in plan.sources if not s.is_moj)
    )
    found = rows(path)
    assert not any(r[0] == "Total, MoJ grants" for r in found)
    assert "names no MoJ grant" in text(found)


@pytest.mark.slow
def test_libreoffice_recalculates_the_return_to_the_same_figures(
    payments: object, tmp_path: Path
) -> None:
    _, path = rendered(payments, tmp_path, two_grants_one_fund)
    recalculated = convert(path, "xlsx", tmp_path / "recalc")
    ours, theirs = rows(path), rows(recalculated)
    assert len(ours) == len(theirs)
    for mine, office in zip(ours, theirs, strict=True):
        for a, b in zip(mine, office, strict=False):
            if isinstance(a, (int, float)):
                assert money(a) == money(b), (mine, office)


def test_the_review_note_puts_each_grant_under_its_fund(payments: object, tmp_path: Path) -> None:
    """The review note's position table listed the funds, then the grants as rows of their
    own: Victims Fund £325,155.46 spent and the Victims' Services Grant £325,155.46 again, a
    column that a reader adding it counts twice. Each grant is now an "of which" row under its
    fund, and the note says so."""
    import docx

    from pipeline.review import render_review

    position, _ = rendered(payments, tmp_path, two_grants_one_fund)
    target = tmp_path / "review.docx"
    render_review(target, [], position.plan, position=position)
    note = docx.Document(str(target))
    table = next(t for t in note.tables if t.rows[0].cells[0].text.startswith("Fund"))
    names = [row.cells[0].text for row in table.rows[1:]]
    assert names == [
        "Victims Fund",
        "of which MoJ Victims' Services Grant (ring-fenced)",
        "of which Ministry of Justice ISVA/IDVA uplift (ring-fenced)",
        "Community Safety Fund",
    ]
    words = "\n".join(p.text for p in note.paragraphs)
    assert "part of the fund's figures, not added to them" in words
