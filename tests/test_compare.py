"""Year on year: the 2021/22 sample against the 2020/21 fixture, and the matching rule."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.compare import compare
from pipeline.comparison import CONTINUED, ENDED, MOVED, NEW, Comparison
from pipeline.load import load
from pipeline.new_workbook import WorkbookContent
from pipeline.previous import find_previous
from pipeline.reconcile import Reconciliation, reconcile
from tests.workbooks import decision_field, make_workbook, service_row

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
    assert "£22,727.27" in messages["W-UPLIFT"] and "+£2,272.73, +10.0%" in messages["W-UPLIFT"]


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
        edit=decision_field("Financial year", "2020/21"),
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


def renamed(
    rows: Sequence[Sequence[object]], old: str, new: str, column: int
) -> list[list[object]]:
    """``rows`` with ``old`` in ``column`` written ``new``."""
    return [
        [new if cell == old and at == column else cell for at, cell in enumerate(row)]
        for row in rows
    ]


def rename_provider(old: str, new: str) -> Callable[[WorkbookContent], None]:
    """An edit of the sample that renames a delivery organisation on every line."""

    def edit(content: WorkbookContent) -> None:
        content.services = renamed(content.services, old, new, 2)

    return edit


def rename_fund(old: str, new: str) -> Callable[[WorkbookContent], None]:
    """An edit renaming fund ``old`` to ``new`` on every sheet (Funds, sources, Services)."""

    def edit(content: WorkbookContent) -> None:
        content.funds = renamed(content.funds, old, new, 0)
        content.sources = renamed(content.sources, old, new, 0)
        content.services = renamed(content.services, old, new, 0)

    return edit


def test_renamed_provider_is_listed_not_silently_continued(
    tmp_path: Path, previous: Reconciliation
) -> None:
    current = recon_of(
        make_workbook(tmp_path, edit=rename_provider("Crimestoppers", "Crimestoppers Trust"))
    )
    result = compare(current, previous)
    [change] = [c for f in result.funds for c in f.lines if c.line.service == "Crimestoppers"]
    assert change.status == MOVED
    assert change.note == "provider was Crimestoppers"
    assert change in result.unmatched
    [warning] = [f for f in result.findings if f.code == "W-MOVED"]
    assert "confirm it is the same service" in warning.message
    # It names the alias that would pair them, at the provider's cell.
    assert 'add "Crimestoppers Trust" = "Crimestoppers" under [tool.pcc-report.aliases]' in (
        warning.message
    )
    assert warning.cell.startswith("C")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Restorative Solutions CIC", "Restorative Solutions Community Interest Company"),
        ("Safer Living Foundation", "The Safer Living Foundation"),
        ("Safer Living Foundation", "Safer Living Foundation Limited"),
        ("Restorative Solutions CIC", "Restorative Solutions"),
    ],
)
def test_a_provider_typed_with_its_legal_form_or_the_in_full_is_continued(
    tmp_path: Path, previous: Reconciliation, old: str, new: str
) -> None:
    """ "Limited" for "Ltd", a "The" before the name: the same organisation typed another way."""
    current = recon_of(make_workbook(tmp_path, edit=rename_provider(old, new)))
    last_year = compare(current, previous)
    [change] = [c for f in last_year.funds for c in f.lines if c.line.organisation == new]
    assert change.status == CONTINUED
    assert "W-MOVED" not in {f.code for f in last_year.findings}


def move_line(
    service: str, fund: str, organisation: str | None = None
) -> Callable[[WorkbookContent], None]:
    """An edit of the sample putting ``service``'s last line in ``fund`` (with ``organisation``)."""

    def edit(content: WorkbookContent) -> None:
        rows = [list(row) for row in content.services]
        at = max(i for i, row in enumerate(rows) if row[1] == service)
        rows[at][0] = fund
        if organisation is not None:
            rows[at][2] = organisation
        content.services = rows

    return edit


def test_a_line_moved_between_two_funds_of_both_years_names_no_alias(
    tmp_path: Path, previous: Reconciliation
) -> None:
    """An alias "Victims Fund" = "Community Safety Fund" would pair every line of the two
    funds: it is advised only for a fund this plan no longer has."""
    current = recon_of(make_workbook(tmp_path, edit=move_line("Crimestoppers", "Victims Fund")))
    [warning] = [f for f in compare(current, previous).findings if f.code == "W-MOVED"]
    assert warning.message.startswith('"Crimestoppers" matched last year\'s line only by its')
    assert "(fund was Community Safety Fund)" in warning.message
    assert warning.message.endswith(
        "confirm it is the same service, or treat it as one ended and one new."
    )
    assert "aliases" not in warning.message


def test_lines_moved_together_between_two_funds_of_both_years_name_no_alias(
    tmp_path: Path, previous: Reconciliation
) -> None:
    def both(content: WorkbookContent) -> None:
        for service in ("Crimestoppers", "Mental health"):
            move_line(service, "Victims Fund")(content)

    current = recon_of(make_workbook(tmp_path, edit=both))
    [warning] = [f for f in compare(current, previous).findings if f.code == "W-MOVED"]
    assert warning.message.startswith('2 lines of "Victims Fund" (Services rows ')
    assert warning.message.endswith(
        'by service and provider. "Community Safety Fund" is in this plan too: confirm each '
        "moved between the funds."
    )


def test_a_line_given_another_provider_of_this_plan_names_no_alias(
    tmp_path: Path, previous: Reconciliation
) -> None:
    """Victim Support still has lines this year: an alias of EDAN Lincs to it would pair the
    two organisations everywhere."""
    edit = move_line("Stalking and harassment", "Community Safety Fund", "EDAN Lincs")
    current = recon_of(make_workbook(tmp_path, edit=edit))
    [warning] = [f for f in compare(current, previous).findings if f.code == "W-MOVED"]
    assert "(provider was Victim Support)" in warning.message
    assert "aliases" not in warning.message


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


def test_a_renamed_fund_is_one_warning_naming_the_alias_that_pairs_it(
    tmp_path: Path, previous: Reconciliation
) -> None:
    current = recon_of(
        make_workbook(tmp_path, edit=rename_fund("Victims Fund", "Victims' Services Fund"))
    )
    without = compare(current, previous)
    moved = [c for c in without.unmatched if c.status == MOVED]
    assert len(moved) == 9 and all(c.note == "fund was Victims Fund" for c in moved)
    [warning] = [f for f in without.findings if f.code == "W-MOVED"]
    assert warning.message.startswith(
        "9 lines of \"Victims' Services Fund\" (Services rows 4–12) matched last year's lines "
        'of "Victims Fund" by service and provider.'
    )
    assert 'add "Victims\' Services Fund" = "Victims Fund" under [tool.pcc-report.aliases]' in (
        warning.message
    )
    assert (warning.sheet, warning.cell) == ("Services", "A4")

    aliases = {"Victims' Services Fund": "Victims Fund"}  # the alias the warning names
    paired = compare(current, previous, aliases=aliases)
    assert "W-MOVED" not in {f.code for f in paired.findings}
    assert {(c.status, c.line.service) for c in paired.unmatched} == {
        (NEW, "Hate Crime Prevention"),
        (ENDED, "Domestic Abuse Helpline"),
    }
    [victims] = [f for f in paired.funds if f.fund == "Victims' Services Fund"]
    assert (victims.previous_allocation, victims.allocation) == (Decimal(945000), Decimal(1009000))
    assert (victims.previous_moj, victims.moj) == (Decimal(820000), Decimal(884000))
    assert [f.fund for f in paired.funds] == ["Victims' Services Fund", "Community Safety Fund"]


def test_a_line_more_than_last_year_of_a_service_and_provider_is_new_and_says_why(
    tmp_path: Path, previous: Reconciliation
) -> None:
    # The sample has two "Anti-social behaviour" lines with the county council, as last
    # year's plan had; a third is new, but "it matches no line" would be untrue.
    def third(content: WorkbookContent) -> None:
        rows = [list(row) for row in content.services]
        at = max(i for i, row in enumerate(rows) if row[1] == "Anti-social behaviour")
        extra = list(rows[at])
        extra[11] = 3000  # its budget, kept inside the fund's allocation
        rows.insert(at + 1, extra)
        content.services = rows

    current = recon_of(make_workbook(tmp_path, edit=third))
    result = compare(current, previous)
    new = [c for c in result.unmatched if c.status == NEW]
    assert {c.line.service for c in new} == {"Hate Crime Prevention", "Anti-social behaviour"}
    notes = {
        f.message.split('"')[1]: f.message for f in result.findings if f.code == "I-NEW-SERVICE"
    }
    assert notes["Anti-social behaviour"].endswith(
        "is new since 2020/21: last year's plan had 2 lines for this service and provider in "
        "this fund, each matched to another line of this plan."
    )
    assert "it matches no line of" in notes["Hate Crime Prevention"]


def test_a_line_of_a_service_this_plan_has_fewer_of_ends_saying_they_may_be_merged(
    tmp_path: Path, previous: Reconciliation
) -> None:
    """Last year's two LSCP lines with the county council, this year one of £80,933: the one
    left over is not "not in this plan" (the service is)."""

    def merged(content: WorkbookContent) -> None:
        rows = [list(row) for row in content.services]
        lscp = [i for i, row in enumerate(rows) if str(row[1]).startswith("Lincolnshire Children")]
        assert len(lscp) == 2
        rows[lscp[0]][11] = 80933
        del rows[lscp[1]]
        content.services = rows

    result = compare(recon_of(make_workbook(tmp_path, edit=merged)), previous)
    [ended] = [
        f
        for f in result.findings
        if f.code == "I-ENDED-SERVICE" and "Safeguarding Partnership" in f.message
    ]
    assert "£6,000 in 2020/21" in ended.message
    assert "is not in this plan" not in ended.message
    assert (
        "matched no line of this plan: last year's plan had 2 lines for this service and "
        "provider in this fund, this plan has 1. If they were merged into fewer lines, nothing "
        "ends; if this one is being decommissioned, work through the decommissioning checklist"
    ) in ended.message
    [really] = [f for f in result.findings if "Domestic Abuse Helpline" in f.message]
    assert "is not in this plan; if it is being decommissioned" in really.message


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


def variation(source: Path, target: Path, reference: str, when: date) -> Path:
    """``source`` (a 2020/21 plan) as a variation decided on ``when``: Victim Support £270,000
    instead of £260,000, and the Victims Fund's local funding £10,000 more to match."""
    import openpyxl

    book = openpyxl.load_workbook(source)
    book["Decision"]["B3"], book["Decision"]["B4"] = reference, when
    for sheet, old, new in (("Services", 260000, 270000), ("Funds", 945000, 955000)):
        for row in book[sheet].iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value = new
    for row in book["Funding sources"].iter_rows():
        amount = row[2].value
        if row[0].value == "Victims Fund" and "MoJ" not in str(row[1].value):
            assert isinstance(amount, int | float)
            row[2].value = amount + 10000
    book.save(target)
    return target


def archive_of_two(tmp_path: Path, sample_path: Path, when: date) -> Path:
    """input/ with the sample and, in archive/, the 2020/21 plan (010/2020 of 29/05/2020, named
    to come first) and a variation of it (027/2020) decided on ``when``."""
    drop = tmp_path / "input"
    (drop / "archive").mkdir(parents=True)
    (drop / "plan.xlsx").write_bytes(sample_path.read_bytes())
    (drop / "archive" / "a-plan.xlsx").write_bytes(PREVIOUS.read_bytes())
    variation(PREVIOUS, drop / "archive" / "b-variation.xlsx", "027/2020", when)
    return drop


def test_of_two_plans_for_last_year_the_one_decided_last_is_compared(
    tmp_path: Path, sample_path: Path
) -> None:
    """An in-year variation supersedes the plan it varies: it is last year's plan, whichever
    file name comes first, read afresh or from the cache, and a note names the one left."""
    from pipeline import assemble
    from pipeline.config import Config

    drop = archive_of_two(tmp_path, sample_path, date(2020, 11, 2))
    for _ in range(2):  # the second check decodes both from the per-user cache
        [result], _ = assemble.check([drop], Config())
        assert result.report is not None and result.report.comparison is not None
        assert result.report.comparison.previous_reference == "027/2020"
        assert result.previous is not None and result.previous.name == "b-variation.xlsx"
        [victim_support] = [
            c
            for f in result.report.comparison.funds
            for c in f.lines
            if c.line.service == "Victim Support"
        ]
        assert victim_support.previous_budget == Decimal("270000")
        [note] = [f for f in result.findings if f.code == "I-PREVIOUS-CHOSEN"]
        assert (note.sheet, note.cell) == ("Decision", "B5")
        assert "2 2020/21 plans for Lincolnshire were found" in note.message
        assert "027/2020 of 02/11/2020 (" in note.message and "b-variation.xlsx)" in note.message
        assert "not with 010/2020 of 29/05/2020 (" in note.message
        assert "--previous" in note.message
        assert "I-NO-PREVIOUS" not in {f.code for f in result.findings}


def test_two_plans_for_last_year_decided_the_same_day_are_not_chosen_between(
    tmp_path: Path, sample_path: Path
) -> None:
    from pipeline import assemble
    from pipeline.config import Config

    drop = archive_of_two(tmp_path, sample_path, date(2020, 5, 29))
    [result], _ = assemble.check([drop], Config())
    assert result.report is not None and result.report.comparison is None
    [note] = [f for f in result.findings if f.code == "I-NO-PREVIOUS"]
    assert "decided on the same day" in note.message
    assert "010/2020 of 29/05/2020" in note.message and "027/2020 of 29/05/2020" in note.message
    assert note.message.endswith("To include it, name last year's workbook with --previous.")
    assert "I-PREVIOUS-CHOSEN" not in {f.code for f in result.findings}
    # Named, the one meant is compared, whatever else the archive holds.
    named = drop / "archive" / "b-variation.xlsx"
    [result], _ = assemble.check([drop / "plan.xlsx"], Config(), previous=named)
    assert result.report is not None and result.report.comparison is not None
    assert result.report.comparison.previous_reference == "027/2020"


def test_last_years_plan_clashing_with_a_copy_of_itself_is_not_compared(
    tmp_path: Path, sample_path: Path
) -> None:
    """Two copies of last year's plan in the run clash (E-DUPLICATE-REF, both fail): neither
    is read again as a candidate and compared with, as a plan with errors never is."""
    from pipeline import assemble
    from pipeline.config import Config

    drop = tmp_path / "input"
    drop.mkdir()
    (drop / "plan.xlsx").write_bytes(sample_path.read_bytes())
    for name in ("last-a.xlsx", "last-b.xlsx"):
        (drop / name).write_bytes(PREVIOUS.read_bytes())
    results, _ = assemble.check([drop], Config())
    by_name = {Path(r.file).name: r for r in results}
    for name in ("last-a.xlsx", "last-b.xlsx"):
        assert "E-DUPLICATE-REF" in {f.code for f in by_name[name].findings}
    plan = by_name["plan.xlsx"]
    assert plan.report is not None and plan.report.comparison is None
    [note] = [f for f in plan.findings if f.code == "I-NO-PREVIOUS"]
    assert "no 2020/21 plan for Lincolnshire free of errors was found" in note.message


def test_last_years_plan_in_the_archive_with_errors_is_named_in_the_note(
    tmp_path: Path, sample_path: Path
) -> None:
    """Last year's workbook put in archive/ (as I-NO-PREVIOUS asks) but with an error, and a
    file that is no workbook beside it: the note names both and says to check them, instead
    of telling the officer to put there what is already there."""
    import openpyxl

    from pipeline import assemble
    from pipeline.config import Config

    drop = tmp_path / "input"
    (drop / "archive").mkdir(parents=True)
    (drop / "plan.xlsx").write_bytes(sample_path.read_bytes())
    book = openpyxl.load_workbook(PREVIOUS)
    book["Services"]["L2"] = "lots"  # a budget that is no amount: E-VALUE
    book.save(drop / "archive" / "last-year.xlsx")
    (drop / "archive" / "notes.xlsx").write_bytes(b"not a workbook at all")
    [result], _ = assemble.check([drop], Config())
    assert result.report is not None and result.report.comparison is None
    [note] = [f for f in result.findings if f.code == "I-NO-PREVIOUS"]
    unknown = "has errors, so which plan it holds is not known"
    assert f"(input/archive/last-year.xlsx {unknown}; input/archive/notes.xlsx {unknown})" in (
        note.message.replace(str(tmp_path) + "/", "")
    )
    assert "run pcc-report check on the workbook" in note.message
    assert "To include it, put last year's workbook in input/archive/" not in note.message


def test_a_plan_of_another_area_with_errors_is_not_named_as_last_years(
    tmp_path: Path, sample_path: Path
) -> None:
    import openpyxl

    from pipeline import assemble
    from pipeline.config import Config

    drop = tmp_path / "input"
    drop.mkdir()
    (drop / "plan.xlsx").write_bytes(sample_path.read_bytes())
    book = openpyxl.load_workbook(PREVIOUS)
    book["Decision"]["B2"] = "Kent"  # the police area: read that far, it is not last year's
    book.save(drop / "kent.xlsx")
    (drop / "dup.xlsx").write_bytes((drop / "kent.xlsx").read_bytes())  # both E-DUPLICATE-REF
    results, _ = assemble.check([drop], Config())
    plan = next(r for r in results if r.file.endswith("plan.xlsx"))
    [note] = [f for f in plan.findings if f.code == "I-NO-PREVIOUS"]
    assert "kent.xlsx" not in note.message and "dup.xlsx" not in note.message
    assert note.message.endswith(
        "put last year's workbook in input/archive/ or name it with --previous."
    )


def test_a_previous_plan_of_another_area_or_year_is_compared_as_asked_with_a_warning(
    tmp_path: Path, sample_path: Path
) -> None:
    import openpyxl

    from pipeline import assemble
    from pipeline.config import Config

    def named(**cells: str) -> Path:
        book = openpyxl.load_workbook(PREVIOUS)
        for cell, value in cells.items():
            book["Decision"][cell] = value
        path = tmp_path / f"{'-'.join(cells.values())}.xlsx".replace("/", "-")
        book.save(path)
        return path

    [right], _ = assemble.check([sample_path], Config(), previous=PREVIOUS)
    assert "W-PREVIOUS-OTHER" not in {f.code for f in right.findings}
    cases = {
        "Nottinghamshire's 2020/21 plan, not Lincolnshire's 2020/21 plan": named(
            B2="Nottinghamshire"
        ),
        "Lincolnshire's 2019/20 plan, not Lincolnshire's 2020/21 plan": named(B5="2019/20"),
    }
    for says, path in cases.items():
        [result], _ = assemble.check([sample_path], Config(), previous=path)
        assert result.report is not None and result.report.comparison is not None
        [warning] = [f for f in result.findings if f.code == "W-PREVIOUS-OTHER"]
        assert says in warning.message, warning.message
        assert f"010/2020 of 29/05/2020 ({path}" in warning.message
        assert (warning.sheet, warning.cell) == ("Decision", "B5")


def test_find_previous_takes_the_plan_decided_last_in_any_order(
    sample_recon: Reconciliation, previous: Reconciliation, tmp_path: Path
) -> None:
    later = recon_of(variation(PREVIOUS, tmp_path / "v.xlsx", "027/2020", date(2020, 11, 2)))
    same_day = recon_of(variation(PREVIOUS, tmp_path / "s.xlsx", "011/2020", date(2020, 5, 29)))
    assert find_previous(sample_recon, [previous, later]) is later
    assert find_previous(sample_recon, [later, previous]) is later
    assert find_previous(sample_recon, [previous, same_day]) is None


def test_without_a_previous_plan_the_comparison_is_left_out(sample_path: Path) -> None:
    from pipeline import assemble
    from pipeline.config import Config

    [result], _ = assemble.check([sample_path], Config())
    assert result.report is not None and result.report.comparison is None
    [note] = [f for f in result.findings if f.code == "I-NO-PREVIOUS"]
    assert (note.sheet, note.cell) == ("Decision", "B5")
    assert "input/archive/" in note.message
    assert result.status == "ok"


@pytest.mark.parametrize(
    ("this_year", "last_year", "same"),
    [
        ("Lincolnshire", "Lincolnshire Police and Crime Commissioner", True),
        ("North Yorkshire", "Police, Fire and Crime Commissioner for North Yorkshire", True),
        ("Devon & Cornwall", "Devon and Cornwall OPCC", True),
        ("Dyfed-Powys", "Comisiynydd Heddlu a Throseddu Dyfed-Powys", True),
        ("Thames Valley", "the Office of the PCC for Thames Valley", True),
        ("North Wales", "South Wales", False),
        ("Avon and Somerset", "Somerset", False),
        ("Police", "Lincolnshire Police", False),
    ],
)
def test_plans_of_one_area_are_matched_whatever_words_name_its_body(
    this_year: str, last_year: str, same: bool
) -> None:
    from pipeline.previous import area_key

    assert (area_key(this_year) == area_key(last_year)) is same


@pytest.mark.parametrize("named", ["itself", "no plan"])
def test_a_previous_plan_that_cannot_be_compared_is_a_warning_and_no_changes(
    tmp_path: Path, sample_path: Path, named: str
) -> None:
    # This year's own workbook was compared with itself (a Changes sheet with two columns
    # headed 2021/22, which Excel repairs), and a file that is no plan left only a note.
    from pipeline import assemble
    from pipeline.config import Config

    path = sample_path
    if named == "no plan":
        path = tmp_path / "last-year.xlsx"
        path.write_text("not a workbook")
    [result], _ = assemble.check([sample_path], Config(), previous=path)
    assert result.report is not None and result.report.comparison is None
    [warning] = [f for f in result.findings if f.code == "W-PREVIOUS-OTHER"]
    assert f"The plan named with --previous, {path}, is not compared: " in warning.message
    says = {
        "itself": "it is Lincolnshire's 2021/22 plan, not one of a year before this plan's "
        "(2021/22)",
        "no plan": f"it could not be read as a plan free of errors. Run pcc-report check {path}",
    }
    assert says[named] in warning.message
    assert (warning.sheet, warning.cell) == ("Decision", "B5")
    assert "I-NO-PREVIOUS" not in {f.code for f in result.findings}
