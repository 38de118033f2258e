"""Workbooks that leave the input folder: deleted, moved or renamed between runs.

Their outputs must not stay in the output folder looking current, nor be shown as "Up to
date" (or as "Edited by hand") on the index page: the next build moves them to ``stale/``,
keeps their entry as "retired" and says so, and edited copies are kept as always.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import html5lib
import pytest
from click.testing import CliRunner

from pipeline import batch
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.index_page import INDEX
from pipeline.manifest import sha256
from pipeline.manifest_entry import anything_moved, archive_marks, workbook_gone
from pipeline.new_workbook import WorkbookContent
from tests.workbooks import decision_field, make_workbook

NS = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture()
def here(tmp_path: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The office folder, run from: input/ holds the sample and 020/2021."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "input").mkdir()
    shutil.copy(sample_path, tmp_path / "input" / "lincolnshire-2021-22.xlsx")
    make_workbook(
        tmp_path / "input",
        "second.xlsx",
        edit=decision_field("Reference", "020/2021"),
    )
    return tmp_path


def build(**kwargs: Any) -> dict[str, str]:
    results, _ = batch.build([Path("input")], Path("output"), Config(), **kwargs)
    return {r.file: r.outcome for r in results}


def entries() -> dict[str, Any]:
    return dict(json.loads(Path("output/manifest.json").read_text("utf-8"))["workbooks"])


def files(folder: str) -> list[str]:
    root = Path("output") / folder
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def page_sections() -> dict[str, str]:
    """Each decision section of the index page, by its workbook's file name -> its text."""
    page = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(
        (Path("output") / INDEX).read_text("utf-8")
    )
    found = {}
    for section in page.iter(f"{NS}section"):
        if section.get("class") != "decision":
            continue
        said = re.sub(r"\s+", " ", " ".join(section.itertext())).strip()
        workbook = re.search(r"Workbook (\S+) \(SHA-256", said)
        assert workbook, said
        found[workbook.group(1)] = said
    return found


def set_aside_part() -> dict[str, Any]:
    """The index page's "Set aside" section: its text and the files it links to."""
    page = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(
        (Path("output") / INDEX).read_text("utf-8")
    )
    found = [s for s in page.iter(f"{NS}section") if s.get("class") == "set-aside"]
    assert len(found) == 1, "one Set aside section"
    text = re.sub(r"\s+", " ", " ".join(found[0].itertext())).strip()
    links = [a.get("href") for a in found[0].iter(f"{NS}a")]
    for link in links:  # each one leads to a file there
        assert (Path("output") / link).is_file(), link
    return {"text": text, "links": links}


def overview() -> list[str]:
    """The index page's overview rows, as text: which decision, from which workbook, status."""
    page = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(
        (Path("output") / INDEX).read_text("utf-8")
    )
    body = page.find(f".//{NS}nav//{NS}tbody")
    assert body is not None
    return [re.sub(r"\s+", " ", " ".join(row.itertext())).strip() for row in body]


def test_a_deleted_workbooks_outputs_are_set_aside_not_left_current(here: Path) -> None:
    build()
    (here / "input" / "second.xlsx").unlink()
    assert build() == {"input/lincolnshire-2021-22.xlsx": "up to date"}
    # Nothing of 020/2021 is left where a current report would be: all in stale/.
    assert files("020-2021") and all(f.startswith("stale/") for f in files("020-2021"))
    entry = entries()["input/second.xlsx"]
    assert entry["status"] == "retired" and entry["outputs"] == []
    assert sorted(entry["stale"]) == [f"020-2021/{f}" for f in files("020-2021")]
    sections = page_sections()
    assert "Workbook removed" in sections["second.xlsx"]
    assert "Up to date" not in sections["second.xlsx"]
    assert "Up to date" in sections["lincolnshire-2021-22.xlsx"]
    # Said once; the next rerun has nothing to do and writes nothing.
    manifest = Path("output/manifest.json").read_bytes()
    assert build() == {"input/lincolnshire-2021-22.xlsx": "up to date"}
    assert Path("output/manifest.json").read_bytes() == manifest


def test_the_console_says_so_without_verbose(here: Path) -> None:
    build()
    (here / "input" / "second.xlsx").unlink()
    said = CliRunner().invoke(cli, ["build", "input", "--out", "output", "--quiet"]).output
    assert "I-RETIRED" in said and "input/second.xlsx is no longer there" in said
    assert "output/020-2021/stale/" in said


def test_the_only_workbook_deleted(here: Path) -> None:
    build()
    for workbook in (here / "input").iterdir():
        workbook.unlink()
    assert build() == {}
    assert {e["status"] for e in entries().values()} == {"retired"}
    assert all(f.startswith("stale/") for f in files("015-2021") + files("020-2021"))
    assert all("Workbook removed" in s for s in page_sections().values())


def test_a_renamed_and_changed_workbook_is_built_under_its_new_name_and_the_old_one_retired(
    here: Path,
) -> None:
    build()
    (here / "input" / "lincolnshire-2021-22.xlsx").unlink()
    # 015/2021 again under another name, and changed: not the same workbook renamed.
    make_workbook(here / "input", "lincs.xlsx", edit=decision_field("Date", "29/05/2021"))
    assert build()["input/lincs.xlsx"] == "built"
    old, new = entries()["input/lincolnshire-2021-22.xlsx"], entries()["input/lincs.xlsx"]
    assert old["status"] == "retired" and new["status"] == "ok"
    for output in new["outputs"]:  # the new build's files are in place, as recorded
        assert sha256(Path("output") / output["path"]) == output["sha256"]
    sections = page_sections()
    assert "Workbook removed" in sections["lincolnshire-2021-22.xlsx"]
    assert "Edited by hand" not in sections["lincolnshire-2021-22.xlsx"]
    assert "Up to date" in sections["lincs.xlsx"]
    assert not [f for f in files("015-2021") if "edited" in f]
    # Two lines for 015/2021 in the overview: told apart by their workbooks.
    [current, removed] = [row for row in overview() if row.startswith("015/2021")]
    assert "lincs.xlsx" in current and "Up to date" in current
    assert "lincolnshire-2021-22.xlsx" in removed and "Workbook removed" in removed


def test_a_workbook_only_renamed_keeps_its_outputs_and_what_was_sent(here: Path) -> None:
    # "… FINAL.xlsx": the same workbook under a new name. Its outputs stay its own, built
    # again in place under the new name; nothing set aside in stale/, no "Workbook removed"
    # beside it on the index page, and send's log kept.
    build()
    manifest = json.loads(Path("output/manifest.json").read_text("utf-8"))
    sent = [{"sent_at": "2021-05-28T09:30:00+00:00", "to": ["cfo@opcc.example"]}]
    manifest["workbooks"]["input/lincolnshire-2021-22.xlsx"]["sent"] = sent
    Path("output/manifest.json").write_text(json.dumps(manifest), "utf-8")
    final = here / "input" / "lincolnshire-2021-22 FINAL.xlsx"
    (here / "input" / "lincolnshire-2021-22.xlsx").rename(final)
    said = CliRunner().invoke(cli, ["build", "input", "--out", "output", "--quiet"]).output
    assert (
        "input/lincolnshire-2021-22 FINAL.xlsx is input/lincolnshire-2021-22.xlsx renamed "
        "(the same workbook, byte for byte)"
    ) in said
    assert "I-RETIRED" not in said
    assert set(entries()) == {"input/lincolnshire-2021-22 FINAL.xlsx", "input/second.xlsx"}
    entry = entries()["input/lincolnshire-2021-22 FINAL.xlsx"]
    assert entry["status"] == "ok" and entry["sent"] == sent
    assert entry["workbook_path"] == os.path.abspath(final)
    assert not [f for f in files("015-2021") if f.startswith("stale/")]
    findings = json.loads(Path("output/015-2021/findings.json").read_text("utf-8"))
    assert "FINAL" in json.dumps(findings)  # built again: the outputs name the new name
    [row] = [row for row in overview() if row.startswith("015/2021")]
    assert "lincolnshire-2021-22 FINAL.xlsx" in row and "Up to date" in row
    assert build() == {
        "input/lincolnshire-2021-22 FINAL.xlsx": "up to date",
        "input/second.xlsx": "up to date",
    }


def test_an_edited_report_of_a_renamed_workbook_is_kept(here: Path) -> None:
    build()
    word = Path("output/015-2021/RfD-015-2021.docx")
    word.write_bytes(word.read_bytes() + b"\0")  # a person's edit
    edited = word.read_bytes()
    (here / "input" / "lincolnshire-2021-22.xlsx").rename(here / "input" / "final.xlsx")
    assert build()["input/final.xlsx"] == "built"
    assert Path("output/015-2021/stale/RfD-015-2021-edited.docx").read_bytes() == edited
    assert entries()["input/final.xlsx"]["edited"] == ["015-2021/stale/RfD-015-2021-edited.docx"]


def test_a_workbook_renamed_into_two_copies_is_retired_not_guessed(here: Path) -> None:
    build()
    old = here / "input" / "second.xlsx"
    shutil.copy(old, here / "input" / "second copy.xlsx")
    old.rename(here / "input" / "second FINAL.xlsx")
    said = CliRunner().invoke(cli, ["build", "input", "--out", "output"]).output
    assert "I-RENAMED" not in said and "input/second.xlsx is no longer there" in said
    assert entries()["input/second.xlsx"]["status"] == "retired"


def test_an_edited_report_of_a_deleted_workbook_is_kept(here: Path) -> None:
    build()
    word = Path("output/020-2021/RfD-020-2021.docx")
    word.write_bytes(word.read_bytes() + b"\0")  # a person's edit
    edited = word.read_bytes()
    (here / "input" / "second.xlsx").unlink()
    build()
    assert Path("output/020-2021/stale/RfD-020-2021-edited.docx").read_bytes() == edited
    assert "020-2021/stale/RfD-020-2021-edited.docx" in entries()["input/second.xlsx"]["edited"]


def test_a_workbook_put_back_is_built_again_and_its_stale_copies_go(here: Path) -> None:
    build()
    kept = here / "second.xlsx"
    shutil.move(here / "input" / "second.xlsx", kept)
    build()
    shutil.move(kept, here / "input" / "second.xlsx")
    assert build()["input/second.xlsx"] == "built"
    assert entries()["input/second.xlsx"]["status"] == "ok"
    assert not [f for f in files("020-2021") if f.startswith("stale/")]
    assert "Up to date" in page_sections()["second.xlsx"]


def test_last_years_plan_put_in_archive_keeps_its_outputs(here: Path) -> None:
    """input/archive/ is where the README says last year's plan goes for the comparison: the
    decision built from it is the record of that decision, neither removed nor stale."""
    build()
    before = {f: (Path("output/020-2021") / f).read_bytes() for f in files("020-2021")}
    (here / "input" / "archive").mkdir()
    shutil.move(here / "input" / "second.xlsx", here / "input" / "archive" / "second.xlsx")
    said = CliRunner().invoke(cli, ["build", "input", "--out", "output"]).output
    assert "I-RETIRED" not in said
    assert {f: (Path("output/020-2021") / f).read_bytes() for f in files("020-2021")} == before
    assert entries()["input/second.xlsx"]["status"] == "ok"
    section = page_sections()["second.xlsx"]
    assert "Archived" in section and "put away in the archive folder" in section
    assert "Workbook removed" not in section and "Up to date" not in section
    [row] = [row for row in overview() if row.startswith("020/2021")]
    assert "– Archived" in row
    # Nothing else to do: said once, and the page stays as it is.
    manifest = Path("output/manifest.json").read_bytes()
    assert build() == {"input/lincolnshire-2021-22.xlsx": "up to date"}
    assert Path("output/manifest.json").read_bytes() == manifest
    # Taken out of the archive again, back in input/: current again, and said so on the page
    # by a rerun that has nothing to build.
    shutil.move(here / "input" / "archive" / "second.xlsx", here / "input" / "second.xlsx")
    assert set(build().values()) == {"up to date"}
    assert "archived" not in entries()["input/second.xlsx"]
    assert "Up to date" in page_sections()["second.xlsx"]


def test_a_workbook_built_on_its_own_does_not_retire_the_others(here: Path) -> None:
    build()
    results, _ = batch.build([Path("input/second.xlsx")], Path("output"), Config(), force=True)
    assert [r.outcome for r in results] == ["built"]
    assert {e["status"] for e in entries().values()} == {"ok"}
    assert "stale" not in " ".join(files("015-2021"))


STOPPED_AFTER_RETIRING = """
import os
from pathlib import Path
from pipeline import batch
from pipeline.config import Config
def die(*args):  # the workbooks are looked at once the removed one is retired
    os._exit(9)  # as SIGKILL: no clean-up at all
batch.second_look = die
batch.build([Path("input")], Path("output"), Config())
"""


@pytest.mark.slow
def test_a_run_stopped_after_retiring_leaves_the_page_right(here: Path) -> None:
    """The retirement is recorded at once; so is the page. A run killed after it leaves the
    next one nothing to do (it would not redraw the page), so the page must already say it."""
    build()
    (here / "input" / "second.xlsx").unlink()
    root = Path(__file__).resolve().parent.parent
    stopped = subprocess.run(
        [sys.executable, "-c", STOPPED_AFTER_RETIRING],
        cwd=here,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=False,
    )
    assert stopped.returncode == 9
    assert entries()["input/second.xlsx"]["status"] == "retired"
    assert build() == {"input/lincolnshire-2021-22.xlsx": "up to date"}
    assert "Workbook removed" in page_sections()["second.xlsx"]


def test_anything_moved_asks_what_gone_and_archive_marks_ask_in_one_pass(tmp_path: Path) -> None:
    """The no-op rerun's one question (issue 21: one look at each workbook) answers as
    workbook_gone and archive_marks together do, entry by entry."""
    (tmp_path / "input" / "archive").mkdir(parents=True)
    for name in ("here.xlsx", "archive/away.xlsx", "archive/marked.xlsx", "back.xlsx"):
        (tmp_path / "input" / name).write_bytes(b"PK")
    out = tmp_path / "output"

    def entry(name: str, **more: object) -> dict[str, object]:
        return {"workbook_path": str(tmp_path / "input" / name), **more}

    cases = {
        "here": ({"input/here.xlsx": entry("here.xlsx")}, False),
        "deleted": ({"input/gone.xlsx": entry("gone.xlsx")}, True),
        "put away": ({"input/away.xlsx": entry("away.xlsx")}, True),
        "away, marked": ({"input/marked.xlsx": entry("marked.xlsx", archived=True)}, False),
        "back, still marked": ({"input/back.xlsx": entry("back.xlsx", archived=True)}, True),
        "retired already": ({"input/gone.xlsx": entry("gone.xlsx", status="retired")}, False),
    }
    for case, (entries, expected) in cases.items():
        either = any(workbook_gone(k, e, out) for k, e in entries.items()) or bool(
            archive_marks(entries, out)
        )
        assert anything_moved(entries, out) is expected is either, case


def test_a_workbook_now_holding_another_decision_sets_the_old_decisions_reports_aside(
    here: Path,
) -> None:
    """A workbook saved over with the next decision (its Reference changed from 020/2021 to
    021/2021): the reports of 020/2021 are that decision's record, not this build's leftovers.
    They were deleted without a word; now they go to stale/ (so none passes for current), are
    kept there for good, and the build says where."""
    build()
    built = files("020-2021")
    make_workbook(here / "input", "second.xlsx", edit=decision_field("Reference", "021/2021"))
    args = ["build", "input", "--out", "output", "--quiet"]
    said = CliRunner().invoke(cli, args, catch_exceptions=False).output
    assert files("020-2021") == [f"stale/{f}" for f in built]
    assert "RfD-021-2021.docx" in files("021-2021")
    assert "input/second.xlsx held another decision" in said and "021/2021" in said
    assert "output/020-2021/stale/" in said
    # The index page shows them too, once the console's word has scrolled away: the record of
    # that decision is in the folder, linked, and said not to be current.
    aside = set_aside_part()
    assert "Set aside: not current" in aside["text"] and "none of them is current" in aside["text"]
    assert aside["links"] == [f"020-2021/stale/{f}" for f in built]
    # Kept for good: the next builds of the workbook leave them be, and say nothing more.
    said = CliRunner().invoke(cli, [*args, "--force"], catch_exceptions=False).output
    assert files("020-2021") == [f"stale/{f}" for f in built]
    assert "020-2021" not in said


def test_an_edited_report_of_the_old_decision_is_kept_and_said(here: Path) -> None:
    """A report of the decision the workbook held before, edited by hand (a note added to the
    contracts file): kept under a name saying so, as always, and now said where it went; it
    moved to the other folder's stale/ without a word."""
    build()
    edited_csv = here / "output" / "020-2021" / "contracts-2021-22.csv"
    edited_csv.write_text(edited_csv.read_text("utf-8-sig") + "signed copy on S:\n", "utf-8")
    make_workbook(here / "input", "second.xlsx", edit=decision_field("Reference", "021/2021"))
    args = ["build", "input", "--out", "output", "--quiet"]
    said = CliRunner().invoke(cli, args, catch_exceptions=False).output
    assert "stale/contracts-2021-22-edited.csv" in files("020-2021")
    assert "your copy is kept as output/020-2021/stale/contracts-2021-22-edited.csv" in said


def test_the_old_decisions_reports_survive_a_failed_build_in_between(here: Path) -> None:
    """The usual way of it: the workbook saved over with the next decision has an error on the
    first try (the old reports go to stale/ as after any failed build), then is put right. The
    good build deleted the old decision's reports from stale/ as its own leftovers."""
    build()
    built = files("020-2021")

    def next_with_an_error(content: WorkbookContent) -> None:
        decision_field("Reference", "021/2021")(content)
        decision_field("Date", "not a date")(content)

    make_workbook(here / "input", "second.xlsx", edit=next_with_an_error)
    assert build()["input/second.xlsx"] == "failed"
    assert files("020-2021") == [f"stale/{f}" for f in built]
    make_workbook(here / "input", "second.xlsx", edit=decision_field("Reference", "021/2021"))
    said = CliRunner().invoke(cli, ["build", "input", "--out", "output"]).output
    assert files("020-2021") == [f"stale/{f}" for f in built]
    assert "output/020-2021/stale/" in said


def test_a_decision_taken_over_by_another_workbook_keeps_the_new_ones_reports(here: Path) -> None:
    """input/a.xlsx now holds 020/2021, which second.xlsx held until it moved on to 022/2021;
    a.xlsx is built first, into 020-2021/. Building second.xlsx after it took a.xlsx's fresh
    reports for its own leftovers and deleted them: the manifest said they were there, the
    console said built, and the folder held none."""
    make_workbook(here / "input", "a.xlsx", edit=decision_field("Reference", "021/2021"))
    build()
    make_workbook(here / "input", "a.xlsx", edit=decision_field("Reference", "020/2021"))
    make_workbook(here / "input", "second.xlsx", edit=decision_field("Reference", "022/2021"))
    assert build()["input/a.xlsx"] == "built"
    recorded = entries()
    for key in ("input/a.xlsx", "input/second.xlsx"):
        for output in recorded[key]["outputs"]:
            assert sha256(Path("output") / output["path"]) == output["sha256"], output
    assert "RfD-020-2021.docx" in files("020-2021")
    assert "RfD-022-2021.docx" in files("022-2021")
    # The decision 021/2021 a.xlsx held before is kept, set aside.
    assert all(f.startswith("stale/") for f in files("021-2021"))


def test_edited_copies_of_the_old_decision_are_not_filed_under_the_new_one(here: Path) -> None:
    """A report of 020/2021 signed by hand, kept as -edited when the workbook changed, then the
    workbook saved over with 021/2021: the signed copy was listed among 021/2021's files on the
    index page ("Edited copy kept"), the record of one decision filed under another. It is the
    old decision's, set aside: linked under "Set aside: not current", not from 021/2021."""
    build()
    word = Path("output/020-2021/RfD-020-2021.docx")
    word.write_bytes(word.read_bytes() + b"\0")  # signed by hand
    make_workbook(
        here / "input",
        "second.xlsx",
        edit=decision_field("Subject", "Commissioning plan, revised"),
    )
    build()
    signed = "020-2021/stale/RfD-020-2021-edited.docx"
    assert entries()["input/second.xlsx"]["edited"] == [signed]
    make_workbook(here / "input", "second.xlsx", edit=decision_field("Reference", "021/2021"))
    build()
    assert "edited" not in entries()["input/second.xlsx"] or not any(
        path.startswith("020-2021/") for path in entries()["input/second.xlsx"]["edited"]
    )
    assert "RfD-020-2021-edited.docx" not in page_sections()["second.xlsx"]
    assert signed in set_aside_part()["links"]
    assert Path("output", signed).is_file()
    build(force=True)  # kept for good: a later build neither records nor removes it
    assert Path("output", signed).is_file() and signed in set_aside_part()["links"]


def test_a_failed_workbooks_subject_and_year_are_shown_when_they_could_be_read(
    here: Path,
) -> None:
    """A workbook failing on one unreadable Services cell: its Decision sheet was read, yet the
    index page showed "–" for its subject and financial year, as for a workbook of which
    nothing could be read. A year that could not be read is not made up."""

    def bad_budget(content: WorkbookContent) -> None:
        decision_field("Subject", "Victims' services plan 2021/22")(content)
        rows = [list(r) for r in content.services]
        rows[0][rows[0].index(next(v for v in rows[0] if isinstance(v, int | float)))] = "lots"
        content.services = rows

    make_workbook(here / "input", "second.xlsx", edit=bad_budget)
    assert build()["input/second.xlsx"] == "failed"
    record = entries()["input/second.xlsx"]
    assert (record["subject"], record["financial_year"]) == (
        "Victims' services plan 2021/22",
        "2021/22",
    )
    [row] = [r for r in overview() if "second.xlsx" in r]
    assert "Victims' services plan 2021/22 2021/22" in row

    def bad_year(content: WorkbookContent) -> None:
        bad_budget(content)
        decision_field("Financial year", "next year")(content)

    make_workbook(here / "input", "second.xlsx", edit=bad_year)
    assert build()["input/second.xlsx"] == "failed"
    record = entries()["input/second.xlsx"]
    assert (record["subject"], record["financial_year"]) == ("Victims' services plan 2021/22", "")
