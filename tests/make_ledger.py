"""Write a ledger export for the sample plan (Lincolnshire 2021/22): the fixture of the spend tests.

    python -m tests.make_ledger input/spend/ledger-2021-22.csv

Weekly payments every Friday from 2 April to 24 September 2021 (26 weeks) at a fifty-second of
the line's budget, and one more on 30 September (the as-at date), with what real ledgers hold:
a credit note, pence, a redacted supplier, an unknown supplier, a payment exported twice, an
invoice split over two rows, suppliers with several lines (with and without cost codes), and
payments dated before the year. ``COST_CODES`` are the Services cost codes the tests give the
sample's lines (the sample itself has none).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HEADER = (
    "Transaction date",
    "Supplier name",
    "Amount (£)",
    "Transaction number",
    "Cost centre",
    "Expense type",
    "INV/CRN",
)
# Services row -> cost code, given to the sample's lines by the tests.
COST_CODES = {4: "VS-CORE", 5: "VS-CISVA", 16: "CSF-YOS"}
# (supplier as the ledger writes it, cost centre, weekly budget it is paid from)
WEEKLY = (
    ("Victim Support", "VS-CORE", Decimal(260000)),
    ("NUHT", "", Decimal(20000)),
    ("Rape Crisis", "", Decimal(82661)),
    ("NWCH", "", Decimal(18351)),
    ("Restorative Solutions CIC", "", Decimal(100000)),
    ("Lincolnshire County Council", "CSF-YOS", Decimal(172900)),
    ("Safer Living Foundation", "", Decimal(25000)),
    ("Lincolnshire Partnership Foundation Trust", "", Decimal(78000)),
    ("LPFT", "", Decimal(170000)),  # two Victims Fund lines: counts to the fund only
)
FIRST_FRIDAY = dt.date(2021, 4, 2)
WEEKS = 26
AS_AT = dt.date(2021, 9, 30)


def weekly(budget: Decimal) -> Decimal:
    return (budget / 52).quantize(Decimal("0.01"), ROUND_HALF_UP)


def payments() -> list[tuple[str, ...]]:
    """The ledger rows, in the order written (after the title and header lines)."""
    rows: list[tuple[str, ...]] = []
    number = 1000
    for week in range(WEEKS):
        day = (FIRST_FRIDAY + dt.timedelta(weeks=week)).strftime("%d/%m/%Y")
        for supplier, code, budget in WEEKLY:
            number += 1
            amount = f"{weekly(budget):,.2f}"
            rows.append((day, supplier, amount, f"T{number}", code, "Grant payments", "INV"))
    rows += [
        # Crimestoppers: one invoice split over two rows (different amounts and expense types).
        ("16/07/2021", "Crimestoppers", "2,000.00", "T5001", "", "Grant payments", "INV"),
        ("16/07/2021", "Crimestoppers", "2,518.75", "T5001", "", "Publicity", "INV"),
        # A credit note by the INV/CRN column, and one in brackets.
        ("18/06/2021", "Rape Crisis", "250.50", "T5002", "", "Grant payments", "CRN"),
        ("19/06/2021", "NWCH", "(100.00)", "T5003", "", "Grant payments", "INV"),
        # North Kesteven's £750 award paid as £800: an overspent line.
        ("14/05/2021", "North Kesteven District Council", "800.00", "T5004", "", "Awards", "INV"),
        # Suppliers with several lines and no cost code on the row.
        ("06/08/2021", "Victim Support", "1,500.00", "T5005", "", "Grant payments", "INV"),
        ("09/07/2021", "Lincolnshire County Council", "5,000.00", "T5006", "", "Grant", "INV"),
        # Redacted and unknown suppliers.
        ("11/06/2021", "REDACTED - personal data", "620.00", "T5007", "", "Counselling", "INV"),
        ("20/08/2021", "Acme Training Ltd", "1,200.00", "T5008", "", "Training", "INV"),
        # The same payment exported twice.
        ("23/07/2021", "Crimestoppers", "1,000.00", "T5009", "", "Grant payments", "INV"),
        ("23/07/2021", "Crimestoppers", "1,000.00", "T5009", "", "Grant payments", "INV"),
        # Paid before the year began: last year's plan, not this one.
        ("26/03/2021", "Rape Crisis", "6,888.42", "T0998", "", "Grant payments", "INV"),
        ("31/03/2021", "NWCH", "1,529.25", "T0999", "", "Grant payments", "INV"),
        # The latest payment: the position is as at this date.
        ("30/09/2021", "EDAN Lincs", "1,500.00", "T5010", "", "Grant payments", "INV"),
    ]
    return rows


def write_ledger(path: Path) -> Path:
    """Write the CSV (UTF-8 with a BOM, as Excel saves "CSV UTF-8", a title row first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Lincolnshire OPCC - payments over £500, April to September 2021"])
        writer.writerow(HEADER)
        writer.writerows(payments())
        writer.writerow([])  # the trailing blank rows of an Excel export
        writer.writerow([])
    return path


if __name__ == "__main__":  # pragma: no cover - a developer's convenience
    print(write_ledger(Path(sys.argv[1] if len(sys.argv) > 1 else "ledger-2021-22.csv")))
