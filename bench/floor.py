"""The floor: the least work any build must do, on the same stack (domain §7).

``python bench/floor.py WORKBOOK OUT_DIR`` imports the libraries a build imports (pandas
included), reads the Services sheet with python-calamine, and writes the service lines as one
.docx table (python-docx) and one .xlsx sheet (xlsxwriter). No checking, no template, no
reconciliation: a build can only be slower, and ``bench/run.py`` reports by how much.

The .docx rows are copies of one row made through python-docx, with their text set in the XML:
python-docx's ``table.add_row()`` and ``cell.text`` cost about 1.8 ms a row (18 s for 10,000
lines), which is the library's overhead, not work a build must do.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

# The same stack as a build: importing these is part of the least work a build must do.
import docx
import docxtpl  # noqa: F401
import pandas  # noqa: F401
import xlsxwriter
from docx.oxml.ns import qn
from python_calamine import CalamineWorkbook

HEADER = "fund"  # the header row is the first whose first cell reads "Fund"


def service_lines(workbook: Path) -> tuple[list[str], list[list[object]]]:
    """The Services sheet's header and its non-blank rows below it."""
    book = CalamineWorkbook.from_path(str(workbook))
    rows = book.get_sheet_by_name("Services").to_python(skip_empty_area=False)
    top = next(i for i, row in enumerate(rows) if str(row[0]).strip().lower() == HEADER)
    header = [str(cell) for cell in rows[top]]
    lines: list[list[object]] = [
        list(row) for row in rows[top + 1 :] if any(cell not in ("", None) for cell in row)
    ]
    return header, lines


def write_docx(header: list[str], lines: list[list[object]], target: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for cell in table.rows[1].cells:
        cell.text = " "  # a row with one run per cell, the pattern every line's row copies
    pattern = table.rows[1]._tr
    tbl = table._tbl
    tbl.remove(pattern)
    text_tag = qn("w:t")
    for line in lines:
        row = copy.deepcopy(pattern)
        for node, value in zip(row.iter(text_tag), line, strict=True):
            node.text = "" if value is None else str(value)
        tbl.append(row)
    document.save(str(target))


def write_xlsx(header: list[str], lines: list[list[object]], target: Path) -> None:
    workbook = xlsxwriter.Workbook(str(target))
    sheet = workbook.add_worksheet("Service lines")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "£#,##0.00"})
    sheet.write_row(0, 0, header, bold)
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(line):
            sheet.write(r, c, value, money if isinstance(value, float) else None)
    workbook.close()


def main(argv: list[str]) -> None:
    workbook, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    header, lines = service_lines(workbook)
    write_docx(header, lines, out / "floor.docx")
    write_xlsx(header, lines, out / "floor.xlsx")


if __name__ == "__main__":
    main(sys.argv[1:])
