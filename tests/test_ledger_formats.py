"""Spend files that a finance system names .xls but are no spreadsheet: a web page (HTML), as
Oracle's and many a web report's "Export to Excel" writes, or Excel 2003's XML spreadsheet."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ledger import read_ledgers

HTML = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office">\n'
    '<head><meta charset="UTF-8"></head><body><table>\n'
    "<tr><td>Payment Date</td><td>Supplier Name</td><td>Amount</td></tr>\n"
    "<tr><td>01/05/2021</td><td>Crimestoppers</td><td>1,000.00</td></tr>\n"
    "</table></body></html>\n"
)
XML_2003 = (
    '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">\n'
    "<Worksheet><Table><Row><Cell><Data>Payment Date</Data></Cell></Row></Table></Worksheet>\n"
    "</Workbook>\n"
)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (HTML, "is a web page (HTML) saved under a spreadsheet's name"),
        ("\ufeff<!DOCTYPE html>\n" + HTML, "is a web page (HTML) saved under a spreadsheet's name"),
        (XML_2003, "is an Excel 2003 XML spreadsheet"),
    ],
)
def test_a_web_page_named_xls_says_how_to_save_it(tmp_path: Path, text: str, said: str) -> None:
    # It said the file "has no header row with a date, a supplier and an amount column ...
    # (the first row reads: "<html xmlns:o=..."). Name the columns e.g. Date, Supplier,
    # Amount": its columns were so named, and nothing told how to make it readable.
    path = tmp_path / "AP_PAYMENTS.xls"
    path.write_text(text, encoding="utf-8")
    read = read_ledgers([path])
    assert [(f.code, f.cell) for f in read.findings] == [("W-SPEND-READ", "")]
    message = read.findings[0].message
    assert said in message
    assert 'File > Save As, "Excel Workbook (*.xlsx)"' in message
    assert "Name the columns" not in message
    assert read.payments.empty


def test_a_csv_whose_supplier_starts_with_a_bracket_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("Date,Supplier,Amount\n01/05/2021,<html> Ltd,5.00\n", encoding="utf-8")
    read = read_ledgers([path])
    assert read.findings == []
    assert list(read.payments["supplier"]) == ["<html> Ltd"]
