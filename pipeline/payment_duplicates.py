"""``W-SPEND-DUPLICATE``: a payment that is in the spend files twice (both stay counted until a
person removes one copy).

- A reference seen twice with the same supplier, date, amount, cost centre and expense type:
  said at the second row. Split lines of one invoice differ in amount, cost centre or expense
  type and are normal (a grant split evenly between two cost centres is two halves, not a
  copy); so is a payment posted again after its reversal (a credit of the same reference and
  amount): the copy that a reversal answers is no duplicate, and removing it would leave
  nothing paid.
- With no reference to tell two payments apart (a "spend over £500" file without a
  transaction number), the same supplier, date, amount, cost centre and expense type in two
  exports (two files, or two sheets of a workbook): exports that overlap (April to June, then
  June and July) count the days they share twice. Within one export such rows may well be two
  payments (two sessions at one price on one day) and are not said.

Only the few rows that become findings are turned into Python values (:class:`_Row`); the
rest stay in the payments table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.findings import Finding
from pipeline.ledger_values import cut, payee, pounds
from pipeline.values import format_date, format_money

if TYPE_CHECKING:
    import pandas as pd

MAX_SAID = 20  # duplicates with a finding each; one finding for the rest


@dataclass(frozen=True)
class _Row:
    """One payment row of the table, typed, for the few rows that become findings."""

    file: str
    sheet: str
    cell: str
    date: dt.date
    supplier: str
    amount: int  # pence
    reference: str
    cost_code: str
    expense_type: str

    @property
    def export(self) -> tuple[str, str]:
        """The file and sheet it was read from (a CSV's sheet is its file's name)."""
        return self.file, self.sheet


def _records(frame: pd.DataFrame) -> list[_Row]:
    columns = zip(
        frame["file"].tolist(),
        frame["sheet"].tolist(),
        frame["cell"].tolist(),
        frame["date"].dt.date.tolist(),
        frame["supplier"].tolist(),
        frame["amount"].tolist(),
        frame["reference"].tolist(),
        frame["cost_code"].tolist(),
        frame["expense_type"].tolist(),
        strict=True,
    )
    return [
        _Row(str(f), str(s), str(c), d, str(p), int(a), str(r), str(k), str(e))
        for f, s, c, d, p, a, r, k, e in columns
    ]


def duplicates(current: pd.DataFrame) -> list[Finding]:
    """W-SPEND-DUPLICATE for each payment in ``current`` that repeats another (see above):
    the first ``MAX_SAID`` each, then one finding for the rest (a month copied in twice)."""
    with_reference = current["reference"] != ""
    pairs = [*_same_reference(current[with_reference]), *_across_exports(current[~with_reference])]
    found = [_said(row, original) for row, original in pairs[:MAX_SAID]]
    more = [row for row, _ in pairs[MAX_SAID:]]
    if more:
        total = format_money(pounds(sum(row.amount for row in more)))
        found.append(
            Finding(
                "W-SPEND-DUPLICATE",
                more[0].file,
                f"{len(more)} more payments totalling {total} repeat earlier ones (first at "
                f"{more[0].sheet} {more[0].cell}), all counted: a file copied twice into the "
                "spend folder, or months that overlap? Remove the copies and run again.",
                more[0].sheet,
            )
        )
    return found


def _said(row: _Row, original: _Row) -> Finding:
    what = f"The payment {cut(row.reference)}" if row.reference else "The payment"
    if row.reference or row.export == original.export:
        why = "Both are counted: if it was entered or exported twice, remove one copy."
    else:
        where = "sheet" if row.file == original.file else "file"  # two sheets of a workbook
        why = (
            f"Neither {where} has a reference to tell two payments apart, and both are counted: "
            "if the exports overlap, remove the rows of the days they share from one of them."
        )
    return Finding(
        "W-SPEND-DUPLICATE",
        row.file,
        f"{what} of {format_money(pounds(row.amount))} to {payee(row.supplier)} on "
        f"{format_date(row.date)} repeats the one at {original.sheet} {original.cell}. {why}",
        row.sheet,
        row.cell,
    )


def _same_reference(keyed: pd.DataFrame) -> list[tuple[_Row, _Row]]:
    """(copy, original) for each payment repeating an earlier one of its reference."""
    columns = ["reference", "supplier", "date", "amount", "cost_code", "expense_type"]
    repeat = keyed.duplicated(subset=columns, keep=False)
    if not repeat.any():
        return []
    reversals = _reversals(keyed, keyed[repeat])
    first: dict[tuple[str, str, dt.date, int, str, str], _Row] = {}
    pairs: list[tuple[_Row, _Row]] = []
    for row in _records(keyed[repeat]):
        key = (row.reference, row.supplier, row.date, row.amount, row.cost_code, row.expense_type)
        original = first.setdefault(key, row)
        if original is row:
            continue
        undated = (row.reference, row.supplier, row.amount, row.cost_code, row.expense_type)
        if reversals.get(undated, 0) > 0:  # posted, reversed, posted again: answered
            reversals[undated] -= 1
            continue
        pairs.append((row, original))
    return pairs


def _across_exports(loose: pd.DataFrame) -> list[tuple[_Row, _Row]]:
    """(copy, original) for payments with no reference that an earlier export holds too: of
    each supplier, date, amount, cost centre and expense type, a later export's rows repeat
    those of the export before it that held the most of them."""
    columns = ["supplier", "date", "amount", "cost_code", "expense_type"]
    repeat = loose.duplicated(subset=columns, keep=False)
    if not repeat.any():
        return []
    records = _records(loose[repeat])
    groups: dict[tuple[str, dt.date, int, str, str], dict[tuple[str, str], list[int]]] = {}
    for index, row in enumerate(records):
        key = (row.supplier, row.date, row.amount, row.cost_code, row.expense_type)
        groups.setdefault(key, {}).setdefault(row.export, []).append(index)
    pairs: list[tuple[int, int]] = []
    for exports in groups.values():
        seen: list[int] = []  # the rows of the export before that held the most
        for rows in exports.values():
            pairs.extend(zip(rows, seen, strict=False))
            if len(rows) > len(seen):
                seen = rows
    # In the order the files were read, as the other findings are.
    return [(records[copy], records[original]) for copy, original in sorted(pairs)]


def _reversals(
    keyed: pd.DataFrame, repeated: pd.DataFrame
) -> dict[tuple[str, str, int, str, str], int]:
    """Per reference, supplier, amount, cost centre and expense type of the repeated payments:
    how many of their copies a reversal answers. A payment reversed and posted again (the
    same reference and date, as Oracle and Agresso re-post a correction) is a copy for each
    credit of the same reference and opposite amount, on any date; a credit repeated is
    answered by the payments of that reference beyond the first (each credit needs one)."""
    wanted = {
        (str(r), str(s), -int(a), str(c), str(e))
        for r, s, a, c, e in zip(
            repeated["reference"],
            repeated["supplier"],
            repeated["amount"],
            repeated["cost_code"],
            repeated["expense_type"],
            strict=True,
        )
        if int(a)  # a payment of nothing is no reversal of one
    }
    opposite: dict[tuple[str, str, int, str, str], int] = {}
    for r, s, a, c, e in zip(
        keyed["reference"],
        keyed["supplier"],
        keyed["amount"],
        keyed["cost_code"],
        keyed["expense_type"],
        strict=True,
    ):
        key = (str(r), str(s), int(a), str(c), str(e))
        if key in wanted:  # the rows that could reverse a repeated payment
            opposite[key] = opposite.get(key, 0) + 1
    answered: dict[tuple[str, str, int, str, str], int] = {}
    for (r, s, a, c, e), count in opposite.items():
        # A payment's copies are answered by its credits; a credit's by the payments but one.
        answered[(r, s, -a, c, e)] = count if a < 0 else count - 1
    return answered
