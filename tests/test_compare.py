"""Year on year: the 2021/22 sample against the 2020/21 fixture, and the matching rule."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.compare import CONTINUED, ENDED, MOVED, NEW, Comparison, compare
from pipeline.load import load
from pipeline.new_workbook import WorkbookContent
from pipeline.previous import find_previous
from pipeline.reconcile import Reconciliation, reconcile
from tests.workbooks import make_workbook, service_row

PREVIOUS = Path(__file__).resolve().parent / "fixtures" / "lincolnshire-2020-21.xlsx"


def recon_of(path: Path) -> Reconciliation:
    result = load(path)
    assert result.plan is not None, result.findings
    return reconcile(result.plan)


@pytest.fixture(scope="module")
def previous() -> Reconciliation:
    return recon_of(PREVIOUS)


@pytest.fixture(scope="module")
def comparison(sample_recon: Reconciliation, previous: Reconciliation) -> Comparison:
    return compare(sample_recon, previous)


def test_fund_figures_year_on_year(comparison: Comparison) -> None:
    victims, community = comparison.funds
    assert (victims.fund, victims.previous_allocation, victims.allocation) == (
        "Victims Fund",
        Decimal("945000"),
        Decimal("1009000"),
    )
    assert (victims.previous_moj, victims.moj) == (Decimal(820000), Decimal(884000))
    assert (victims.previous_committed, victims.committed) == (Decimal(824612), Decimal(805212))
    assert victims.committed_change == Decimal(-19400)
    assert (community.previous_committed, community.committed) == (
        Decimal("461785.27"),
        Decimal(464058),
    )
    assert community.committed_change == Decimal("2272.73")


def test_every_line_is_classified(comparison: Comparison) -> None:
    statuses = {
        (c.status, c.line.service)
        for f in comparison.funds
        for c in f.lines
        if c.status != CONTINUED
    }
    assert statuses == {(NEW, "Hate Crime Prevention"), (ENDED, "Domestic Abuse Helpline")}
    continued = [c for f in comparison.funds for c in f.lines if c.status == CONTINUED]
    assert len(continued) == 23
    changed = [
        (c.line.service, c.previous_budget, c.budget, c.change) for c in continued if c.change
    ]
    assert changed == [
        ("Reducing sexual reoffending", Decimal("22727.27"), Decimal(25000), Decimal("2272.73"))
    ]


def test_uplift_percent_is_exact_decimal(comparison: Comparison) -> None:
    [uplift] = [c for f in comparison.funds for c in f.lines if c.status == CONTINUED and c.change]
    assert uplift.percent == Decimal("2272.73") * 100 / Decimal("22727.27")
    assert isinstance(uplift.percent, Decimal)


def test_findings(comparison: Comparison) -> None:
    located = [(f.code, Path(f.file).name, f.sheet, f.cell) for f in comparison.findings]
    assert located == [
        ("I-NEW-SERVICE", "lincolnshire-2021-22.xlsx", "Services", "B13"),
        ("I-ENDED-SERVICE", "lincolnshire-2020-21.xlsx", "Services", "B11"),
        ("W-UPLIFT", "lincolnshire-2021-22.xlsx", "Services", "L24"),
    ]
    messages = {f.code: f.message for f in comparison.findings}
    assert "Appendix 2" in messages["I-ENDED-SERVICE"]
    assert "£22,727.27" in messages["W-UPLIFT"] and "+£2,272.73, 10.0%" in messages["W-UPLIFT"]


def test_uplift_threshold_is_configurable(
    sample_recon: Reconciliation, previous: Reconciliation
) -> None:
    higher = compare(sample_recon, previous, uplift_threshold=Decimal(11))
    assert "W-UPLIFT" not in {f.code for f in higher.findings}


def test_moj_change_without_moving_lines(tmp_path: Path) -> None:
    """The MoJ grant rose but the Victims Fund lines add up to last year's total."""
    prior = make_workbook(
        tmp_path,
        "prior.xlsx",
        services=[
            service_row(budget=Decimal(500000)),
            service_row(
                fund="Community Safety Fund",
                service="Crimestoppers",
                organisation="Crimestoppers",
                purpose="Crime and disorder reduction",
                budget=Decimal(1000),
            ),
        ],
        edit=lambda c: setattr(
            c, "decision", [(k, "2020/21" if k == "Financial year" else v) for k, v in c.decision]
        ),
    )
    now = make_workbook(
        tmp_path,
        "now.xlsx",
        services=[
            service_row(budget=Decimal(500000)),
            service_row(
                fund="Community Safety Fund",
                service="Crimestoppers",
                organisation="Crimestoppers",
                purpose="Crime and disorder reduction",
                budget=Decimal(1000),
            ),
        ],
        edit=lambda c: setattr(
            c,
            "sources",
            [
                ["Victims Fund", "MoJ Victims' Services Grant", Decimal(900000), "Yes", ""],
                ["Victims Fund", "Local supplement", Decimal(109000), "No", ""],
                ["Community Safety Fund", "Police main grant", Decimal(556000), "No", ""],
            ],
        ),
    )
    before = recon_of(prior)
    result = compare(recon_of(now), before)
    [moj] = [f for f in result.findings if f.code == "W-MOJ-CHANGE"]
    assert (moj.sheet, moj.cell) == ("Funding sources", "C2")
    assert "£884,000" in moj.message and "£900,000" in moj.message


def rename_provider(old: str, new: str) -> Callable[[WorkbookContent], None]:
    """An edit of the sample that renames a delivery organisation on every line."""

    def edit(content: WorkbookContent) -> None:
        rows = [list(r) for r in content.services]
        for row in rows:
            if row[2] == old:
                row[2] = new
        content.services = rows

    return edit


def test_renamed_provider_is_listed_not_silently_continued(
    tmp_path: Path, previous: Reconciliation
) -> None:
    renamed = recon_of(
        make_workbook(tmp_path, edit=rename_provider("Crimestoppers", "Crimestoppers Trust"))
    )
    result = compare(renamed, previous)
    [change] = [c for f in result.funds for c in f.lines if c.line.service == "Crimestoppers"]
    assert change.status == MOVED
    assert change.note == "provider was Crimestoppers"
    assert change in result.unmatched
    [warning] = [f for f in result.findings if f.code == "W-MOVED"]
    assert "confirm it is the same service" in warning.message


def test_aliases_fold_abbreviations(tmp_path: Path, previous: Reconciliation) -> None:
    abbreviate = rename_provider("Lincolnshire County Council", "LCC")
    current = recon_of(make_workbook(tmp_path, edit=abbreviate))
    without = compare(current, previous)
    assert sum(c.status == MOVED for c in without.unmatched) == 3  # unique services only
    with_alias = compare(current, previous, aliases={"LCC": "Lincolnshire County Council"})
    assert {(c.status, c.line.service) for c in with_alias.unmatched} == {
        (NEW, "Hate Crime Prevention"),
        (ENDED, "Domestic Abuse Helpline"),
    }


def test_find_previous_by_area_and_year(
    sample_recon: Reconciliation, previous: Reconciliation
) -> None:
    assert find_previous(sample_recon, [sample_recon, previous]) is previous
    assert find_previous(previous, [sample_recon, previous]) is None


def test_check_finds_last_years_plan_in_the_archive_folder(
    tmp_path: Path, sample_path: Path
) -> None:
    from pipeline import assemble
    from pipeline.config import Config

    drop = tmp_path / "input"
    (drop / "archive").mkdir(parents=True)
    (drop / "plan.xlsx").write_bytes(sample_path.read_bytes())
    (drop / "archive" / "last-year.xlsx").write_bytes(PREVIOUS.read_bytes())
    [result], _ = assemble.check([drop], Config())  # the archive itself is not checked
    assert result.report is not None and result.report.comparison is not None
    assert result.report.comparison.previous_year == "2020/21"
    assert {"I-NEW-SERVICE", "I-ENDED-SERVICE", "W-UPLIFT"} <= {f.code for f in result.findings}
    assert result.previous is not None and result.previous.name == "last-year.xlsx"


def test_without_a_previous_plan_the_comparison_is_left_out(sample_path: Path) -> None:
    from pipeline import assemble
    from pipeline.config import Config

    [result], _ = assemble.check([sample_path], Config())
    assert result.report is not None and result.report.comparison is None
    [note] = [f for f in result.findings if f.code == "I-NO-PREVIOUS"]
    assert (note.sheet, note.cell) == ("Decision", "B5")
    assert "input/archive/" in note.message
    assert result.status == "ok"
