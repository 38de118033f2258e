"""A formula whose saved result is empty text (``=IF(K9="","",K9)``): Excel and LibreOffice
save it with ``t="str"`` and an empty ``<v>``, and it reads as a blank cell."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from pipeline.load import load
from pipeline.new_workbook import Formula
from scripts.make_corpus import sample_book, write_book


def with_empty_text(
    tmp_path: Path, cells: dict[tuple[int, int], str], sheet: str = "Services"
) -> Path:
    """The sample with ``cells`` ((row, 0-based column) on ``sheet``) holding formulas saved
    as Excel saves one whose result is empty text."""
    book = sample_book()
    rows = book[sheet]
    for (row, col), formula in cells.items():
        rows += [[] for _ in range(row - len(rows))]
        rows[row - 1] += [""] * (col + 1 - len(rows[row - 1]))
        rows[row - 1][col] = Formula(formula, None)
    written = tmp_path / "written.xlsx"
    write_book(written, book)
    path = tmp_path / "plan.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as copy:
        for member in source.infolist():
            data = source.read(member)
            if member.filename.startswith("xl/worksheets/"):
                # xlsxwriter writes no type for an empty result; Excel writes t="str".
                data = re.sub(
                    rb'(<c r="[A-Z]+[0-9]+"[^>]*?)(><f>[^<]*</f><v></v>)', rb'\1 t="str"\2', data
                )
            copy.writestr(member, data)
    return path


def test_a_budget_formula_giving_empty_text_is_said_to_be_one(tmp_path: Path) -> None:
    # A Budget of =IF(K9="","",K9) whose K9 was blank was told 'Budget is blank; enter the
    # amount in pounds': the officer saw a formula in the cell, not a blank.
    path = with_empty_text(tmp_path, {(9, 11): '=IF(K9="","",K9)'})
    found = [(f.code, f.sheet, f.cell, f.message) for f in load(path).findings]
    said = [f for f in found if f[2] == "L9"]
    assert [f[:3] for f in said] == [("E-VALUE", "Services", "L9")]
    assert said[0][3].startswith(
        'Budget is the formula =IF(K9="","",K9), whose result here is empty text (""), so the '
        "cell reads as blank: correct the formula"
    )
    assert "type the value in its place" in said[0][3]


def test_a_required_text_formula_giving_empty_text_is_said_to_be_one(tmp_path: Path) -> None:
    path = with_empty_text(tmp_path, {(9, 1): '=IF(C9="","",C9)'})
    said = [(f.code, f.cell, f.message) for f in load(path).findings if f.cell == "B9"]
    assert said[0][:2] == ("E-REQUIRED", "B9")
    assert 'Service is the formula =IF(C9="","",C9), whose result here is empty text' in said[0][2]


def test_formulas_giving_empty_text_down_the_empty_rows_are_no_lines(tmp_path: Path) -> None:
    # A template fills such formulas down the rows below its table: they stay quiet.
    formulas = {(row, 11): f'=IF(K{row}="","",K{row})' for row in range(32, 60)}
    path = with_empty_text(tmp_path, formulas)
    result = load(path)
    assert result.plan is not None, result.findings
    assert [f for f in result.findings if f.code.startswith("E-")] == []


def test_a_decision_field_formula_giving_empty_text_is_said_to_be_one(tmp_path: Path) -> None:
    # 'The Decision sheet's row for "Financial year" has no value', of a cell holding a
    # formula: the officer looked for a blank and found none.
    path = with_empty_text(tmp_path, {(5, 1): '=IF(Workings!B2="","",Workings!B2)'}, "Decision")
    said = [(f.code, f.sheet, f.cell, f.message) for f in load(path).findings]
    assert said[0][:3] == ("E-REQUIRED", "Decision", "B5")
    assert said[0][3].startswith(
        'Financial year is the formula =IF(Workings!B2="","",Workings!B2), whose result here '
        'is empty text (""), so the cell reads as blank'
    )
