"""Payment dates as finance systems write them with no separators (20210415)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.ledger import read_ledgers
from pipeline.ledger_values import payment_date
from pipeline.values import ValueProblem


@pytest.mark.parametrize("typed", ["20210415", 20210415, 20210415.0, "20210415 09:30:00"])
def test_a_date_written_year_month_day_without_separators(typed: object) -> None:
    assert payment_date(typed) == dt.date(2021, 4, 15)


@pytest.mark.parametrize(
    ("typed", "said"),
    [("20210231", "(as year, month and day: 2021-02-31)"), ("20211304", "2021-13-04")],
)
def test_eight_digits_that_are_no_day_are_said(typed: str, said: str) -> None:
    with pytest.raises(ValueProblem, match="not a date") as problem:
        payment_date(typed)
    assert said in str(problem.value)


def test_a_sap_export_with_compact_dates_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "sap.csv"
    path.write_text(
        "Posting date,Vendor name,Amount,Document number\n"
        "20210415,NWCH,900.00,5100001\n"
        "20210502,NWCH,450.00,5100002\n",
        encoding="utf-8",
    )
    read = read_ledgers([path])
    assert read.findings == []
    assert [d.date() for d in read.payments["date"]] == [dt.date(2021, 4, 15), dt.date(2021, 5, 2)]
