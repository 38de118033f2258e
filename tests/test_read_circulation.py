"""The Circulation sheet's addresses as officers paste them (pipeline.read_circulation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.load import load
from pipeline.new_workbook import WorkbookContent
from tests.workbooks import make_workbook


def circulated(folder: Path, address: str) -> Path:
    def edit(content: WorkbookContent) -> None:
        content.circulation = [["Chief Executive", "Jane Smith", address]]

    return make_workbook(folder, edit=edit)


@pytest.mark.parametrize(
    "typed",
    [
        # From a message's To line in Outlook, and from a link's address: each was E-EMAIL.
        "Jane Smith <jane.smith@example.police.uk>",
        '"Smith, Jane" <jane.smith@example.police.uk>',
        "<jane.smith@example.police.uk>",
        "mailto:jane.smith@example.police.uk",
        "MAILTO: jane.smith@example.police.uk",
    ],
)
def test_an_address_pasted_with_its_name_or_as_a_link_is_read(typed: str, tmp_path: Path) -> None:
    result = load(circulated(tmp_path, typed))
    assert result.plan is not None, result.findings
    assert [p.email for p in result.plan.circulation] == ["jane.smith@example.police.uk"]
    assert not [f for f in result.findings if f.sheet == "Circulation"]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (
            "jane.smith@example.police.uk; raj.patel@example.police.uk",
            "holds several addresses: give each person a row of their own.",
        ),
        ("Jane Smith <jane smith@example.police.uk>", "is not a valid address"),
        ("mailto:jane.smith@example", "is not a valid address"),
    ],
)
def test_a_bad_address_is_said_as_typed(typed: str, says: str, tmp_path: Path) -> None:
    result = load(circulated(tmp_path, typed))
    [finding] = [f for f in result.findings if f.sheet == "Circulation"]
    assert (finding.code, finding.cell) == ("E-EMAIL", "C2")
    assert f'reads "{typed}", which {says}' in finding.message
