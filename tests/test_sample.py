"""The committed sample workbooks are what scripts/make_sample.py writes (no drift)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.new_workbook import WorkbookContent, write_workbook
from scripts import make_sample

ROOT = Path(__file__).resolve().parent.parent


def cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.mark.parametrize(
    ("committed", "content"),
    [
        ("input/lincolnshire-2021-22.xlsx", make_sample.content),
        ("tests/fixtures/lincolnshire-2020-21.xlsx", make_sample.previous_content),
    ],
)
def test_committed_sample_matches_its_script(
    committed: str, content: Callable[[], WorkbookContent], tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.xlsx"
    write_workbook(fresh, content())
    assert cells(ROOT / committed) == cells(fresh), (
        f"{committed} is out of date: run `make sample` (python scripts/make_sample.py)"
    )
