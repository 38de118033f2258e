"""A decision whose publication is deferred (the form's "Publication deferred" box): its files
are made ready, and the officer is told, at the cell, to keep them off the website until then."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline import assemble
from pipeline.config import Config
from tests.workbooks import make_workbook

TODAY = dt.date.today()


def deferred(tmp_path: Path, **fields: object) -> list[tuple[str, str, str, str]]:
    """Check the sample with the Decision sheet's publication fields set as ``fields``; the
    W-PUBLICATION-DEFERRED findings as (sheet, cell, message, file)."""
    values = {"Publication deferred": "Yes", **fields}

    def edit(content: object) -> None:
        decision = content.decision  # type: ignore[attr-defined]
        content.decision = [(f, values.get(f, v)) for f, v in decision]  # type: ignore[attr-defined]

    path = make_workbook(tmp_path, edit=edit)
    [result], _ = assemble.check([path], Config())
    assert result.status == "ok", result.findings
    return [
        (f.sheet, f.cell, f.message, f.file)
        for f in result.findings
        if f.code == "W-PUBLICATION-DEFERRED"
    ]


def test_deferred_to_a_date_still_to_come(tmp_path: Path) -> None:
    until = TODAY + dt.timedelta(days=30)
    [(sheet, cell, message, _)] = deferred(
        tmp_path,
        **{
            "Publication deferred until": until,
            "Publication deferred reason": "The contract award is not yet announced",
        },
    )
    assert (sheet, cell) == ("Decision", "B14")
    assert f"deferred until {until:%d/%m/%Y} (The contract award is not yet announced)" in message
    assert "keep them off the website until the deferral ends" in message


def test_deferred_with_no_date_says_so(tmp_path: Path) -> None:
    [(_, _, message, _)] = deferred(tmp_path)
    assert "deferred (no date is given to lift it)." in message


@pytest.mark.parametrize(
    "fields",
    [
        {"Publication deferred": "No"},
        {"Publication deferred until": TODAY - dt.timedelta(days=1)},  # the deferral has ended
        {"Publication deferred until": TODAY},
    ],
    ids=["not-deferred", "ended", "ends-today"],
)
def test_no_warning_once_it_may_be_published(tmp_path: Path, fields: dict[str, object]) -> None:
    assert deferred(tmp_path, **fields) == []
