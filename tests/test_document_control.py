"""The Document control sheet: Field | Value rows, then the change-control table (#17).

Its layout is the strategy's Document Control Information: the field rows, a blank row, then a
header row ``Change | Initials | Date | Version`` and one row per change. The report shows the
fields, then the changes in three columns (change · initials and date · version), as the seed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from docx import Document

from pipeline import assemble, batch
from pipeline.config import Config
from pipeline.findings import Finding
from pipeline.load import load
from pipeline.model import ChangeRecord, Plan
from pipeline.new_workbook import write_workbook
from scripts import make_sample
from tests.workbooks import make_workbook

SEED_CHANGES = [
    ("First Draft", "JD", date(2019, 12, 11), "0.1"),
    (
        "Final version of strategy with Commissioning Plan 2021/22 included as appendix",
        "JD",
        date(2021, 4, 22),
        "1.0",
    ),
    (
        "Page 18 updated to reflect 10% uplift in contribution to SLP in 2021/22",
        "JD",
        date(2021, 5, 7),
        "1.1",
    ),
]


def changes(records: tuple[ChangeRecord, ...]) -> list[tuple[str, str, date | None, str]]:
    return [(c.change, c.initials, c.date, c.version) for c in records]


def loaded(path: Path) -> tuple[Plan, list[Finding]]:
    result = load(path)
    assert result.plan is not None, result.findings
    return result.plan, [f for f in result.findings if f.code.startswith("W-CHANGE")]


def with_changes(folder: Path, rows: list[list[Any]]) -> Path:
    def edit(content: Any) -> None:
        content.change_control = rows

    folder.mkdir(exist_ok=True)
    return make_workbook(folder, edit=edit)


def typed_below_fields(folder: Path, rows: list[list[Any]]) -> Path:
    """The sample with ``rows`` typed straight after the Document control fields (no table of
    the writer's own), as a person may lay the sheet out."""

    def edit(content: Any) -> None:
        content.change_control = None
        content.document_control = [*content.document_control, *rows]

    folder.mkdir(exist_ok=True)
    return make_workbook(folder, edit=edit)


def document_control_tables(docx: Path) -> list[list[list[str]]]:
    """The tables between the "Document Control Information" heading and the next Heading 1."""
    document = Document(str(docx))
    body = document.element.body
    tables: list[list[list[str]]] = []
    inside = False
    for element in body.iterchildren():
        text = "".join(element.xpath(".//w:t/text()"))
        style = element.xpath("./w:pPr/w:pStyle/@w:val")
        if style and style[0] == "Heading1":
            inside = text == "Document Control Information"
            continue
        if inside and element.tag.endswith("}tbl"):
            rows = element.xpath("./w:tr")
            tables.append(
                [["".join(c.xpath(".//w:t/text()")) for c in r.xpath("./w:tc")] for r in rows]
            )
    return tables


def build(path: Path, out: Path) -> Path:
    results, _ = batch.build([path], out, Config())
    assert [r.outcome for r in results] == ["built"], [r.findings for r in results]
    (docx,) = out.glob("*/RfD-*.docx")
    return docx


# -- the layout, read -----------------------------------------------------------------------------


def test_the_sample_keeps_its_changes_in_columns_below_the_fields(sample_path: Path) -> None:
    plan, found = loaded(sample_path)
    assert found == []
    assert changes(plan.change_control) == SEED_CHANGES
    fields = dict(plan.document_control)
    assert fields["Version"] == "1.1" and fields["Status"] == "Final"
    assert not [name for name in fields if "change" in name.lower()]
    # Each change knows its cells, for a finding to point at.
    assert plan.change_control[0].at.cells == {
        "change": "A12",
        "initials": "B12",
        "date": "C12",
        "version": "D12",
    }


def test_new_workbook_writes_the_change_control_header_below_the_fields(tmp_path: Path) -> None:
    target = tmp_path / "blank.xlsx"
    write_workbook(target)
    sheet = openpyxl.load_workbook(target)["Document control"]
    rows = [tuple(c for c in row if c is not None) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("Field", "Value")
    header = rows.index(("Change", "Initials", "Date", "Version"))
    assert rows[header - 1] == ()  # a blank row between the two tables
    assert ("Version",) in rows[1:header]  # the fields to fill in come first
    assert "Change, Initials, Date, Version" in " ".join(
        str(c.value) for row in openpyxl.load_workbook(target)["How to fill this in"] for c in row
    )


def test_a_version_typed_as_a_number_keeps_its_point_nought(tmp_path: Path) -> None:
    header = ["Change", "Initials", "Date", "Version"]
    rows: list[list[Any]] = [header, ["First Draft", "JD", date(2020, 1, 2), 1]]
    plan, found = loaded(typed_below_fields(tmp_path, rows))
    assert found == []
    assert changes(plan.change_control) == [("First Draft", "JD", date(2020, 1, 2), "1.0")]


def test_a_bad_change_row_is_a_located_warning_and_is_left_out(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["First Draft", "JD", date(2019, 12, 11), "0.1"],
        ["No version", "JD", date(2020, 1, 2), ""],
        ["Bad date", "JD", "31/02/2021", "0.3"],
        ["No initials", "", "11/12/2020", "0.4"],
    ]
    plan, found = loaded(with_changes(tmp_path, rows))
    assert changes(plan.change_control) == [("First Draft", "JD", date(2019, 12, 11), "0.1")]
    at = {f.cell: f for f in found}
    assert set(at) == {"D13", "C14", "B15"}  # the header is row 11, the changes from row 12
    assert all(f.code == "W-CHANGE-ROW" and f.sheet == "Document control" for f in found)
    assert (
        'The change "No version"' in at["D13"].message and "Version is blank" in at["D13"].message
    )
    assert '"31/02/2021"' in at["C14"].message and "dd/mm/yyyy" in at["C14"].message
    assert "Initials is blank" in at["B15"].message
    # A warning: the report is still built, with the good row.
    assert assemble.check([tmp_path / "plan.xlsx"], Config())[0][0].status != "error"


def test_a_header_without_one_of_its_columns_is_named(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["Change", "Initials", "", "Version"],
        ["First Draft", "JD", date(2019, 12, 11), "0.1"],
    ]
    plan, found = loaded(typed_below_fields(tmp_path, rows))
    assert plan.change_control == ()
    (finding,) = found
    assert finding.code == "W-CHANGE-ROW" and finding.cell == "10:10"
    assert '"Date"' in finding.message and "Change | Initials | Date | Version" in finding.message


# -- old workbooks: "Change: …" rows ----------------------------------------------------------------


def old_layout(folder: Path) -> Path:
    """The sample as the first sample wrote it: the changes as "Change: …" field rows."""

    return typed_below_fields(
        folder,
        [
            ["Change: First Draft", "JD 11/12/2019", "0.1"],
            [
                "Change: Final version of strategy with Commissioning Plan 2021/22 included as "
                "appendix",
                "JD 22/04/2021",
                "1.0",
            ],
            [
                "Change: Page 18 updated to reflect 10% uplift in contribution to SLP in 2021/22",
                "JD 07/05/2021",
                "1.1",
            ],
        ],
    )


def test_old_change_rows_are_read_with_a_warning_saying_how_to_move_them(tmp_path: Path) -> None:
    plan, found = loaded(old_layout(tmp_path))
    assert changes(plan.change_control) == SEED_CHANGES
    assert not [name for name, _ in plan.document_control if name.startswith("Change")]
    assert [(f.code, f.cell) for f in found] == [("W-CHANGE-PREFIX", f"A{r}") for r in (10, 11, 12)]
    message = found[0].message
    assert 'Row 10 reads "Change: First Draft | JD 11/12/2019 | 0.1"' in message
    assert "Change | Initials | Date | Version" in message
    assert '"First Draft" | "JD" | "11/12/2019" | "0.1"' in message


def test_old_and_new_layouts_make_the_same_report_tables(tmp_path: Path) -> None:
    old = build(old_layout(tmp_path / "old"), tmp_path / "old-out")
    new = build(with_changes(tmp_path / "new", make_sample.CHANGE_CONTROL), tmp_path / "new-out")
    assert document_control_tables(old) == document_control_tables(new)


# -- the report -------------------------------------------------------------------------------------


def test_the_report_shows_the_fields_then_three_columns_of_changes(tmp_path: Path) -> None:
    docx = build(make_workbook(tmp_path), tmp_path / "out")
    fields, change_table = document_control_tables(docx)
    assert fields[0] == ["Item", "Detail"]
    assert ["Version", "1.1"] in fields and ["Date of this version", "22/04/2021"] in fields
    assert change_table == [
        ["Change control from previous version", "Initials and date", "Version"],
        ["First Draft", "JD 11/12/2019", "0.1"],
        [
            "Final version of strategy with Commissioning Plan 2021/22 included as appendix",
            "JD 22/04/2021",
            "1.0",
        ],
        [
            "Page 18 updated to reflect 10% uplift in contribution to SLP in 2021/22",
            "JD 07/05/2021",
            "1.1",
        ],
    ]
    # Its header row repeats on a new page, for the accessibility check and a reader alike.
    table = Document(str(docx)).tables
    (changes_table,) = [t for t in table if t.rows[0].cells[0].text.startswith("Change control")]
    assert "w:tblHeader" in changes_table.rows[0]._tr.xml


def test_without_changes_the_report_has_no_empty_change_table(tmp_path: Path) -> None:
    docx = build(with_changes(tmp_path, []), tmp_path / "out")
    tables = document_control_tables(docx)
    assert len(tables) == 1 and tables[0][0] == ["Item", "Detail"]
    text = "".join(Document(str(docx)).element.body.xpath(".//w:t/text()"))
    assert "Change control from previous version" not in text and "Change Control" not in text
