"""A debit/credit column beside an unsigned amount, as finance systems export it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ledger import read_ledgers
from pipeline.ledger_values import amount_pence
from pipeline.position import build_position
from pipeline.values import ValueProblem
from tests.test_position import sample_with_cost_codes


def _read(tmp_path: Path, text: str, name: str = "gl.csv") -> tuple[list[int], list[str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    read = read_ledgers([path])
    found = [f"{f.code} {f.cell}: {f.message}" for f in read.findings]
    return [int(a) for a in read.payments["amount"]], found


@pytest.mark.parametrize(
    ("heading", "debit", "credit"),
    [
        ("D/C", "D", "C"),
        ("Dr/Cr", "Dr", "Cr"),
        ("DR/CR", "DR", "CR"),
        ("Debit/Credit", "Debit", "Credit"),
        ("Debit/Credit indicator", "S", "H"),  # SAP's own marks
        ("D/C", "d", "c."),
    ],
)
def test_a_credit_marked_in_a_debit_credit_column_counts_negative(
    tmp_path: Path, heading: str, debit: str, credit: str
) -> None:
    text = (
        f"Date,Supplier,Amount,{heading},Transaction number\n"
        f"01/05/2021,Victim Support,10000.00,{debit},T1\n"
        f"02/05/2021,Victim Support,2500.00,{credit},T2\n"
        f'03/05/2021,Crimestoppers,"1,000.00",{credit},T3\n'
    )
    amounts, found = _read(tmp_path, text)
    assert found == []
    assert amounts == [1_000_000, -250_000, -100_000]


def test_a_credit_signed_and_marked_is_one_credit(tmp_path: Path) -> None:
    # SAP's G/L line items: the amount signed and the indicator beside it.
    text = "Date,Supplier,Amount,D/C\n01/05/2021,NWCH,900.00,S\n02/05/2021,NWCH,-250.00,H\n"
    assert _read(tmp_path, text) == ([90_000, -25_000], [])


@pytest.mark.parametrize(
    ("mark", "amount", "said"),
    [
        ("", "250.00", "debit/credit column is blank"),
        ("X", "250.00", 'debit/credit column reads "X", which is neither D'),
        ("D", "-250.00", "amount is -£250 but its debit/credit column says it is a debit"),
        ("Dr", "(250.00)", "amount is -£250 but its debit/credit column says it is a debit"),
    ],
)
def test_a_row_whose_sign_cannot_be_told_is_said_at_its_row(
    tmp_path: Path, mark: str, amount: str, said: str
) -> None:
    text = f"Date,Supplier,Amount,D/C\n01/05/2021,NWCH,900.00,D\n02/05/2021,NWCH,{amount},{mark}\n"
    amounts, found = _read(tmp_path, text)
    assert amounts == [90_000]  # the row is not counted as either
    assert len(found) == 1
    assert found[0].startswith("W-SPEND-VALUE line 3: The payment to NWCH is not counted: its ")
    assert said in found[0]


def test_a_suppliers_account_export_is_not_read_as_spend(tmp_path: Path) -> None:
    # SAP's vendor line items: each invoice a credit (H), each payment of it a debit (S).
    text = (
        "Posting date,Vendor name,Amount,D/C indicator,Document number\n"
        "01/05/2021,NWCH,1500.00,H,5100001\n"
        "20/05/2021,NWCH,1500.00,S,1500001\n"
        "01/06/2021,NWCH,1500.00,H,5100002\n"
    )
    amounts, found = _read(tmp_path, text, "fbl1n.csv")
    assert amounts == []
    assert len(found) == 1
    assert found[0].startswith("W-SPEND-READ")
    assert "credits total £3,000, as much as or more than its debits, £1,500" in found[0]
    assert "None of its payments are counted" in found[0]


def test_credits_count_against_the_line_in_the_position(tmp_path: Path) -> None:
    path = tmp_path / "gl.csv"
    path.write_text(
        "Date,Supplier,Amount,Dr/Cr,Transaction number\n"
        "03/05/2021,Crimestoppers,4000.00,Dr,T3\n"
        "04/05/2021,Crimestoppers,1000.00,Cr,T4\n",
        encoding="utf-8",
    )
    position = build_position(sample_with_cost_codes(), read_ledgers([path]).payments)
    assert position is not None
    spent = {p.line.organisation: p.spent for p in position.lines if p.payments}
    assert str(spent["Crimestoppers"]) == "3000.00"  # £4,000 paid, £1,000 back: not £5,000


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("\u2212500.00", -50_000), ("\u2013£1,234.56", -123_456), ("500.00\u2212", -50_000)],
)
def test_a_credit_with_a_typographic_minus_counts_negative(typed: str, pence: int) -> None:
    # A figure copied from a web page or a report: the minus sign proper, or an en dash. It
    # was the plan's "a negative amount; enter the budget as a positive number".
    assert amount_pence(typed, None) == pence


def test_a_debit_and_a_credit_column_in_place_of_an_amount(tmp_path: Path) -> None:
    # Sage's and Xero's reports: a payment in the Debit column, a refund in the Credit one.
    # It was W-SPEND-READ, no amount column, none of its payments counted.
    text = (
        "Date,Supplier,Reference,Debit,Credit\n"
        "01/05/2021,NWCH,T1,900.00,0.00\n"
        "02/05/2021,NWCH,T2,,250.00\n"
        '03/05/2021,NWCH,T3,"1,200.00",\n'
        "04/05/2021,NWCH,T4,100.00,100.00\n"
        "05/05/2021,NWCH,T5,,\n"
        "06/05/2021,NWCH,T6,-50.00,\n"
    )
    amounts, found = _read(tmp_path, text)
    assert amounts == [90_000, -25_000, 120_000]
    assert [f.split(": ")[0] for f in found] == [
        "W-SPEND-VALUE line 5",
        "W-SPEND-VALUE line 6",
        "W-SPEND-VALUE line 7",
    ]
    assert 'debit and credit columns read "100.00", "100.00": a row needs a figure' in found[0]
    assert "debit column reads -£50, a negative figure" in found[2]


def test_a_supplier_statement_of_debits_and_credits_is_not_read_as_spend(
    tmp_path: Path,
) -> None:
    # Sage's supplier activity: each invoice in the Credit column, each payment a debit.
    text = (
        "Date,Supplier,Type,Debit,Credit\n"
        "01/05/2021,NWCH,PI,,1500.00\n"
        "20/05/2021,NWCH,PP,1500.00,\n"
        "01/06/2021,NWCH,PI,,1500.00\n"
    )
    amounts, found = _read(tmp_path, text)
    assert amounts == []
    assert len(found) == 1 and found[0].startswith("W-SPEND-READ")
    assert "credits total £3,000, as much as or more than its debits, £1,500" in found[0]


@pytest.mark.parametrize("typed", ["-", " £ -   ", "£-", "Nil", "nil", "£ –"])
def test_excels_accounting_nothing_is_a_payment_of_nothing(typed: str) -> None:
    # A CSV saved from a sheet in Excel's Accounting format prints 0.00 as " £ -   ": it was
    # W-SPEND-VALUE saying the amount "has more than one minus sign or bracket".
    assert amount_pence(typed, "") == 0


@pytest.mark.parametrize("typed", ["", "   ", "\u00a0"])
def test_a_blank_amount_is_said_to_be_blank(typed: str) -> None:
    with pytest.raises(ValueProblem, match=r"^amount is blank"):
        amount_pence(typed, "")


def test_a_blank_or_nil_amount_in_a_ledger_says_what_it_is(tmp_path: Path) -> None:
    amounts, found = _read(
        tmp_path,
        "Date,Supplier,Amount\n"
        "09/04/2021,Crimestoppers,\n"
        '10/04/2021,Crimestoppers," £ -   "\n'
        "11/04/2021,Crimestoppers,500.00\n",
    )
    assert amounts == [0, 50000]
    [blank] = found
    assert blank.startswith("W-SPEND-VALUE line 2: ")
    assert "its amount is blank" in blank
    assert "minus sign" not in blank


def test_the_unused_side_of_a_debit_and_credit_pair_printed_as_nothing(tmp_path: Path) -> None:
    # Sage's report in Excel's Accounting format: the empty side prints " £ -   ".
    amounts, found = _read(
        tmp_path,
        "Date,Supplier,Debit,Credit\n"
        '09/04/2021,Crimestoppers,"1,000.00"," £ -   "\n'
        '10/04/2021,Crimestoppers," £ -   ",250.00\n',
    )
    assert (amounts, found) == ([100000, -25000], [])


def test_an_amount_beyond_any_payment_is_said_not_a_crash(tmp_path: Path) -> None:
    # A number cell of 1e300 stopped the whole build ("internal error: InvalidOperation"), and
    # twenty digits in a CSV overflowed the payments table (OverflowError): every workbook of
    # the run failed for one hostile spend file.
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Date", "Supplier", "Amount"])
    sheet.append([dt.date(2021, 4, 9), "Crimestoppers", 1e300])
    sheet.append([dt.date(2021, 4, 10), "Crimestoppers", 500])
    book.save(tmp_path / "big.xlsx")
    (tmp_path / "big.csv").write_text(
        "Date,Supplier,Amount\n09/04/2021,Crimestoppers,99999999999999999999\n"
        "10/04/2021,Crimestoppers,500\n",
        encoding="utf-8",
    )
    read = read_ledgers([tmp_path / "big.xlsx", tmp_path / "big.csv"])
    assert list(read.payments["amount"]) == [50000, 50000]
    messages = [f.message for f in read.findings]
    assert len(messages) == 2
    assert all("more than £1 trillion" in m for m in messages)
    assert 'reads "1e+300"' in messages[0]
