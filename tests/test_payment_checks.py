"""The findings about payments a person must look at (:mod:`pipeline.payment_checks`), from the
ledgers as finance systems export them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pipeline.findings import Finding
from pipeline.ledger import read_ledgers
from pipeline.position import build_position
from tests.test_position import sample_with_cost_codes

HEADER = "Date,Supplier,Amount,Transaction number,Cost centre,Expense type\n"


def _duplicates(tmp_path: Path, rows: str) -> list[Finding]:
    path = tmp_path / "ledger.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    read = read_ledgers([path], labels=["ledger.csv"])
    assert read.findings == []
    position = build_position(sample_with_cost_codes(), read.payments)
    assert position is not None
    return [f for f in position.findings if f.code == "W-SPEND-DUPLICATE"]


def test_a_payment_reversed_and_posted_again_is_not_a_duplicate(tmp_path: Path) -> None:
    # Oracle and Agresso correct a payment by reversing it and posting it again, with the same
    # reference and date: the officer was told to remove one copy, which would leave the
    # £5,000 actually paid counted as nothing.
    found = _duplicates(
        tmp_path,
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,-5000.00,T1,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n",
    )
    assert found == []


def test_a_reversal_dated_later_answers_the_copy_posted_again(tmp_path: Path) -> None:
    found = _duplicates(
        tmp_path,
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n"
        "30/04/2021,Victim Support,-5000.00,T1,VS-CORE,Grants\n",
    )
    assert found == []


def test_a_copy_beyond_its_reversals_is_still_a_duplicate(tmp_path: Path) -> None:
    # Posted, reversed, posted again, and then the month exported a second time: one copy
    # too many, said at the last row.
    found = _duplicates(
        tmp_path,
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,-5000.00,T1,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n",
    )
    assert [f.cell for f in found] == ["line 5"]


def test_a_reversal_of_another_reference_or_amount_answers_nothing(tmp_path: Path) -> None:
    found = _duplicates(
        tmp_path,
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,-5000.00,T2,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,-500.00,T1,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n",
    )
    assert [f.cell for f in found] == ["line 5"]


def test_a_credit_repeated_is_a_duplicate_unless_a_payment_was_posted_again(
    tmp_path: Path,
) -> None:
    twice = _duplicates(
        tmp_path,
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n"
        "09/04/2021,Victim Support,-5000.00,T1,VS-CORE,Grants\n"
        "09/04/2021,Victim Support,-5000.00,T1,VS-CORE,Grants\n",
    )
    assert [f.cell for f in twice] == ["line 4"]
    # Posted, reversed, posted, reversed, posted: each credit has its payment.
    answered = _duplicates(
        tmp_path,
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n"
        "09/04/2021,Victim Support,-5000.00,T1,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n"
        "09/04/2021,Victim Support,-5000.00,T1,VS-CORE,Grants\n"
        "02/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n",
    )
    assert answered == []


def _read(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    paths = []
    for name, rows in files.items():
        path = tmp_path / name
        path.write_text("Date,Supplier,Amount\n" + rows, encoding="utf-8")
        paths.append(path)
    read = read_ledgers(paths, labels=list(files))
    assert read.findings == []
    position = build_position(sample_with_cost_codes(), read.payments)
    assert position is not None
    return [f for f in position.findings if f.code == "W-SPEND-DUPLICATE"]


def test_two_exports_without_references_that_overlap_are_said(tmp_path: Path) -> None:
    # A "spend over £500" file of April to June and one of June and July: with no transaction
    # number, the June payment in both was counted twice without a word.
    found = _read(
        tmp_path,
        {
            "q1.csv": "02/04/2021,Crimestoppers,1000.00\n04/06/2021,Crimestoppers,1000.00\n",
            "june-july.csv": "04/06/2021,Crimestoppers,1000.00\n02/07/2021,Crimestoppers,1000.00\n",
        },
    )
    assert [(f.file, f.cell) for f in found] == [("june-july.csv", "line 2")]
    assert "repeats the one at q1.csv line 3" in found[0].message
    assert "Neither file has a reference" in found[0].message
    assert "remove the rows of the days they share from one of them" in found[0].message


def test_two_payments_alike_in_one_export_without_references_are_not_said(
    tmp_path: Path,
) -> None:
    # Two sessions at one price on one day: nothing tells them from a copy, so nothing is said.
    found = _read(
        tmp_path,
        {"may.csv": "07/05/2021,Crimestoppers,500.00\n07/05/2021,Crimestoppers,500.00\n"},
    )
    assert found == []


def test_an_overlap_repeats_only_as_many_payments_as_the_earlier_export_held(
    tmp_path: Path,
) -> None:
    twice = "07/05/2021,Crimestoppers,500.00\n07/05/2021,Crimestoppers,500.00\n"
    found = _read(
        tmp_path,
        {
            "may.csv": "07/05/2021,Crimestoppers,500.00\n",
            "may-again.csv": twice,
            "may-june.csv": twice + "07/05/2021,Crimestoppers,500.00\n",
        },
    )
    # may-again.csv: one of its two repeats may.csv's; may-june.csv: two of its three repeat
    # may-again.csv's.
    assert [(f.file, f.cell) for f in found] == [
        ("may-again.csv", "line 2"),
        ("may-june.csv", "line 2"),
        ("may-june.csv", "line 3"),
    ]


def test_two_sheets_of_a_workbook_that_overlap_are_said_as_sheets(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    april = book.active
    assert april is not None
    april.title = "April"
    may = book.create_sheet("May")
    for sheet, days in ((april, (9, 30)), (may, (30,))):
        sheet.append(["Date", "Supplier", "Amount"])
        for day in days:
            sheet.append([dt.date(2021, 4, day), "Crimestoppers", 500])
    book.save(tmp_path / "ledger.xlsx")
    read = read_ledgers([tmp_path / "ledger.xlsx"], labels=["ledger.xlsx"])
    position = build_position(sample_with_cost_codes(), read.payments)
    assert position is not None
    [found] = [f for f in position.findings if f.code == "W-SPEND-DUPLICATE"]
    assert (found.sheet, found.cell) == ("ledger.xlsx › May", "row 2")
    assert "repeats the one at ledger.xlsx › April row 3. Neither sheet has a" in found.message


def test_a_payment_run_exported_before_its_day_counts_nothing_yet(tmp_path: Path) -> None:
    # Built on 5 April 2021 from an export of the BACS run of 16 April: with no payment of the
    # year dated by the day of the build, the position was at 16 April, counting the run as
    # paid and stretching every forecast over days not yet lived, without a word.
    import datetime as dt

    path = tmp_path / "run.csv"
    path.write_text(HEADER + "16/04/2021,Victim Support,5000.00,T1,VS-CORE,Grants\n", "utf-8")
    payments = read_ledgers([path]).payments
    position = build_position(sample_with_cost_codes(), payments, today=dt.date(2021, 4, 5))
    assert position is not None
    assert (position.as_at, position.payments, position.spent) == (
        dt.date(2021, 4, 5),
        0,
        Decimal(0),
    )
    assert position.changes_on == dt.date(2021, 4, 16)  # a rerun on that day counts it
    [note] = [f.message for f in position.findings if f.code == "I-SPEND-OUT-OF-YEAR"]
    assert "1 payment of £5,000 dated 16/04/2021 (line 2) is dated after today, 05/04/2021" in note
    assert "no payment of 2021/22 is dated by today: the position is at today and counts none" in (
        note
    )
    assert "the latest payment" not in note
