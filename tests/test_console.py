"""What the console shows (#15): errors and warnings per workbook, notes as a count unless
--verbose; check and build count the same; "Uncommitted" for money not yet committed."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli


def counts(text: str) -> tuple[int, int, int]:
    found = re.search(r"(\d+) errors?, (\d+) warnings?, (\d+) notes?", text)
    assert found, text
    errors, warnings, notes = found.groups()
    return int(errors), int(warnings), int(notes)


def test_build_shows_warnings_in_full_and_notes_as_a_count(drop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    said = CliRunner().invoke(cli, ["build", str(drop), "--out", str(out)]).output
    _, warnings, notes = counts(said)
    assert warnings and notes
    assert said.count("  Warnings (") == 1
    listed = [line for line in said.splitlines() if re.match(r"\s+W-[A-Z0-9-]+ ", line)]
    assert len(listed) == warnings
    assert f"{notes} notes (--verbose lists them)" in said
    assert not re.search(r"^\s+I-[A-Z0-9-]+ ", said, flags=re.MULTILINE)
    verbose = (
        CliRunner()
        .invoke(cli, ["build", str(drop), "--out", str(out), "--force", "--verbose"])
        .output
    )
    assert len(re.findall(r"^\s+I-[A-Z0-9-]+ ", verbose, flags=re.MULTILINE)) == notes


def test_check_and_build_count_the_same(drop: Path, tmp_path: Path) -> None:
    checked = CliRunner().invoke(cli, ["check", str(drop)]).output
    built = CliRunner().invoke(cli, ["build", str(drop), "--out", str(tmp_path / "out")]).output
    summary = next(line for line in checked.splitlines() if "Summary:" in line)
    outcome = next(line for line in built.splitlines() if line.startswith("built"))
    assert counts(summary) == counts(outcome)


def test_the_console_says_uncommitted(drop: Path) -> None:
    said = CliRunner().invoke(cli, ["check", str(drop)]).output
    summary = next(line for line in said.splitlines() if "Summary:" in line)
    assert "£1,565,000, £295,730 uncommitted — " in summary
    assert "headroom" not in summary.lower()
