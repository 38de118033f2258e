"""The output side against a hostile or flaky machine (#16): a manifest that is /dev/zero, a
FIFO or huge; the log and stale/ as planted links; control characters and terminal escapes in
file names; a full disk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import batch, manifest
from pipeline.cli import cli
from pipeline.config import Config

ROOT = Path(__file__).resolve().parent.parent
WAIT = 120  # seconds: a guard against a hang, not a measure of speed
BUILD = "from pipeline.cli import main; main()"


def run_build(drop: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BUILD, "build", str(drop), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=WAIT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_a_manifest_that_never_ends_or_blocks_is_rebuilt(
    drop: Path, tmp_path: Path, kind: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if kind == "dev-zero":
        (out / "manifest.json").symlink_to("/dev/zero")
    else:
        os.mkfifo(out / "manifest.json")
    done = run_build(drop, out)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    written = out / "manifest.json"
    assert written.is_file() and not written.is_symlink()
    assert manifest.Manifest.read(out).entries


def test_a_huge_manifest_is_read_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    with path.open("wb") as stream:  # sparse: 17 MB of nothing, then what looks like JSON
        stream.seek(manifest.MAX_MANIFEST_BYTES + 1024)
        stream.write(b'{"workbooks": {}}')
    assert manifest.Manifest.read(tmp_path).entries == {}
    with pytest.raises(ValueError, match="larger than"):
        manifest.read_limited(path, manifest.MAX_MANIFEST_BYTES)


def test_a_planted_log_link_is_not_followed(drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "elsewhere.txt"
    victim.write_text("not the tool's\n")
    (out / "pcc-report.log").symlink_to(victim)
    [result], _ = batch.build([drop], out, Config())
    assert result.outcome == "built"
    assert victim.read_text() == "not the tool's\n"


def test_a_planted_stale_link_is_not_followed(drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    batch.build([drop], out, Config())
    victim = tmp_path / "victim"
    victim.mkdir()
    (out / "015-2021" / "stale").symlink_to(victim)
    report = out / "015-2021" / "RfD-015-2021.docx"
    report.write_bytes(report.read_bytes() + b"\0")  # a person's edit
    edited = report.read_bytes()
    [result], _ = batch.build([drop], out, Config(), force=True)
    assert list(victim.iterdir()) == []
    assert report.read_bytes() == edited  # never overwritten, though it could not be moved
    assert result.outcome == "failed"
    assert any(f.code == "E-RENDER" and "stale" in f.message for f in result.findings)


def test_control_characters_in_a_file_name_cannot_forge_a_log_line(
    drop: Path, tmp_path: Path, sample_path: Path
) -> None:
    shutil.copy(sample_path, drop / "plan\n2026-01-01T00:00:00+00:00 built ok forged.xlsx")
    out = tmp_path / "out"
    batch.build([drop], out, Config())
    lines = (out / "pcc-report.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert any("plan\\x0a2026" in line for line in lines)


def test_terminal_escapes_in_a_file_name_are_made_safe(
    tmp_path: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = tmp_path / "input"
    drop.mkdir()
    shutil.copy(sample_path, drop / "plan\x1b[2J\x1b]0;owned\x07.xlsx")
    monkeypatch.chdir(tmp_path)
    for args in (["check", "input"], ["check", "input", "--json"], ["build", "input"]):
        said = CliRunner().invoke(cli, args).output
        assert "\x1b" not in said and "\x07" not in said, args
        assert "\\x1b" in said or "\\u001b" in said, args


def test_a_bidi_override_in_a_file_name_is_shown_escaped(
    tmp_path: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = tmp_path / "input"
    drop.mkdir()
    shutil.copy(sample_path, drop / "plan\u202exslx.exe.xlsx")
    monkeypatch.chdir(tmp_path)
    said = CliRunner().invoke(cli, ["check", "input"]).output
    assert "\u202e" not in said and "\\u202e" in said


@pytest.mark.slow
def test_a_full_disk_is_one_clear_message(drop: Path, tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-c", BUILD, "check", str(drop)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=WAIT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=False,
        )
    assert done.returncode == 2
    assert "the disk is full" in done.stderr
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("name", "what"), [("manifest.json", "record"), ("index.html", "page")])
def test_a_folder_under_the_name_of_the_tools_own_file_stops_the_run_first(
    drop: Path, tmp_path: Path, name: str, what: str
) -> None:
    # A folder cannot be replaced by a file: the build made every output, failed at the end
    # recording none (manifest) and moved them to stale/ with an error naming the wrong folder.
    out = tmp_path / "out"
    (out / name).mkdir(parents=True)
    result = CliRunner().invoke(cli, ["build", str(drop), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{name} is a folder where pcc-report keeps its {what}" in result.output
    assert "rename or move that folder" in result.output
    assert sorted(p.name for p in out.iterdir()) == [name]  # nothing built, nothing moved


def test_a_folder_under_an_outputs_name_is_named_in_the_error(drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "015-2021" / "RfD-015-2021.docx").mkdir(parents=True)
    [result], _ = batch.build([drop], out, Config())
    assert result.outcome == "failed"
    [error] = [f.message for f in result.findings if f.code == "E-RENDER"]
    assert "RfD-015-2021.docx is a folder where pcc-report writes a file" in error
    assert "rename or move that folder" in error
