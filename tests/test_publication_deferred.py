"""A decision whose publication is deferred (the form's "Publication deferred" box): its files
are made ready, and the officer is told, at the cell, to keep them off the website until then."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from pipeline import assemble
from pipeline.config import Config
from tests.workbooks import make_workbook

TODAY = dt.date.today()


def deferred(tmp_path: Path, **fields: object) -> list[tuple[str, str, str, str]]:
    """Check the sample with the Decision sheet's publication fields set as ``fields``; the
    W-PUBLICATION-DEFERRED findings as (sheet, cell, message, file)."""
    values = {
        "Publication deferred": "Yes",
        "Publication deferred reason": "The provider is still to be told",
        **fields,
    }

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
    assert "deferred with no date given to lift it (The provider is still to be told)." in message
    assert 'the form asks for it: type it as "Publication deferred until"' in message


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


def checked(tmp_path: Path, fields: dict[str, object], drop: tuple[str, ...] = ()) -> list[Any]:
    """The E-REQUIRED findings of the sample checked with its Decision ``fields`` set (and the
    rows named in ``drop`` taken off the sheet)."""

    def edit(content: object) -> None:
        decision = content.decision  # type: ignore[attr-defined]
        content.decision = [  # type: ignore[attr-defined]
            (f, fields.get(f, v)) for f, v in decision if f not in drop
        ]

    path = make_workbook(tmp_path, edit=edit)
    [result], _ = assemble.check([path], Config())
    return [f for f in result.findings if f.code == "E-REQUIRED"]


@pytest.mark.parametrize(
    ("flag", "reason", "cell"),
    [
        ("Publication deferred", "Publication deferred reason", "B15"),
        ("Part 2 form", "Part 2 form reason", "B18"),
    ],
)
def test_a_yes_with_no_reason_is_required(
    tmp_path: Path, flag: str, reason: str, cell: str
) -> None:
    # Part G of the form: "If Yes, for what reason:" must be answered before it is signed.
    fields: dict[str, object] = {flag: "Yes", "Publication deferred until": TODAY}
    [finding] = checked(tmp_path, fields)
    assert (finding.sheet, finding.cell) == ("Decision", cell)
    assert f'{flag} is Yes but "{reason}" is blank' in finding.message
    assert f"Type the reason, or set {flag} to No." in finding.message


def test_a_yes_with_no_reason_row_is_told_where(tmp_path: Path) -> None:
    [finding] = checked(tmp_path, {"Part 2 form": "yes"}, drop=("Part 2 form reason",))
    assert finding.cell == "B17"  # the Yes: there is no reason cell to point at
    assert 'the sheet has no "Part 2 form reason" row' in finding.message
    assert "Type the reason on a row of that name" in finding.message


def test_a_yes_with_its_reason_or_a_no_is_not_told(tmp_path: Path) -> None:
    fields: dict[str, object] = {
        "Part 2 form": "Yes",
        "Part 2 form reason": "Names a provider under investigation",
        "Publication deferred": "No",
    }
    assert checked(tmp_path, fields) == []
