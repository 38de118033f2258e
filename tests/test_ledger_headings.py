"""Ledger headings as spend files are published: a currency in letters, a date's format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.ledger import read_ledgers


@pytest.mark.parametrize(
    "header",
    [
        "Date (dd/mm/yyyy),Supplier name,Amount (GBP)",
        "Payment date (DD/MM/YYYY),Supplier,Net Amount (GBP)",
        "Date of payment,Supplier,Net Amount Excl VAT",
        "Date,Supplier,Value GBP",
    ],
)
def test_a_currency_in_letters_or_a_date_format_in_the_heading(tmp_path: Path, header: str) -> None:
    # Each was W-SPEND-READ, "no header row" or "no amount column", none of its payments read.
    path = tmp_path / "spend.csv"
    path.write_text(f"{header}\n03/05/2021,Victim Support,1234.56\n", encoding="utf-8")
    read = read_ledgers([path])
    assert read.findings == []
    assert list(read.payments["amount"]) == [123456]
    assert read.payments["date"].iloc[0].date() == dt.date(2021, 5, 3)


def test_an_amount_in_another_currency_is_not_read_as_pounds(tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("Date,Supplier,Amount (EUR)\n03/05/2021,Acme,1000.00\n", encoding="utf-8")
    read = read_ledgers([path])
    assert list(read.payments["amount"]) == []
    assert [f.code for f in read.findings] == ["W-SPEND-READ"]
    assert "has no amount column" in read.findings[0].message
