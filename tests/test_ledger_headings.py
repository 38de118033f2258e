"""Ledger headings as spend files are published: a currency in letters, a date's format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.ledger import LedgerRead, read_ledgers


def read_csv(folder: Path, text: str, name: str = "spend.csv") -> LedgerRead:
    """``text`` saved as the CSV ``name`` in ``folder``, read as a ledger."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return read_ledgers([path])


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
    read = read_csv(tmp_path, f"{header}\n03/05/2021,Victim Support,1234.56\n")
    assert read.findings == []
    assert list(read.payments["amount"]) == [123456]
    assert read.payments["date"].iloc[0].date() == dt.date(2021, 5, 3)


def test_an_amount_in_another_currency_is_not_read_as_pounds(tmp_path: Path) -> None:
    read = read_csv(tmp_path, "Date,Supplier,Amount (EUR)\n03/05/2021,Acme,1000.00\n")
    assert list(read.payments["amount"]) == []
    assert [f.code for f in read.findings] == ["W-SPEND-READ"]
    assert "has no amount column" in read.findings[0].message


# A county's procurement card transactions, as published (Durham's columns A to O).
CARD_HEADER = (
    "Local authority department which incurred the expenditure,Service Division,Cost Centre,"
    "Summary of the Purpose of Expenditure,Expense Type,Expense Code,Detailed Expense Type,"
    "Date of Transaction,Transaction Number,Beneficiary,Merchant Category Number,"
    "Merchant Category,Gross Amount,VAT,Net Amount"
)


def test_a_procurement_card_export_headed_date_of_transaction(tmp_path: Path) -> None:
    # It was W-SPEND-READ, "no date column", and none of its payments counted.
    path = tmp_path / "card.csv"
    path.write_text(
        CARD_HEADER + "\nOPCC,Commissioning,1234,Grants,Supplies,4000,Sundries,09/04/2021,T1,"
        "Crimestoppers,5999,Misc,600.00,100.00,500.00\n",
        encoding="utf-8",
    )
    read = read_ledgers([path])
    assert read.findings == []
    assert list(read.payments["amount"]) == [50000]  # the net amount, as the plan's budgets
    assert read.payments["date"].iloc[0].date() == dt.date(2021, 4, 9)
    assert list(read.payments["cost_code"]) == ["1234"]


def test_a_long_header_missing_a_field_names_whole_headings(tmp_path: Path) -> None:
    # The headings were cut at 300 characters wherever that fell: '"Merchant Category) has no
    # date column', a heading cut in half and its quote left open.
    path = tmp_path / "card.csv"
    header = CARD_HEADER.replace("Date of Transaction", "When")
    path.write_text(header + "\nOPCC,x,1,x,x,1,x,09/04/2021,T1,A,1,x,1,0,1\n", encoding="utf-8")
    [finding] = read_ledgers([path]).findings
    assert "has no date column" in finding.message
    said = finding.message.split("(line 1: ", 1)[1].split(") has no date column")[0]
    assert said.endswith(" more")
    whole = said.rsplit(" and ", 1)[0]
    assert all(h.startswith('"') and h.endswith('"') for h in whole.split(", "))
    assert len(whole) <= 300


@pytest.mark.parametrize(
    ("header", "row"),
    [
        # SAP's vendor line items: the vendor's account number, then its name.
        ("Posting date,Vendor,Vendor name,Amount", "06/04/2021,100234,Rape Crisis,1589.63"),
        # Civica's and others' creditor reports: the supplier's code beside its name.
        ("Date,Supplier,Supplier name,Amount", "06/04/2021,RAP001,Rape Crisis,1589.63"),
        ("Date,Creditor,Creditor name,Amount", "06/04/2021,40021,Rape Crisis,1589.63"),
        ("Date,Payee,Payee name,Amount", "06/04/2021,P-77,Rape Crisis,1589.63"),
        # Agresso (Unit4): "(T)" is an attribute's text beside its id.
        ("Trans.date,Supplier,Supplier(T),Amount", "06/04/2021,100234,Rape Crisis,1589.63"),
    ],
)
def test_a_supplier_code_beside_the_supplier_name_is_not_read_as_the_supplier(
    tmp_path: Path, header: str, row: str
) -> None:
    # The bare "Vendor" or "Supplier" heading was read first: every payment's supplier was
    # its account number (100234), so none matched a line by its delivery organisation and
    # each was W-SPEND-UNMATCHED, named by a number.
    read = read_csv(tmp_path, f"{header}\n{row}\n")
    assert read.findings == []
    assert list(read.payments["supplier"]) == ["Rape Crisis"]


@pytest.mark.parametrize(
    "header",
    [
        "Date,Supplier,Net amount,VAT,Amount",
        "Date,Supplier,Net amount,VAT amount,Amount paid",
        "Date,Supplier,Amount excl VAT,VAT,Amount (£)",
        "Date,Supplier,Net,VAT,Payment amount",
    ],
)
def test_the_net_amount_is_read_before_an_amount_with_vat(tmp_path: Path, header: str) -> None:
    # A file with a net amount, its VAT and the amount paid (gross) was read by its bare
    # "Amount": £1,200 counted against a budget set net of VAT, £1,000.
    read = read_csv(tmp_path, f"{header}\n06/04/2021,Rape Crisis,1000.00,200.00,1200.00\n")
    assert read.findings == []
    assert list(read.payments["amount"]) == [100000]


@pytest.mark.parametrize(
    "header",
    [
        # Oracle's invoice and payment registers.
        "Supplier Name,Supplier Number,Invoice Num,Invoice Date,Payment Date,Amount Paid",
        "Posting date,Vendor name,Document no,Amount,Text",
    ],
)
def test_oracle_and_sap_references_are_read(tmp_path: Path, header: str) -> None:
    # No reference read, an invoice exported twice in one file could not be told from two
    # payments alike, and W-SPEND-DUPLICATE never said it.
    columns = header.split(",")
    values = {
        "Supplier Name": "NWCH",
        "Vendor name": "NWCH",
        "Supplier Number": "40021",
        "Invoice Num": "INV-77",
        "Document no": "5100000077",
        "Invoice Date": "01/05/2021",
        "Payment Date": "06/05/2021",
        "Posting date": "06/05/2021",
        "Amount Paid": "500.00",
        "Amount": "500.00",
        "Text": "Counselling",
    }
    row = ",".join(values[c] for c in columns)
    read = read_csv(tmp_path, f"{header}\n{row}\n")
    assert read.findings == []
    reference = "Invoice Num" if "Invoice Num" in columns else "Document no"
    assert list(read.payments["reference"]) == [values[reference]]


@pytest.mark.parametrize(
    "text",
    [
        # SAP's G/L account line items (FBL3N), dates with points, a credit memo signed.
        "Company Code,G/L Account,Document Number,Document Type,Posting Date,Document Date,"
        "Amount in local currency,Local Currency,Text,Cost Center,Vendor,Vendor Name\n"
        'PCC1,541000,5100001234,KR,01.04.2021,25.03.2021,"6,250.00",GBP,Q1 grant,CC4100,'
        "100234,Rape Crisis\n"
        "PCC1,541000,5100001300,KG,15.07.2021,15.07.2021,250.00-,GBP,Credit,CC4100,100234,"
        "Rape Crisis\n",
        # SAP's cost centre line items (KSB1): the supplier is the offsetting account's name.
        "Cost Center,Cost Element,Cost element name,Document Number,Posting Date,"
        "Name of offsetting account,Val.in rep.cur.,Report currency\n"
        'CC4100,541000,Grants,5100001234,01.04.2021,Rape Crisis,"6,250.00",GBP\n'
        "CC4100,541000,Grants,5100001300,15.07.2021,Rape Crisis,-250.00,GBP\n",
    ],
)
def test_sap_line_items_are_read(tmp_path: Path, text: str) -> None:
    # SAP's line item reports head the amount "Amount in local currency" (KSB1: "Val.in
    # rep.cur.", and the supplier "Name of offsetting account"): each was W-SPEND-READ, no
    # amount (or no supplier) column, and none of the month's payments counted.
    read = read_csv(tmp_path, text)
    assert read.findings == []
    assert list(read.payments["supplier"]) == ["Rape Crisis", "Rape Crisis"]
    assert list(read.payments["amount"]) == [625000, -25000]
    assert list(read.payments["cost_code"]) == ["CC4100", "CC4100"]
    assert read.payments["date"].iloc[1].date() == dt.date(2021, 7, 15)


@pytest.mark.parametrize(
    ("header", "row"),
    [
        # The cost centre's name under a bare "Cost Centre", its code beside it.
        (
            "Date,Supplier,Cost Centre,Cost Centre Code,Amount",
            "06/04/2021,Rape Crisis,Victims Services,VS01,1589.63",
        ),
        # A Transparency Code file from SAP: the service area, then SAP's "Cost Center".
        (
            "Service Area,Cost Center,Posting Date,Vendor Name,Amount",
            "Police - Commissioning,VS01,06/04/2021,Rape Crisis,1589.63",
        ),
    ],
)
def test_the_cost_centre_code_is_read_before_a_name_or_a_service_area(
    tmp_path: Path, header: str, row: str
) -> None:
    # The name or the service area was read as the cost code: no payment matched a line's
    # Cost code, and suppliers with several lines were W-SPEND-AMBIGUOUS, though the ledger
    # carried the codes that tell them apart.
    read = read_csv(tmp_path, f"{header}\n{row}\n")
    assert read.findings == []
    assert list(read.payments["cost_code"]) == ["VS01"]


@pytest.mark.parametrize(
    "header",
    [
        "Dyddiad / Date,Cyflenwr / Supplier,Swm / Amount",
        "Date / Dyddiad,Supplier / Cyflenwr,Amount (£) / Swm (£)",
        "Dyddiad/Date,Enw'r cyflenwr/Supplier name,Swm net/Net amount",
    ],
)
def test_a_welsh_forces_headings_in_both_languages_are_read(tmp_path: Path, header: str) -> None:
    # A Welsh force's export heads each column in Welsh and English, as its plan does: it was
    # W-SPEND-READ, "no header row with a date, a supplier and an amount column", none of its
    # payments counted.
    path = tmp_path / "gwariant.csv"
    path.write_text(f"{header}\n01/05/2021,NWCH,1000.00\n", encoding="utf-8")
    read = read_ledgers([path])
    assert read.findings == []
    assert list(read.payments["amount"]) == [100000]
    assert list(read.payments["supplier"]) == ["NWCH"]


def test_oracle_fusion_and_oracle_invoice_registers_are_read(tmp_path: Path) -> None:
    # Oracle Fusion's payments register heads the payee "Supplier or Party"; Oracle's invoice
    # register has "Invoice Amount" and marks a credit memo in "Invoice Type", printed
    # positive or negative. Both were W-SPEND-READ (no supplier / no amount column).
    fusion = tmp_path / "fusion.csv"
    fusion.write_text(
        "Payment Date,Supplier or Party,Payment Amount\n01/05/2021,NWCH,1000.00\n", "utf-8"
    )
    register = tmp_path / "register.csv"
    register.write_text(
        "Invoice Date,Supplier Name,Invoice Type,Invoice Amount\n"
        "01/05/2021,NWCH,Standard,1000.00\n"
        "02/05/2021,NWCH,Credit Memo,100.00\n"
        "03/05/2021,NWCH,Credit Memo,-50.00\n",
        "utf-8",
    )
    read = read_ledgers([fusion, register])
    assert read.findings == []
    assert list(read.payments["amount"]) == [100000, 100000, -10000, -5000]
