"""A build is out of date when its comparison would change: last year's plan put in
``input/archive/`` (as I-NO-PREVIOUS says to), taken out or saved again, named with
``--previous``, or dropped into ``input/`` beside this year's plan. Without that a rerun said
"up to date" and the report kept no "Changes from" section, or compared the old plan."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from docx import Document

from pipeline import batch
from pipeline.config import Config
from pipeline.freshness import LastYearLookup
from tests.workbooks import decision_field

PREVIOUS = Path(__file__).resolve().parent / "fixtures" / "lincolnshire-2020-21.xlsx"
REPORT = Path("015-2021") / "RfD-015-2021.docx"


def build(drop: Path, **kwargs: object) -> dict[str, str]:
    """Build ``drop`` into output/ beside it; each workbook's outcome by file name."""
    results, _ = batch.build([drop], drop.parent / "output", Config(), **kwargs)  # type: ignore[arg-type]
    return {Path(r.file).name: r.outcome for r in results}


def changes_heading(drop: Path) -> list[str]:
    document = Document(str(drop.parent / "output" / REPORT))
    return [p.text for p in document.paragraphs if p.text.startswith("Changes from")]


def test_last_years_plan_put_in_the_archive_rebuilds_with_the_comparison(drop: Path) -> None:
    assert build(drop) == {"lincolnshire-2021-22.xlsx": "built"}
    assert changes_heading(drop) == []
    (drop / "archive").mkdir()
    shutil.copy(PREVIOUS, drop / "archive" / "lincolnshire-2020-21.xlsx")
    assert build(drop) == {"lincolnshire-2021-22.xlsx": "built"}
    assert changes_heading(drop) == ["Changes from 2020/21"]
    assert build(drop) == {"lincolnshire-2021-22.xlsx": "up to date"}
    # Taken out of the archive again: the comparison goes with it.
    (drop / "archive" / "lincolnshire-2020-21.xlsx").unlink()
    assert build(drop) == {"lincolnshire-2021-22.xlsx": "built"}
    assert changes_heading(drop) == []


def test_a_plan_named_with_previous_rebuilds_a_report_up_to_date(
    drop: Path, tmp_path: Path
) -> None:
    assert build(drop) == {"lincolnshire-2021-22.xlsx": "built"}
    named = tmp_path / "last-year.xlsx"
    shutil.copy(PREVIOUS, named)
    assert build(drop, previous=named) == {"lincolnshire-2021-22.xlsx": "built"}
    assert changes_heading(drop) == ["Changes from 2020/21"]
    assert build(drop, previous=named) == {"lincolnshire-2021-22.xlsx": "up to date"}


def test_last_years_plan_dropped_beside_this_years_compares_both_ways_once(drop: Path) -> None:
    assert build(drop) == {"lincolnshire-2021-22.xlsx": "built"}
    shutil.copy(PREVIOUS, drop / "lincolnshire-2020-21.xlsx")
    assert build(drop) == {
        "lincolnshire-2020-21.xlsx": "built",
        "lincolnshire-2021-22.xlsx": "built",
    }
    assert changes_heading(drop) == ["Changes from 2020/21"]
    assert set(build(drop).values()) == {"up to date"}


def test_a_new_plan_of_another_year_leaves_the_others_up_to_date(
    drop: Path, sample_path: Path
) -> None:
    """Only a plan of the year before can change a comparison: a new decision of this year
    (or a later one) in input/ does not rebuild the reports already there."""
    from tests.workbooks import make_workbook

    assert build(drop) == {"lincolnshire-2021-22.xlsx": "built"}
    make_workbook(
        drop,
        "another-2021-22.xlsx",
        edit=lambda content: setattr(
            content,
            "decision",
            [(f, "016/2021" if f == "Reference" else v) for f, v in content.decision],
        ),
    )
    assert build(drop) == {
        "another-2021-22.xlsx": "built",
        "lincolnshire-2021-22.xlsx": "up to date",
    }


def test_the_lookup_follows_the_archive_and_the_named_plan_only(tmp_path: Path) -> None:
    drop = tmp_path / "input"
    (drop / "archive").mkdir(parents=True)
    (drop / "plan.xlsx").write_bytes(b"PK this year")

    def lookup(named: Path | None = None, year: int | None = 2021) -> str:
        return LastYearLookup([drop], named, {}).of(year)

    empty = lookup()
    (drop / "other.xlsx").write_bytes(b"PK another decision")  # the run's own: read, not listed
    assert lookup() == empty
    kept = drop / "archive" / "last.xlsx"
    kept.write_bytes(b"PK last year")
    listed = lookup()
    assert listed != empty
    os.utime(kept, ns=(kept.stat().st_atime_ns, kept.stat().st_mtime_ns + 10**9))  # saved again
    assert lookup() not in {empty, listed}
    assert lookup(kept) != lookup(drop / "plan.xlsx")


def test_a_decision_of_another_year_put_away_is_not_looked_at(tmp_path: Path) -> None:
    """The manifest knows the year of a workbook built before it was put in the archive (same
    name, same size): only one of the year before can be last year's plan."""
    drop = tmp_path / "input"
    (drop / "archive").mkdir(parents=True)
    away = drop / "archive" / "away.xlsx"
    away.write_bytes(b"PK a 2021/22 decision")

    def entries(year: str) -> dict[str, dict[str, object]]:
        built = {"workbook_path": str(drop / "away.xlsx"), "size": 21, "financial_year": year}
        return {"input/away.xlsx": built}

    def lookup(year: str) -> str:
        return LastYearLookup([drop], None, entries(year)).of(2021)

    nothing_there = LastYearLookup([tmp_path / "none"], None, {}).of(2021)
    assert lookup("2021/22") == nothing_there  # this year's: not last year's plan
    assert lookup("2020/21") != nothing_there  # last year's: looked at
    assert LastYearLookup([drop], None, {}).of(2021) != nothing_there  # unknown: looked at


def archived_as_of(drop: Path, police_area: str) -> None:
    """Last year's plan in ``drop/archive/``, its Police area typed as ``police_area``."""
    from pipeline.new_workbook import write_workbook
    from scripts.make_sample import previous_content

    content = previous_content()
    decision_field("Police area", police_area)(content)
    (drop / "archive").mkdir()
    write_workbook(drop / "archive" / "last-year.xlsx", content)


def test_last_years_plan_of_the_area_named_with_its_body_is_compared(drop: Path) -> None:
    # "Lincolnshire" this year, "Lincolnshire Police and Crime Commissioner" last year: one
    # area, and the comparison was left out with "put last year's workbook in input/archive/".
    archived_as_of(drop, "Lincolnshire Police and Crime Commissioner")
    assert build(drop) == {"lincolnshire-2021-22.xlsx": "built"}
    assert changes_heading(drop) == ["Changes from 2020/21"]


def test_last_years_plan_of_an_area_typed_otherwise_is_named(drop: Path) -> None:
    archived_as_of(drop, "Lincs")
    results, _ = batch.build([drop], drop.parent / "output", Config())
    [note] = [f.message for f in results[0].findings if f.code == "I-NO-PREVIOUS"]
    assert "010/2020 of 29/05/2020 (" in note and "last-year.xlsx) is the plan of Lincs)" in note
    assert "type the Police area on the Decision sheet of last year's workbook" in note
    assert "(Lincolnshire)" in note and "put last year's workbook in" not in note


def build_one(drop: Path, name: str = "lincolnshire-2021-22.xlsx") -> dict[str, str]:
    """``pcc-report build input/<name>``: the workbook named by itself, not its folder."""
    results, _ = batch.build([drop / name], drop.parent / "output", Config())
    return {Path(r.file).name: r.outcome for r in results}


def test_a_workbook_named_by_itself_is_compared_with_last_years_beside_it(drop: Path) -> None:
    # `pcc-report build input/plan.xlsx` had no Changes section, while a build of input/ had
    # one: last year's plan beside it was looked for only in a run of the folder.
    shutil.copy(PREVIOUS, drop / "lincolnshire-2020-21.xlsx")
    assert build_one(drop) == {"lincolnshire-2021-22.xlsx": "built"}
    assert changes_heading(drop) == ["Changes from 2020/21"]
    assert build_one(drop) == {"lincolnshire-2021-22.xlsx": "up to date"}
    # Last year's saved again (a correction): the comparison is out of date.
    previous = drop / "lincolnshire-2020-21.xlsx"
    os.utime(previous, ns=(previous.stat().st_atime_ns, previous.stat().st_mtime_ns + 10**9))
    assert build_one(drop) == {"lincolnshire-2021-22.xlsx": "built"}


def test_a_workbook_named_by_itself_finds_last_years_in_its_archive(drop: Path) -> None:
    # I-NO-PREVIOUS says "put last year's workbook in input/archive/": that must work for a
    # workbook built by name too.
    (drop / "archive").mkdir()
    shutil.copy(PREVIOUS, drop / "archive" / "lincolnshire-2020-21.xlsx")
    assert build_one(drop) == {"lincolnshire-2021-22.xlsx": "built"}
    assert changes_heading(drop) == ["Changes from 2020/21"]


def test_a_workbook_named_by_itself_lists_its_folder_not_itself(tmp_path: Path) -> None:
    drop = tmp_path / "input"
    drop.mkdir()
    plan = drop / "plan.xlsx"
    plan.write_bytes(b"PK this year")

    def lookup(path: Path) -> str:
        return LastYearLookup([path], None, {}).of(2021)

    alone, folder = lookup(plan), lookup(drop)
    assert alone == folder  # nothing beside it: itself is not looked at
    (drop / "last.xlsx").write_bytes(b"PK last year")
    assert lookup(plan) != alone  # named by itself: the workbook beside it may be last year's
    # In a run of the folder, the workbook beside it is one of the run's own: read in the run.
    assert lookup(drop) == folder
