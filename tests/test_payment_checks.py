"""The findings about payments a person must look at (:mod:`pipeline.payment_checks`), from the
ledgers as finance systems export them."""

from __future__ import annotations

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
