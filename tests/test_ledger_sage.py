"""A Sage 50 audit trail in the spend folder: its transactions of every kind, typed by Sage's
two-letter codes, its suppliers account references, its report's title rows above the header."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.ledger import LedgerRead, read_ledgers
from pipeline.load import load
from pipeline.position_match import match_payments

SAMPLE = Path(__file__).resolve().parent.parent / "input" / "lincolnshire-2021-22.xlsx"

TITLE = (
    "Example OPCC\n"
    "Audit Trail (Detailed)\n"
    "Date From: 01/04/2021\n"
    "Date To: 30/09/2021\n"
    "Transaction From: 1\n"
    "Transaction To: 99999999\n"
)
HEADER = "No,Type,Account,Nominal,Dept,Details,Date,Ref,Ex.Ref,Net,Tax,T/C,Pd,Paid,V,B,Bank Rec.\n"
ROWS = (
    # The invoice, and the payment that settles it: counted once.
    "1,PI,VICSUP,5000,1,Q1 grant,01/04/2021,INV001,,65000.00,0.00,T2,Y,65000.00,-,-,\n"
    "2,PP,VICSUP,1200,0,Purchase Payment,08/04/2021,BACS,,65000.00,0.00,T9,Y,65000.00,-,N,\n"
    # The MoJ grant claimed: income, no spend.
    "3,SI,MOJ,4000,0,Grant claim,10/04/2021,SI001,,221000.00,0.00,T2,N,0.00,-,-,\n"
    # Paid from the bank: the Account is the bank's, the payee its Details; net of VAT.
    "4,BP,1200,7500,2,Crimestoppers,12/05/2021,DD,,1500.00,300.00,T1,Y,1800.00,N,N,\n"
    # A credit note printed without a sign, and a journal.
    "5,PC,VICSUP,5000,1,Credit note,20/05/2021,CN01,,1000.00,0.00,T2,Y,1000.00,-,-,\n"
    "6,JD,,7500,0,Recharge,31/05/2021,J1,,250.00,0.00,T9,Y,0.00,-,-,\n"
)


def read(folder: Path, text: str) -> LedgerRead:
    path = folder / "AUDITDL2.csv"
    path.write_text(text, encoding="utf-8")
    return read_ledgers([path])


def test_a_sage_audit_trail_counts_its_spend_once(tmp_path: Path) -> None:
    # It was W-SPEND-READ ("has no supplier column: head it as one of Supplier name, ..."):
    # none counted, and renamed as told it counted the sales invoice and each invoice twice.
    got = read(tmp_path, TITLE + HEADER + ROWS)
    assert [f.code for f in got.findings] == ["I-SPEND-AUDIT-TRAIL"]
    payments = got.payments
    assert list(payments["row"]) == [8, 11, 12]
    assert list(payments["amount"]) == [6_500_000, 150_000, -100_000]
    assert list(payments["supplier"]) == ["VICSUP", "Crimestoppers", "VICSUP"]
    assert list(payments["reference"]) == ["1", "4", "5"]
    assert list(payments["cost_code"]) == ["1", "2", "1"]
    assert payments["date"].iloc[0].date() == dt.date(2021, 4, 1)
    note = got.findings[0]
    assert "read as a Sage audit trail: 3 of its rows (purchase invoices" in note.message
    assert "1 purchase payment (PP, £65,000)" in note.message
    assert "1 sales invoice (SI, £221,000)" in note.message
    assert "1 journal debit (JD, £250)" in note.message
    assert 'VICSUP = "Victim Support"' in note.message


def test_its_account_references_match_by_an_alias(tmp_path: Path) -> None:
    rows = (
        "1,PI,CRIME01,5000,0,Q1,01/04/2021,INV001,,2000.00,400.00,T1,Y,2400.00,-,-,\n"
        "2,BP,1200,7500,0,Crimestoppers,12/05/2021,DD,,1500.00,300.00,T1,Y,1800.00,N,N,\n"
    )
    got = read(tmp_path, TITLE + HEADER + rows)
    loaded = load(SAMPLE).plan
    assert loaded is not None
    matched = match_payments(loaded, got.payments, {"CRIME01": "Crimestoppers"})
    lines = {loaded.lines[i].organisation for i in matched["line"]}
    assert lines == {"Crimestoppers"}


def test_its_grand_total_over_every_type_holds_no_payment(tmp_path: Path) -> None:
    # The report adds up its Net column as printed: 65,000 + 65,000 + 221,000 + 1,500 +
    # 1,000 (the credit note, printed unsigned) + 250. It was said not to add up, £2,000 out.
    total = ",,,,,,,,Totals:,353750.00,300.00,,,,,,\n"
    got = read(tmp_path, TITLE + HEADER + ROWS + total)
    assert [f.code for f in got.findings] == ["I-SPEND-AUDIT-TRAIL"]
    assert list(got.payments["amount"]) == [6_500_000, 150_000, -100_000]
    # Printed with its minus, the credit is added so.
    signed = ROWS.replace(",1000.00,0.00,T2,Y,1000.00", ",-1000.00,0.00,T2,Y,1000.00")
    total = ",,,,,,,,Totals:,351750.00,300.00,,,,,,\n"
    got = read(tmp_path, TITLE + HEADER + signed + total)
    assert [f.code for f in got.findings] == ["I-SPEND-AUDIT-TRAIL"]
    assert list(got.payments["amount"]) == [6_500_000, 150_000, -100_000]


def test_a_row_with_no_type_is_said_not_guessed(tmp_path: Path) -> None:
    row = "7,,VICSUP,5000,1,Q2 grant,01/07/2021,INV002,,65000.00,0.00,T2,Y,0.00,-,-,\n"
    got = read(tmp_path, TITLE + HEADER + ROWS + row)
    assert [(f.code, f.cell) for f in got.findings] == [
        ("I-SPEND-AUDIT-TRAIL", ""),
        ("W-SPEND-VALUE", "line 14"),
    ]
    assert "its type is blank, not one of Sage's transaction types" in got.findings[1].message
    assert len(got.payments) == 3


def test_a_type_and_account_not_sages_is_still_no_supplier(tmp_path: Path) -> None:
    # An export whose Account is a ledger code and Type a word: no supplier's column, as before.
    text = "Date,Type,Account,Amount\n01/04/2021,Invoice,5000,100.00\n02/04/2021,Invoice,5000,5\n"
    got = read(tmp_path, text)
    assert [f.code for f in got.findings] == ["W-SPEND-READ"]
    assert "has no supplier column" in got.findings[0].message


def test_invoices_and_the_payments_of_them_count_once(tmp_path: Path) -> None:
    # A supplier transaction list (Sage 200's, a purchase ledger report): each invoice and
    # the payment that settles it, both read as spend: £1,900 counted for £900 spent.
    text = (
        "Transaction type,Date,Supplier name,Reference,Net amount\n"
        "Invoice,01/05/2021,NWCH,INV1,1000.00\n"
        "Payment,15/05/2021,NWCH,PAY1,1000.00\n"
        "Credit note,20/05/2021,NWCH,CN1,100.00\n"
    )
    got = read(tmp_path, text)
    assert list(got.payments["amount"]) == [100_000, -10_000]
    assert list(got.payments["reference"]) == ["INV1", "CN1"]
    [note] = got.findings
    assert (note.code, note.cell) == ("I-SPEND-AUDIT-TRAIL", "")
    assert "lists invoices and the payments that settle them: 2 of its rows" in note.message
    assert 'payments of the invoices counted already: 1 row of type "Payment" (£1,000)' in (
        note.message
    )
    # A grant paid with no invoice listed is a payment, and counts.
    grant = text + "Payment,01/06/2021,Crimestoppers,PAY2,500.00\n"
    assert list(read(tmp_path, grant).payments["reference"]) == ["INV1", "CN1", "PAY2"]
    # A file of payments alone, or of invoices and credit notes, is read as before.
    alone = text.replace("Invoice,", "Payment,").replace("Credit note,", "Payment,")
    assert list(read(tmp_path, alone).payments["amount"]) == [100_000, 100_000, 10_000]


def test_sap_vendor_items_signed_from_the_suppliers_side_are_refused(tmp_path: Path) -> None:
    # SAP's vendor line items: each invoice (KR) a credit, its payment (KZ) a debit. Read as
    # spend they cancelled out: the line read as paid nothing, without a word.
    text = (
        "Document type,Posting date,Vendor name,Amount in local currency\n"
        "KR,01/05/2021,NWCH,-1000.00\n"
        "KZ,15/05/2021,NWCH,1000.00\n"
    )
    got = read(tmp_path, text)
    assert got.payments.empty
    assert [f.code for f in got.findings] == ["W-SPEND-READ"]
    assert "credits total £1,000, as much as or more than its debits" in got.findings[0].message
