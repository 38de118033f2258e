"""A Decision field's findings name it as the sheet does: a Mayor's or a PFCC's office types
"Mayor approval date" where the contract says "PCC approval date" (an alias), and a finding
saying "PCC approval date reads ..." sent the officer looking for a row the sheet does not have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.load import load
from pipeline.new_workbook import WorkbookContent
from tests.workbooks import make_workbook


def renamed(old: str, new: str, value: Any) -> Any:
    def edit(content: WorkbookContent) -> None:
        content.decision = [(new, value) if k == old else (k, v) for k, v in content.decision]

    return edit


@pytest.mark.parametrize(
    ("label", "value", "said"),
    [
        ("Mayor approval date", "TBC", 'Mayor approval date reads "TBC"'),
        ("PFCC approval date", "Pending", 'PFCC approval date reads "Pending"'),
        ("Decision date", "Maybe", 'Decision date reads "Maybe"'),
    ],
)
def test_an_unreadable_field_is_named_as_the_sheet_names_it(
    label: str, value: str, said: str, tmp_path: Path
) -> None:
    canonical = "Date" if label == "Decision date" else "PCC approval date"
    result = load(make_workbook(tmp_path, edit=renamed(canonical, label, value)))
    [finding] = [f for f in result.findings if f.code == "E-VALUE"]
    assert finding.sheet == "Decision"
    assert finding.message.startswith(said), finding.message
    assert "PCC approval date" not in finding.message or label == "Decision date"


def test_a_field_typed_twice_is_named_as_the_sheet_names_it(tmp_path: Path) -> None:
    def edit(content: WorkbookContent) -> None:
        renamed("PCC approval date", "Mayor approval date", "28/05/2021")(content)
        content.decision = [*content.decision, ("Mayor approval date", "29/05/2021")]

    result = load(make_workbook(tmp_path, edit=edit))
    [finding] = [f for f in result.findings if f.code == "E-VALUE"]
    assert finding.message.startswith("Mayor approval date is typed twice"), finding.message


def test_the_contract_name_stands_when_no_row_names_the_field(tmp_path: Path) -> None:
    def edit(content: WorkbookContent) -> None:
        content.decision = [(k, v) for k, v in content.decision if k != "Date"]

    result = load(make_workbook(tmp_path, edit=edit))
    [finding] = [f for f in result.findings if f.code == "E-REQUIRED"]
    assert 'has no "Date" row' in finding.message
