"""The README's findings table is the catalogue, code for code."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.findings import CATALOGUE

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_findings_table_matches_the_catalogue() -> None:
    rows = re.findall(
        r"^\| ([EWI]-[A-Z0-9-]+) \| (error|warning|info) \| (.+?) \|$",
        README.read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    table = {code: (severity, when) for code, severity, when in rows}
    expected = {c.code: (c.severity.value, c.when) for c in CATALOGUE.values()}
    assert table == expected


def test_readme_shows_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make report" in text
    assert "make test" in text


def test_common_problems_cover_every_error_and_warning() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Common problems", 1)[1].split("\n## ", 1)[0]
    missing = [
        code
        for code, entry in CATALOGUE.items()
        if entry.severity.value in {"error", "warning"} and f"`{code}`" not in section
    ]
    assert missing == []
