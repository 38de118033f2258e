"""Edits are never lost (#15): an output a person changed is left alone, or set aside in
stale/ under a name saying so, never overwritten or deleted; the console says where it went."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline import batch
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.manifest import sha256
from tests.workbooks import decision_field, make_workbook

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "015-2021"
DOCX = "RfD-015-2021.docx"
XLSX = "commissioning-summary-2021-22.xlsx"
PDF = "RfD-015-2021.pdf"


def build(drop: Path, out: Path, **options: object) -> batch.WorkbookResult:
    config = Config(pdf=bool(options.pop("pdf", False)))
    [result], _ = batch.build([drop], out, config, **options)  # type: ignore[arg-type]
    return result


def edit(path: Path) -> bytes:
    """A person's change that keeps the size (so only a hash can tell)."""
    data = bytearray(path.read_bytes())
    data[-30] ^= 0x01
    path.write_bytes(bytes(data))
    return bytes(data)


def manifest(out: Path) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = json.loads((out / "manifest.json").read_text())[
        "workbooks"
    ]
    return entries


def change_workbook(drop: Path) -> None:
    def reword(content: object) -> None:
        rows = [list(r) for r in content.services]  # type: ignore[attr-defined]
        rows[0][4] = f"{rows[0][4]} (revised)"
        content.services = rows  # type: ignore[attr-defined]

    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=reword)


@pytest.mark.parametrize("name", [DOCX, XLSX])
def test_an_edit_with_nothing_changed_is_left_in_place(
    drop: Path, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out"
    build(drop, out)
    edited = edit(out / FOLDER / name)
    result = build(drop, out)
    assert result.outcome == "up to date"
    assert result.edited == [(out.resolve() / FOLDER / name, None)]
    assert (out / FOLDER / name).read_bytes() == edited
    assert not (out / FOLDER / "stale").exists()
    said = CliRunner().invoke(cli, ["build", str(drop), "--out", str(out)]).output
    assert f"{name} was edited after it was built; left as it is" in said
    assert "--force rebuilds it and keeps your copy in stale/" in said


@pytest.mark.parametrize("how", ["force", "workbook changed"])
@pytest.mark.parametrize("name", [DOCX, XLSX])
def test_a_rebuild_moves_the_edited_copy_to_stale(
    drop: Path, tmp_path: Path, name: str, how: str
) -> None:
    out = tmp_path / "out"
    build(drop, out)
    edited = edit(out / FOLDER / name)
    if how == "workbook changed":
        change_workbook(drop)
    result = build(drop, out, force=how == "force")
    assert result.outcome == "built"
    kept = out.resolve() / FOLDER / "stale" / name.replace(".", "-edited.", 1)
    assert result.edited == [(out.resolve() / FOLDER / name, kept)]
    assert kept.read_bytes() == edited
    assert (out / FOLDER / name).read_bytes() != edited  # the fresh one is in place
    # Kept for good: later builds (good ones included) never delete it.
    edit(out / FOLDER / name)
    second = build(drop, out, force=True)
    again = out.resolve() / FOLDER / "stale" / name.replace(".", "-edited-2.", 1)
    assert second.edited == [(out.resolve() / FOLDER / name, again)]
    build(drop, out, force=True)
    assert kept.read_bytes() == edited and again.exists()
    entry = next(iter(manifest(out).values()))
    assert sorted(entry["edited"]) == sorted(f"{FOLDER}/stale/{p.name}" for p in (kept, again))


def test_the_console_names_where_the_edited_copy_went(drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(drop, out)
    edit(out / FOLDER / DOCX)
    said = CliRunner().invoke(cli, ["build", str(drop), "--out", str(out), "--force"]).output
    assert f"{DOCX} was edited after it was built; your copy is kept as " in said
    assert f"stale/{DOCX.replace('.', '-edited.')}" in said


def test_an_edit_of_a_failing_workbooks_report_is_kept(drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(drop, out)
    edited = edit(out / FOLDER / DOCX)

    def broken(content: object) -> None:
        rows = [list(r) for r in content.services]  # type: ignore[attr-defined]
        rows[0][11] = "lots"
        content.services = rows  # type: ignore[attr-defined]

    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=broken)
    failed = build(drop, out)
    assert failed.outcome == "failed"
    kept = out.resolve() / FOLDER / "stale" / DOCX.replace(".", "-edited.")
    assert kept.read_bytes() == edited
    shutil.copy(Path(__file__).parent.parent / "input" / "lincolnshire-2021-22.xlsx", drop)
    assert build(drop, out).outcome == "built"
    assert kept.read_bytes() == edited  # a good build later does not delete it


def test_an_edited_pdf_is_kept(drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    fake_pdf(monkeypatch)
    build(drop, out, pdf=True)
    edited = edit(out / FOLDER / PDF)
    change_workbook(drop)
    result = build(drop, out)  # without --pdf: no PDF made, the edited one kept
    assert result.outcome == "built"
    assert (out / FOLDER / "stale" / "RfD-015-2021-edited.pdf").read_bytes() == edited


def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDF maker that needs no LibreOffice: the bytes only have to come from the docx."""
    import pipeline.pdf

    def to_pdf(docx: Path, target: Path, dated: object = None, timeout: float = 0) -> None:
        target.write_bytes(b"%PDF-1.7\n" + sha256(docx).encode() + b"\n%%EOF\n")

    monkeypatch.setattr(pipeline.pdf, "to_pdf", to_pdf)


def test_a_build_without_pdf_keeps_a_current_pdf(
    drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    fake_pdf(monkeypatch)
    built = build(drop, out, pdf=True)
    pdf = out / FOLDER / PDF
    made = pdf.read_bytes()
    assert pdf.resolve() in built.outputs
    assert build(drop, out).outcome == "up to date"  # no --pdf: still up to date
    assert pdf.read_bytes() == made
    # A forced rebuild keeps the PDF when its Word report comes out byte for byte the same
    # (and records it), and removes it when not: it would no longer match the report.
    docx_before = sha256(out / FOLDER / DOCX)
    forced = build(drop, out, force=True)
    if sha256(out / FOLDER / DOCX) == docx_before:
        assert pdf.read_bytes() == made
        assert pdf.resolve() in forced.outputs
    else:
        assert not pdf.exists() and not (out / FOLDER / "stale").exists()
        build(drop, out, pdf=True)
    # A changed workbook makes the PDF out of date: it goes (it was not edited).
    change_workbook(drop)
    build(drop, out)
    assert not pdf.exists()
    assert not (out / FOLDER / "stale").exists()


def test_up_to_date_compares_hashes_not_sizes(drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(drop, out)
    before = (out / FOLDER / XLSX).stat().st_size
    edit(out / FOLDER / XLSX)
    assert (out / FOLDER / XLSX).stat().st_size == before
    result = build(drop, out)
    assert result.edited  # seen although the size is the same


def test_an_unrecorded_file_in_the_way_is_not_overwritten(drop: Path, tmp_path: Path) -> None:
    """With the manifest lost, a report already there may be someone's: it is kept."""
    out = tmp_path / "out"
    build(drop, out)
    mine = edit(out / FOLDER / DOCX)
    (out / "manifest.json").unlink()
    result = build(drop, out)
    assert result.outcome == "built"
    assert (out / FOLDER / "stale" / DOCX.replace(".", "-edited.")).read_bytes() == mine


KILLED_BUILD = """
import sys
from pathlib import Path
from pipeline import batch
from pipeline.config import Config
batch.build([Path(sys.argv[1])], Path(sys.argv[2]), Config(), force=True)
print("DONE", flush=True)
"""


@pytest.mark.slow
def test_sigkill_at_random_points_never_leaves_an_inconsistent_folder(
    drop: Path, tmp_path: Path
) -> None:
    """Twenty builds killed at random points: the next run never says "up to date" over an
    output whose hash disagrees with the manifest, and never calls the tool's file edited."""
    out = tmp_path / "out"
    build(drop, out)
    chance = random.Random(15)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for round_ in range(20):
        if round_ % 4 == 1:
            change_workbook(drop) if round_ % 8 == 1 else shutil.copy(
                ROOT / "input" / "lincolnshire-2021-22.xlsx", drop
            )
        process = subprocess.Popen(
            [sys.executable, "-c", KILLED_BUILD, str(drop), str(out)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chance.uniform(0.3, 4.0))  # where it is killed, not a limit on how long
        process.send_signal(signal.SIGKILL)
        process.wait()
        result = build(drop, out)
        assert not result.edited, (round_, result.edited)
        entry = manifest(out)[result.file]
        for output in entry["outputs"]:
            path = out / output["path"]
            assert sha256(path) == output["sha256"], (round_, result.outcome, output["path"])
        assert build(drop, out).outcome == "up to date"
    assert not list((out / FOLDER).glob("stale/*edited*"))


KILLED_AFTER_MOVING = """
import os, sys
from pathlib import Path
from pipeline import batch, deliver
from pipeline.config import Config
real = deliver.Staging.commit
def commit_then_die(self):
    real(self)
    os._exit(9)  # as SIGKILL: no clean-up, no manifest written after the move
deliver.Staging.commit = commit_then_die
batch.build([Path(sys.argv[1])], Path(sys.argv[2]), Config(), force=True)
"""


@pytest.mark.slow
def test_killed_between_moving_outputs_and_recording_them(drop: Path, tmp_path: Path) -> None:
    """The hole of a kill after the outputs moved and before the manifest was written: the
    next run neither says "up to date" over them nor takes them for a person's edits."""
    out = tmp_path / "out"
    build(drop, out)
    change_workbook(drop)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_MOVING, str(drop), str(out)], env=env, check=False
    )
    assert killed.returncode == 9
    entry = manifest(out)[next(iter(manifest(out)))]
    assert entry["status"] == "interrupted"
    result = build(drop, out)
    assert result.outcome == "built" and result.edited == []
    assert not (out / FOLDER / "stale").exists()
    for output in manifest(out)[result.file]["outputs"]:
        assert sha256(out / output["path"]) == output["sha256"]
    assert build(drop, out).outcome == "up to date"


def test_a_save_while_the_workbook_is_read_is_not_lost(
    drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest records the hash of the very bytes the report was made from. A person who
    saves the workbook after its bytes were read, but before the build recorded them, gets a
    rebuild on the next run, not "up to date" over a report of the old bytes."""
    import hashlib

    import pipeline.load
    import pipeline.reconcile

    out = tmp_path / "out"
    workbook = drop / "lincolnshire-2021-22.xlsx"
    parsed: list[str] = []  # the SHA-256 of the bytes each load parsed (nothing else changed)
    saved: list[str] = []  # the SHA-256 of the workbook the person saved
    real_load, real_reconcile = pipeline.load.load, pipeline.reconcile.reconcile

    def load_and_note(path: Path | str, label: str | None = None) -> object:
        parsed.append(hashlib.sha256(Path(path).read_bytes()).hexdigest())
        return real_load(path, label)

    def reconcile_while_saved(plan: object, config: Config) -> object:
        if not saved:  # the bytes are read; the save lands before the build records them
            change_workbook(drop)
            saved.append(sha256(workbook))
        return real_reconcile(plan, config)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.load, "load", load_and_note)
    monkeypatch.setattr(pipeline.reconcile, "reconcile", reconcile_while_saved)
    [first], _ = batch.build([drop], out, Config())
    monkeypatch.undo()
    assert first.outcome == "built" and saved and parsed
    assert manifest(out)[first.file]["sha256"] == parsed[-1] != saved[0]
    again = build(drop, out)
    assert again.outcome == "built"  # the save is built, not taken as up to date
    assert manifest(out)[first.file]["sha256"] == saved[0] == sha256(workbook)


def test_manifest_lost_and_workbook_now_failing_sets_the_old_report_aside(
    drop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(drop, out)
    report = (out / FOLDER / DOCX).read_bytes()
    (out / "manifest.json").unlink()

    def broken(content: object) -> None:
        rows = [list(r) for r in content.services]  # type: ignore[attr-defined]
        rows[0][11] = "lots"
        content.services = rows  # type: ignore[attr-defined]

    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=broken)
    said = CliRunner().invoke(cli, ["build", str(drop), "--out", str(out)]).output
    assert not (out / FOLDER / DOCX).exists()
    assert (out / FOLDER / "stale" / DOCX).read_bytes() == report
    assert f"{DOCX} is from an earlier build that the manifest no longer records" in said
    assert "so nobody sends it as current" in said
    # Kept: the good build that follows does not delete it.
    shutil.copy(ROOT / "input" / "lincolnshire-2021-22.xlsx", drop)
    assert build(drop, out).outcome == "built"
    assert (out / FOLDER / "stale" / DOCX).read_bytes() == report


def test_a_rerun_with_nothing_to_do_leaves_the_index_page_alone(drop: Path, tmp_path: Path) -> None:
    """A no-op rerun only hashes and reads the manifest (issue 21): it does not draw the page
    again, unless an output was edited since (the page says so) or the page is missing."""
    out = tmp_path / "out"
    build(drop, out)
    page = out / "index.html"
    drawn = page.read_bytes()
    page.write_bytes(b"<!-- left as it was -->")
    assert build(drop, out).outcome == "up to date"
    assert page.read_bytes() == b"<!-- left as it was -->"
    page.unlink()
    assert build(drop, out).outcome == "up to date"
    assert page.read_bytes() == drawn
    edit(out / FOLDER / DOCX)
    assert build(drop, out).outcome == "up to date"
    assert "Edited by hand" in page.read_text(encoding="utf-8")


# pcc-report, killed (as by SIGKILL: no clean-up at all) once it has moved the first
# argv[3] outputs of the build into place, the rest still under their temporary names.
KILLED_MID_MOVE = """
import os, sys
from pathlib import Path
from pipeline import batch, deliver
from pipeline.config import Config
def commit_some_then_die(self):
    for name, temp in list(self.staged.items())[: int(sys.argv[3])]:
        os.replace(temp, self.folder / name)
    os._exit(9)
deliver.Staging.commit = commit_some_then_die
batch.build([Path(sys.argv[1])], Path(sys.argv[2]), Config(), force=True)
"""


def killed_mid_move(drop: Path, out: Path, moved: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PCC_REPORT_CACHE": "off"}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MID_MOVE, str(drop), str(out), str(moved)],
        env=env,
        check=False,
    )
    assert killed.returncode == 9


def reword_subject(drop: Path, subject: str) -> None:
    make_workbook(
        drop,
        "lincolnshire-2021-22.xlsx",
        edit=decision_field("Subject", subject),
    )


@pytest.mark.slow
def test_a_killed_runs_report_is_not_taken_for_an_edit_after_the_workbook_changes(
    drop: Path, tmp_path: Path
) -> None:
    """A run killed half-way through moving its outputs into place leaves its new Word report
    beside the last build's summary. The workbook is saved again before the next run: that
    run's write-ahead used to forget the killed run's hashes, so it took the tool's own report
    for a person's edit ("your copy is kept as stale/RfD-015-2021-edited.docx")."""
    out = tmp_path / "out"
    build(drop, out)
    reword_subject(drop, "Commissioning Strategy and Plan 2021/22 (revised)")
    killed_mid_move(drop, out, moved=1)  # the Word report moved, the rest not
    reword_subject(drop, "Commissioning Strategy and Plan 2021/22 (revised again)")
    result = build(drop, out)
    assert result.outcome == "built"
    assert result.edited == [] and result.kept_edited == []
    assert not (out / FOLDER / "stale").exists()
    for output in manifest(out)[result.file]["outputs"]:
        assert sha256(out / output["path"]) == output["sha256"]


@pytest.mark.slow
def test_a_killed_runs_new_output_does_not_outlive_a_failed_build(
    drop: Path, tmp_path: Path
) -> None:
    """The killed run made an output the last good build did not (its first sign-off e-mail,
    the workbook having gained a Circulation sheet). The workbook then has errors: that output
    goes to stale/ with the rest, not left beside the findings as if ready to send."""
    out = tmp_path / "out"
    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=lambda c: setattr(c, "circulation", None))
    build(drop, out)
    assert not (out / FOLDER / "email-015-2021.eml").exists()
    shutil.copy(ROOT / "input" / "lincolnshire-2021-22.xlsx", drop)  # with its Circulation sheet
    killed_mid_move(drop, out, moved=6)  # all but the findings file, the e-mail included
    assert (out / FOLDER / "email-015-2021.eml").exists()

    def unreadable_budget(content: Any) -> None:
        rows = [list(r) for r in content.services]
        rows[0][11] = "TBC"
        content.services = rows

    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=unreadable_budget)  # now fails
    result = build(drop, out)
    assert result.outcome == "failed"
    assert sorted(p.name for p in (out / FOLDER).iterdir() if p.is_file()) == ["findings.json"]
    assert (out / FOLDER / "stale" / "email-015-2021.eml").is_file()
    assert result.edited == [] and result.kept_edited == []


def test_a_stop_while_outputs_are_moved_into_place_keeps_the_last_set_whole(
    drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C or SIGTERM (which the build turns into the same KeyboardInterrupt) arriving
    after the new Word report was moved into place and before the summary was: the new
    report stood beside the last build's summary and review note, and the console said
    "Nothing half-written was left behind". The moves are undone, as for a file in the way."""
    from pipeline import deliver

    out = tmp_path / "out"
    build(drop, out)
    before = {p.name: sha256(p) for p in (out / FOLDER).iterdir()}
    change_workbook(drop)

    def commit_one_then_stop(self: deliver.Staging) -> list[Path]:
        name, temp = next(iter(self.staged.items()))
        os.replace(temp, self.folder / name)
        raise KeyboardInterrupt  # what runner.stoppable raises on SIGTERM

    monkeypatch.setattr(deliver.Staging, "commit", commit_one_then_stop)
    with pytest.raises(KeyboardInterrupt):
        build(drop, out)
    assert {p.name: sha256(p) for p in (out / FOLDER).iterdir()} == before
    assert [p.name for p in out.rglob(".tmp-*")] == []
    assert [e["status"] for e in manifest(out).values()] == ["interrupted"]
    monkeypatch.undo()
    result = build(drop, out)
    assert result.outcome == "built" and result.edited == []


def test_the_console_says_where_an_edit_went_when_the_workbook_now_fails(
    drop: Path, tmp_path: Path
) -> None:
    """The workbook saved again with an error: the earlier outputs go to stale/, the edited
    report under its -edited name. Nothing said so (only a rebuild's edits were told), so the
    person found their report gone from the folder; it is said, even with --quiet."""
    out = tmp_path / "out"
    build(drop, out)
    edit(out / FOLDER / DOCX)

    def unreadable_budget(content: Any) -> None:
        rows = [list(r) for r in content.services]
        rows[0][11] = "lots"
        content.services = rows

    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=unreadable_budget)
    said = CliRunner().invoke(cli, ["build", str(drop), "--out", str(out), "--quiet"]).output
    assert f"{DOCX} was edited after it was built; your copy is kept as " in said
    assert f"{FOLDER}/stale/RfD-015-2021-edited.docx" in said
    assert "has errors" in said and "the rebuilt one" not in said


def test_the_console_says_where_an_edit_went_when_that_output_is_no_longer_made(
    drop: Path, tmp_path: Path
) -> None:
    """The sign-off e-mail, edited, then the Circulation sheet taken out: the build makes no
    e-mail and moved the edited one to stale/ without a word."""
    out = tmp_path / "out"
    build(drop, out)
    edit(out / FOLDER / "email-015-2021.eml")
    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=lambda c: setattr(c, "circulation", None))
    said = CliRunner().invoke(cli, ["build", str(drop), "--out", str(out)]).output
    assert "email-015-2021.eml was edited after it was built; your copy is kept as " in said
    assert f"{FOLDER}/stale/email-015-2021-edited.eml" in said
    assert "no longer makes that file" in said and "the rebuilt one" not in said


@pytest.mark.parametrize("damage", ["lost", "entry damaged"])
def test_a_manifest_damaged_and_the_workbook_now_failing_leave_no_output_passing_for_current(
    drop: Path, tmp_path: Path, damage: str
) -> None:
    """With the manifest lost, the reports left in the folder went to stale/ but the
    Transparency Code files (published on the website) stayed beside the failing findings;
    with the workbook's entry damaged (read as "rebuild"), everything stayed: the Word report
    and the sign-off e-mail, ready to send, as if current."""
    out = tmp_path / "out"
    build(drop, out)
    made = {p.name for p in (out / FOLDER).iterdir()} - {"findings.json"}
    assert {"grants-2021-22.csv", "contracts-2021-22.csv"} <= made
    if damage == "lost":
        (out / "manifest.json").unlink()
    else:
        data = json.loads((out / "manifest.json").read_text())
        for entry in data["workbooks"].values():
            entry["stale"] = 5
        (out / "manifest.json").write_text(json.dumps(data))

    def unreadable_budget(content: Any) -> None:
        rows = [list(r) for r in content.services]
        rows[0][11] = "lots"
        content.services = rows

    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=unreadable_budget)
    said = CliRunner().invoke(cli, ["build", str(drop), "--out", str(out)]).output
    assert {p.name for p in (out / FOLDER).iterdir() if p.is_file()} == {"findings.json"}
    assert made <= {p.name for p in (out / FOLDER / "stale").iterdir()}
    assert f"{DOCX} is from an earlier build that the manifest no longer records" in said


def test_a_lost_manifest_does_not_say_a_person_edited_the_reports(
    drop: Path, tmp_path: Path
) -> None:
    """The manifest damaged and the workbook saved again: the reports in the folder cannot be
    told from a person's edits, so they are kept in stale/ as such, but the console said each
    "was edited after it was built" when nobody had touched them."""
    out = tmp_path / "out"
    build(drop, out)
    (out / "manifest.json").write_text('{"workbooks": ')
    change_workbook(drop)
    said = CliRunner().invoke(cli, ["build", str(drop), "--out", str(out)]).output
    assert "was edited after it was built" not in said
    assert (
        f"{DOCX} is not recorded in the manifest (it was lost or damaged), so it may have "
        "been edited; it is kept as "
    ) in said
    assert (out / FOLDER / "stale" / DOCX.replace(".", "-edited.")).is_file()


def test_the_index_page_links_the_edited_copies_kept(drop: Path, tmp_path: Path) -> None:
    """The page links "the files that exist", stale copies included, but not the copies of a
    person's edits kept in stale/: the one place to look later did not say where they went."""
    out = tmp_path / "out"
    build(drop, out)
    edit(out / FOLDER / DOCX)
    change_workbook(drop)
    build(drop, out)
    page = (out / "index.html").read_text("utf-8")
    assert f'href="{FOLDER}/stale/RfD-015-2021-edited.docx"' in page
    assert "Edited copy kept: RfD-015-2021-edited.docx" in page


KILLED_AFTER_SETTING_EDITS_ASIDE = """
import os, sys
from pathlib import Path
from pipeline import batch, builder
from pipeline.config import Config
def die(staging):
    os._exit(9)  # as SIGKILL, once the person's edit is set aside, before anything is moved
builder.commit_whole = die
batch.build([Path(sys.argv[1])], Path(sys.argv[2]), Config())
"""


@pytest.mark.slow
def test_an_edit_set_aside_by_a_killed_run_is_recorded(drop: Path, tmp_path: Path) -> None:
    """A run killed after it moved a person's edited report to stale/ and before it recorded
    it: the copy was kept, but neither that run (killed) nor any later one, the manifest or
    the index page said where it was."""
    out = tmp_path / "out"
    build(drop, out)
    edited = edit(out / FOLDER / DOCX)
    change_workbook(drop)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PCC_REPORT_CACHE": "off"}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_SETTING_EDITS_ASIDE, str(drop), str(out)],
        env=env,
        check=False,
    )
    assert killed.returncode == 9
    kept = out / FOLDER / "stale" / "RfD-015-2021-edited.docx"
    assert kept.read_bytes() == edited
    assert f"{FOLDER}/stale/{kept.name}" in next(iter(manifest(out).values()))["edited"]
    assert build(drop, out).outcome == "built"
    assert f"{FOLDER}/stale/{kept.name}" in next(iter(manifest(out).values()))["edited"]
    assert f"Edited copy kept: {kept.name}" in (out / "index.html").read_text("utf-8")


def test_an_edited_stale_copy_is_never_deleted_or_overwritten(drop: Path, tmp_path: Path) -> None:
    """After a failed build the last report waits in stale/; a person opened it there and
    edited it (to send by hand while the workbook was being fixed). The next good build
    deleted stale/ whole: the person's work was gone without a word. It is kept under a name
    saying it was edited, as an edited output is."""
    out = tmp_path / "out"
    build(drop, out)

    def unreadable_budget(content: Any) -> None:
        rows = [list(r) for r in content.services]
        rows[0][11] = "lots"
        content.services = rows

    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=unreadable_budget)
    assert build(drop, out).outcome == "failed"
    copy = out / FOLDER / "stale" / DOCX
    mine = edit(copy)
    assert build(drop, out, force=True).outcome == "failed"  # fails again: over it?
    kept = [p for p in (out / FOLDER / "stale").iterdir() if p.read_bytes() == mine]
    assert len(kept) == 1
    shutil.copy(ROOT / "input" / "lincolnshire-2021-22.xlsx", drop)
    said = CliRunner().invoke(cli, ["build", str(drop), "--out", str(out), "--quiet"]).output
    assert f"stale/{DOCX}, an earlier report set aside in stale/, was edited there" in said
    result = build(drop, out)
    assert result.outcome == "up to date"
    assert [p.read_bytes() for p in (out / FOLDER / "stale").iterdir()] == [mine]
    [left] = (out / FOLDER / "stale").iterdir()
    assert "edited" in left.name
    assert f"{FOLDER}/stale/{left.name}" in manifest(out)[result.file]["edited"]
