"""A CSV ledger's encoding: UTF-8 with a stray byte stays UTF-8; Windows-1252 stays itself."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.ledger import read_ledgers

HEADER = "Date,Supplier name,Amount,Transaction number,Expense type\r\n"
UTF8_ROWS = (
    '01/04/2021,Rape Crisis,"£6,888.00",RC4,Grants – victims\r\n'
    "01/05/2021,Zoë's Place,£500.00,ZP1,Grants – victims\r\n"
)


def _write(tmp_path: Path, raw: bytes) -> Path:
    path = tmp_path / "mixed.csv"
    path.write_bytes(raw)
    return path


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_a_utf8_ledger_with_one_stray_byte_is_read_as_utf8_and_the_line_named(
    tmp_path: Path, bom: bytes
) -> None:
    # Excel's "CSV UTF-8", one description pasted in from a Windows-1252 system (0xE9, é).
    raw = bom + (HEADER + UTF8_ROWS).encode()
    raw += b"15/06/2021,Crimestoppers,\xc2\xa3150.25,CS1,Caf\xe9 fund\r\n"
    read = read_ledgers([_write(tmp_path, raw)])
    assert [(f.code, f.cell) for f in read.findings] == [("W-SPEND-ENCODING", "line 4")]
    message = read.findings[0].message
    assert "mixed.csv is UTF-8 text, but line 4 holds a byte that is not UTF-8" in message
    assert "0xe9" in message and "Café fund" in message
    assert "export the file again as CSV UTF-8" in message
    payments = read.payments
    assert list(payments["amount"]) == [688800, 50000, 15025]  # every row counted
    assert list(payments["supplier"]) == ["Rape Crisis", "Zoë's Place", "Crimestoppers"]
    assert payments["expense_type"].iloc[2] == "Café fund"  # the stray byte as 1252 reads it


def test_the_byte_order_mark_never_reaches_a_heading_whatever_follows(tmp_path: Path) -> None:
    # Only ASCII besides the mark and one stray byte: the mark alone says UTF-8.
    raw = codecs.BOM_UTF8 + b"Date,Supplier,Amount\n01/05/2021,Caf\xe9 Nord,750\n"
    read = read_ledgers([_write(tmp_path, raw)])
    assert [(f.code, f.cell) for f in read.findings] == [("W-SPEND-ENCODING", "line 2")]
    assert list(read.payments["supplier"]) == ["Café Nord"]


def test_stray_bytes_on_many_lines_are_one_finding_naming_the_first_lines(
    tmp_path: Path,
) -> None:
    rows = "".join(f"0{m}/05/2021,Victim Support,£1{m}.00,\n" for m in range(1, 10))
    text = ("Date,Supplier,Amount,Expense type\n" + rows).encode()
    lines = text.split(b"\n")
    for index in (2, 4, 5, 6, 7, 8, 9):  # lines 3, 5, 6, ... each with a stray 0x96 (–)
        lines[index] += b"x\x96y"
    raw = b"\n".join(lines)
    read = read_ledgers([_write(tmp_path, raw)])
    stray = [f for f in read.findings if f.code == "W-SPEND-ENCODING"]
    assert len(stray) == 1 and stray[0].cell == "line 3"
    assert "lines 3, 5, 6, 7, 8 and 2 more hold 7 bytes that are not UTF-8" in stray[0].message
    assert len(read.payments) == 9


def test_a_windows_1252_ledger_is_still_read_as_windows_1252_without_a_finding(
    tmp_path: Path,
) -> None:
    text = "Date,Supplier,Amount,Expense type\n01/05/2021,Café Nord,£750,Grants – victims\n"
    read = read_ledgers([_write(tmp_path, text.encode("cp1252"))])
    assert read.findings == []
    assert list(read.payments["supplier"]) == ["Café Nord"]
    assert list(read.payments["expense_type"]) == ["Grants – victims"]
    assert list(read.payments["amount"]) == [75000]


def test_one_accidental_utf8_pair_does_not_make_a_windows_1252_ledger_utf8(
    tmp_path: Path,
) -> None:
    # "CAFÉ’S" in Windows-1252 is C9 92, a valid UTF-8 pair; the three é after it are not.
    text = (
        "Date,Supplier,Amount\n01/05/2021,CAFÉ’S,£10\n02/05/2021,Café,£20\n"
        "03/05/2021,Café,£30\n04/05/2021,Café,£40\n"
    )
    read = read_ledgers([_write(tmp_path, text.encode("cp1252"))])
    assert read.findings == []
    assert list(read.payments["supplier"]) == ["CAFÉ’S", "Café", "Café", "Café"]


def test_a_byte_windows_1252_leaves_undefined_is_the_replacement_character(
    tmp_path: Path,
) -> None:
    raw = ("Date,Supplier,Amount\n01/05/2021,Zoë's Place,£10\n").encode() + (
        b"02/05/2021,Stop\x81Hate,\xc2\xa320\n"
    )
    read = read_ledgers([_write(tmp_path, raw)])
    assert [f.code for f in read.findings] == ["W-SPEND-ENCODING"]
    assert "0x81" in read.findings[0].message
    assert list(read.payments["supplier"]) == ["Zoë's Place", "Stop\ufffdHate"]
