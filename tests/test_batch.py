"""The batch over the drop folder: isolation, atomicity, the lock, the manifest, staleness."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import batch, freshness, outputs
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.manifest import sha256
from pipeline.new_workbook import WorkbookContent
from tests.workbooks import decision_field, make_workbook, service_row

OUTPUTS = {
    "RfD-015-2021.docx",
    "commissioning-summary-2021-22.xlsx",
    "review-015-2021.docx",
    "email-015-2021.eml",  # the sample names its sign-off circulation
    "findings.json",
    "grants-2021-22.csv",  # the Transparency Code files (pipeline/transparency.py)
    "contracts-2021-22.csv",
}


@pytest.fixture()
def template(tmp_path: Path) -> Path:
    copy = tmp_path / "template.docx"
    shutil.copy(batch.TEMPLATE, copy)
    return copy


def build(drop: Path, out: Path, template: Path, **kwargs: object) -> list[batch.WorkbookResult]:
    results, _ = batch.build([drop], out, Config(), template=template, **kwargs)  # type: ignore[arg-type]
    return results


def set_budget(content: WorkbookContent, budget: object) -> None:
    """Change the first Services line's budget."""
    rows = [list(row) for row in content.services]
    rows[0][11] = budget
    content.services = rows


def mtimes(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.stat().st_mtime_ns
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".log"
    }


def test_one_bad_workbook_does_not_stop_the_others(drop: Path, tmp_path: Path) -> None:
    (drop / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip")
    make_workbook(
        drop,
        "invalid.xlsx",
        services=[service_row(budget="TBC")],
        edit=decision_field("Reference", "016/2021"),
    )
    out = tmp_path / "output"
    result = CliRunner().invoke(
        cli, ["build", str(drop), "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert {p.name for p in (out / "015-2021").iterdir()} == OUTPUTS
    # The failures are reported, and get findings.json but no report.
    assert "FAILED      " in result.output and "corrupt.xlsx" in result.output
    assert {p.name for p in (out / "016-2021").iterdir()} == {"findings.json"}
    assert {p.name for p in (out / "corrupt").iterdir()} == {"findings.json"}
    invalid = json.loads((out / "016-2021" / "findings.json").read_text())
    assert invalid["status"] == "errors"
    assert [
        (f["code"], f["sheet"], f["cell"]) for f in invalid["findings"] if f["severity"] == "error"
    ] == [("E-VALUE", "Services", "L2")]
    manifest = json.loads((out / "manifest.json").read_text())["workbooks"]
    assert {Path(k).name: v["status"] for k, v in manifest.items()} == {
        "lincolnshire-2021-22.xlsx": "ok",
        "corrupt.xlsx": "unreadable",
        "invalid.xlsx": "errors",
    }
    assert "3 workbooks: 1 built, 0 up to date, 2 failed" in result.output


def test_rerun_is_up_to_date_and_rewrites_nothing(
    drop: Path, tmp_path: Path, template: Path
) -> None:
    out = tmp_path / "output"
    assert [r.outcome for r in build(drop, out, template)] == ["built"]
    before = mtimes(out)
    assert [r.outcome for r in build(drop, out, template)] == ["up to date"]
    assert mtimes(out) == before
    # --force rebuilds all
    assert [r.outcome for r in build(drop, out, template, force=True)] == ["built"]


def test_a_change_to_the_code_without_a_new_version_builds_again(
    drop: Path, tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `git pull` on the office machine changes the code, not always the version number:
    outputs made by the old code are not up to date (pipeline.cache.code_version tells the
    code apart by its modules' sizes and times of change)."""
    out = tmp_path / "output"
    monkeypatch.setattr(freshness, "code_version", lambda: b"the code as it was")
    assert [r.outcome for r in build(drop, out, template)] == ["built"]
    assert [r.outcome for r in build(drop, out, template)] == ["up to date"]
    monkeypatch.setattr(freshness, "code_version", lambda: b"the code after a git pull")
    assert [r.outcome for r in build(drop, out, template)] == ["built"]
    assert [r.outcome for r in build(drop, out, template)] == ["up to date"]


def test_manifest_records_inputs_outputs_and_versions(
    drop: Path, tmp_path: Path, template: Path
) -> None:
    out = tmp_path / "output"
    build(drop, out, template)
    entry = next(iter(json.loads((out / "manifest.json").read_text())["workbooks"].values()))
    assert entry["sha256"] == sha256(drop / "lincolnshire-2021-22.xlsx")
    assert entry["template_sha256"] == sha256(template)
    assert entry["status"] == "ok" and entry["reference"] == "015/2021"
    for output in entry["outputs"]:
        assert output["sha256"] == sha256(out / output["path"])
    assert {Path(o["path"]).name for o in entry["outputs"]} == OUTPUTS
    assert (out / outputs.LOG).read_text().count("lincolnshire-2021-22.xlsx") == 1


def test_changed_template_or_workbook_rebuilds(drop: Path, tmp_path: Path, template: Path) -> None:
    out = tmp_path / "output"
    build(drop, out, template)
    with template.open("ab") as handle:
        handle.write(b"\0")  # any change of the template's bytes
    assert [r.outcome for r in build(drop, out, template)] == ["built"]
    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=lambda c: set_budget(c, 260_001))
    results = build(drop, out, template)
    assert [r.outcome for r in results] == ["failed"]  # the typed Total no longer agrees
    assert [f.code for f in results[0].findings if f.severity.value == "error"] == ["E-TOTAL"]


def test_a_failed_rebuild_moves_the_old_report_aside(
    drop: Path, tmp_path: Path, template: Path
) -> None:
    out = tmp_path / "output"
    build(drop, out, template)
    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=lambda c: set_budget(c, "TBC"))
    [result] = build(drop, out, template)
    assert result.outcome == "failed"
    folder = out / "015-2021"
    assert {p.name for p in folder.iterdir()} == {"findings.json", "stale"}
    assert {p.name for p in (folder / "stale").iterdir()} == OUTPUTS - {"findings.json"}
    entry = next(iter(json.loads((out / "manifest.json").read_text())["workbooks"].values()))
    assert entry["status"] == "errors"
    assert sorted(Path(p).name for p in entry["stale"]) == sorted(OUTPUTS - {"findings.json"})
    # Fixed again: a good build clears the stale folder.
    make_workbook(drop, "lincolnshire-2021-22.xlsx")
    [result] = build(drop, out, template)
    assert result.outcome == "built"
    assert {p.name for p in folder.iterdir()} == OUTPUTS


def test_crash_mid_render_leaves_no_partial_files(
    drop: Path, tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "output"
    build(drop, out, template)
    import pipeline.render_xlsx

    def explode(*args: object, **kwargs: object) -> None:
        Path(args[1]).write_bytes(b"half a spreadsheet")  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline.render_xlsx, "render_xlsx", explode)
    [result] = build(drop, out, template, force=True)
    assert result.outcome == "failed"
    assert [f.code for f in result.findings if f.severity.value == "error"] == ["E-RENDER"]
    assert "disk full" in result.findings[-1].message
    folder = out / "015-2021"
    leftovers = [p.name for p in folder.rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []
    assert {p.name for p in folder.iterdir()} == {"findings.json", "stale"}


def test_duplicate_references_build_neither(drop: Path, tmp_path: Path, template: Path) -> None:
    shutil.copy(drop / "lincolnshire-2021-22.xlsx", drop / "lincolnshire-2021-22 (2).xlsx")
    out = tmp_path / "output"
    results = build(drop, out, template)
    assert [r.outcome for r in results] == ["failed", "failed"]
    for result in results:
        [finding] = [f for f in result.findings if f.code == "E-DUPLICATE-REF"]
        other = next(r for r in results if r is not result)
        assert other.file in finding.message
        assert (finding.sheet, finding.cell) == ("Decision", "B3")
    assert not (out / "015-2021" / "RfD-015-2021.docx").exists()
    # One report folder, so each workbook's findings have a file of their own.
    assert {p.name for p in (out / "015-2021").iterdir()} == {
        "findings-lincolnshire-2021-22-xlsx.json",
        "findings-lincolnshire-2021-22-2-xlsx.json",
    }


def test_reference_cannot_escape_the_output_folder(tmp_path: Path, template: Path) -> None:
    drop = tmp_path / "input"
    drop.mkdir()
    make_workbook(
        drop,
        edit=decision_field("Reference", "../../etc/passwd"),
    )
    out = tmp_path / "output"
    [result] = build(drop, out, template)
    assert result.outcome == "built"
    assert result.folder == (out / "etc-passwd").resolve()
    assert not (tmp_path / "etc").exists()


CONCURRENT = """
import sys
from pathlib import Path
from pipeline import batch, freshness, outputs
from pipeline.config import Config
from pipeline.new_workbook import WorkbookContent
results, _ = batch.build([Path(sys.argv[1])], Path(sys.argv[2]), Config(), force=True)
print([r.outcome for r in results])
"""


@pytest.mark.slow
def test_two_builds_at_once_give_consistent_outputs(drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(drop), str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert all("['built']" in stdout for stdout, _ in outputs)
    manifest = json.loads((out / "manifest.json").read_text())
    [entry] = manifest["workbooks"].values()
    for output in entry["outputs"]:
        assert output["sha256"] == sha256(out / output["path"])
    assert [p.name for p in out.rglob(".tmp-*")] == []


def test_batch_findings_reach_findings_json_not_the_published_report(
    drop: Path, tmp_path: Path, template: Path
) -> None:
    """Findings added after the rules (here I-NO-PREVIOUS) are in findings.json; the Word
    report is published and carries no finding (#15)."""
    from tests.published import leaks, xml_text

    out = tmp_path / "output"
    [result] = build(drop, out, template)
    assert "I-NO-PREVIOUS" in {f.code for f in result.findings}
    findings = json.loads((out / "015-2021" / "findings.json").read_text())["findings"]
    assert "I-NO-PREVIOUS" in {f["code"] for f in findings}
    assert leaks(xml_text(out / "015-2021" / "RfD-015-2021.docx")) == []


def test_outputs_are_readable_by_colleagues(drop: Path, tmp_path: Path, template: Path) -> None:
    """Temporary files are private (0600); what is moved into place follows the umask."""
    old = os.umask(0o022)
    try:
        out = tmp_path / "output"
        build(drop, out, template)
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (out / "015-2021").iterdir()}
    assert set(modes.values()) == {0o644}, modes
    assert (out / "manifest.json").stat().st_mode & 0o777 == 0o644


def test_a_rerun_with_nothing_to_do_does_not_wait_for_another_build(
    drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to date is judged from the manifest before the lock is taken (issue 21): a rerun
    with nothing to write neither waits for a build holding the folder nor touches it; one
    with something to build still waits its turn."""
    from filelock import FileLock

    out = tmp_path / "out"
    batch.build([drop], out, Config())
    manifest = (out / "manifest.json").read_bytes()
    monkeypatch.setattr(batch, "LOCK_WAIT_SECONDS", 1)
    events: list[batch.Event] = []
    with FileLock(str(out / outputs.LOCK)):  # another build is writing to the folder
        [result], _ = batch.build([drop], out, Config(), progress=events.append)
        assert result.outcome == "up to date"
        assert not any(isinstance(e, batch.Waiting) for e in events)
        assert (out / "manifest.json").read_bytes() == manifest
        with pytest.raises(batch.BatchBusy):
            batch.build([drop], out, Config(), force=True)


def test_a_workbook_built_alone_does_not_overwrite_another_decisions_report(
    drop: Path, tmp_path: Path, template: Path
) -> None:
    """A copy of a plan saved under a new name (same reference), built on its own
    (pcc-report build "input/plan v2.xlsx"), overwrote the report the plan beside it had
    built there, without a word; that plan's next build then called its own outputs "edited
    after it was built". Its report folder is taken: E-DUPLICATE-REF, nothing overwritten."""
    out = tmp_path / "output"
    build(drop, out, template)
    before = {p.name: sha256(p) for p in (out / "015-2021").iterdir()}
    copy = make_workbook(
        drop,
        "plan v2.xlsx",
        edit=lambda c: setattr(
            c, "decision", [(k, f"{v} v2" if k == "Subject" else v) for k, v in c.decision]
        ),
    )
    [result], _ = batch.build([copy], out, Config(), template=template)
    assert result.outcome == "failed"
    [finding] = [f for f in result.findings if f.code == "E-DUPLICATE-REF"]
    assert "lincolnshire-2021-22.xlsx" in finding.message
    assert "015-2021/" in finding.message
    assert (finding.sheet, finding.cell) == ("Decision", "B3")
    after = {p.name: sha256(p) for p in (out / "015-2021").iterdir()}
    assert {name: after.get(name) for name in before} == before
    assert set(after) - set(before) == {"findings-plan-v2-xlsx.json"}
    [again], _ = batch.build([drop / "lincolnshire-2021-22.xlsx"], out, Config(), template=template)
    assert again.outcome == "up to date" and again.edited == []


def test_a_plan_put_away_gives_its_report_folder_up(
    drop: Path, tmp_path: Path, template: Path
) -> None:
    """The plan that built the folder taken out of the input folder (into archive/, or
    deleted): its replacement with the same reference is built as before."""
    out = tmp_path / "output"
    build(drop, out, template)
    (drop / "archive").mkdir()
    os.replace(drop / "lincolnshire-2021-22.xlsx", drop / "archive" / "lincolnshire-2021-22.xlsx")
    copy = make_workbook(drop, "plan v2.xlsx")
    [result], _ = batch.build([copy], out, Config(), template=template)
    assert result.outcome == "built", result.findings
