"""The blank workbook's drop-downs (pipeline.new_workbook), as Excel lists them."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from pipeline.new_workbook import write_workbook
from pipeline.s143 import S143_PURPOSES


def test_the_purpose_drop_down_lists_the_four_s143_purposes_whole(tmp_path: Path) -> None:
    """A list typed into a validation splits at each comma: the Act's 'Reducing misuse of
    drugs, alcohol and other substances' showed as two choices, five in all. The list is the
    How sheet's cells, one purpose each."""
    path = tmp_path / "blank.xlsx"
    write_workbook(path)
    book = load_workbook(path)
    [purpose] = [
        v for v in book["Services"].data_validations.dataValidation if str(v.sqref)[0] == "K"
    ]
    assert purpose.type == "list"
    sheet, cells = purpose.formula1.split("!")
    assert sheet == "'How to fill this in'"
    listed = [row[0].value for row in book["How to fill this in"][cells.replace("$", "")]]
    assert listed == list(S143_PURPOSES)
    assert any("," in p for p in listed)  # what a typed list would have split
