"""A ledger report's pages: what a finance system prints on each page of a report saved as CSV
besides the payments, and which of its lines hold no payment.

A report repeats its header on each page, with its title, "Page 2 of 9" and the day it ran
above it, and may close each page with the page's total under the amount column (alone, or
labelled "Page total", "Carried forward"; Excel's Data > Subtotal writes "NWCH Total"). Such
lines are passed over, as the title block above the first header is: the header again, a text
alone that is no date or amount, a date alone beside them (the day the report ran), and a
total that is the sum of the payments above it since the last total or in the whole report.
A total that does not add up, or a date or an amount alone anywhere else (a payment that lost
its other cells?), is not passed over: :mod:`pipeline.ledger_columns` says it.

Rows Excel hides (a filter left on, an outline collapsed to its totals) are read like the
others, and a note says which hold payments (I-SPEND-HIDDEN-ROWS).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence

from pipeline.findings import Finding
from pipeline.ledger_values import amount_pence, payment_date, pounds
from pipeline.values import ValueProblem, clean_text, format_money

Rows = list[tuple[int, Sequence[object]]]  # (the row or line number a person sees, its values)


def is_blank(value: object) -> bool:
    """An empty cell: nothing, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def row_blank(values: Sequence[object]) -> bool:
    """A row of empty cells."""
    first = values[0] if values else None
    if first is not None and not (isinstance(first, str) and not first.strip()):
        return False  # most rows start with their date: no need to look further
    return all(is_blank(v) for v in values)


def page_furniture(values: Sequence[object]) -> bool:
    """A line a report prints on each page besides its header (its title, "Page 2 of 9",
    "Printed 01/05/2021 10:32"): one text cell alone that is no date. It holds no amount, so
    passing it over loses nothing, as the title block above the header."""
    filled = _alone(values)
    if filled is None or not isinstance(filled, str):
        return False
    return not _reads_as_date(filled) and not _reads_as_amount(filled)


class Report:
    """One table's lines under its header: the payment lines, and the pages they are on.

    ``key`` folds a heading as the header was matched (:func:`pipeline.ledger_columns.
    heading_key`); ``date`` is the date column of the header ``rows[start]``."""

    def __init__(self, rows: Rows, start: int, date: int, key: Callable[[object], str]):
        self._rows = rows
        self._start = start
        header = rows[start][1]
        self._folded = [key(v) for v in header]
        self._date = date
        self._key = key
        self.body: Rows = []
        self._breaks: list[int] = []  # the numbers of the lines that repeat the header
        self._index: dict[int, int] = {}  # line number -> its index in rows, when asked
        self._passed: set[int] = set()  # the lines found to be the report's own so far
        for number, values in rows[start + 1 :]:
            if row_blank(values):
                continue
            if self._repeats_header(values):
                self._breaks.append(number)
            else:
                self.body.append((number, values))
        self._page = -1
        self._on_page = 0  # pence of the payments counted on the current page so far
        self._in_all = 0  # and in the whole table

    def count(self, number: int, pence: int) -> None:
        """A payment counted at line ``number`` (lines come in order)."""
        self._turn(number)
        self._on_page += pence
        self._in_all += pence

    def holds_no_payment(
        self, number: int, values: Sequence[object], pence: int | ValueProblem
    ) -> bool:
        """Whether the line ``number``, which is not a payment as it stands (its date or its
        amount cannot be read), is the report's own: its title or page number again, the day
        it ran beside them, or a total (a page's, the report's, Excel's Data > Subtotal, a
        balance carried forward): a figure alone, or beside a total's label and other
        figures, that is the sum of the payments above it since the last such total or in
        the whole table. A total whose figure is not that sum is said."""
        self._turn(number)
        filled = [v for v in values if not is_blank(v)]
        if not filled:
            return False
        if page_furniture(values):
            theirs = True
        elif self._adds_up(pence) and (len(filled) == 1 or _labelled_total(filled)):
            self._on_page = 0  # a total closes what it adds up
            theirs = True
        else:
            theirs = (
                len(filled) == 1 and _reads_as_date(filled[0]) and self._beside_furniture(number)
            )
        if theirs:
            self._passed.add(number)
        return theirs

    def unadded(self, values: Sequence[object], pence: int | ValueProblem) -> str:
        """What to say of a line :meth:`holds_no_payment` did not pass over that reads as a
        total (a total's label and figures alone) whose figure is not what the payments above
        it add up to: the label, the figure, their sum and how far apart. Empty if no total."""
        filled = [v for v in values if not is_blank(v)]
        if not isinstance(pence, int) or not _labelled_total(filled):
            return ""
        label = next(t for t in map(clean_text, filled) if TOTAL_LABEL.search(t))
        since, whole = self._on_page, self._in_all
        if since == whole:
            gap = (
                f"{format_money(pounds(abs(whole - pence)))} {'more' if whole > pence else 'less'}"
            )
            sums = f"the payments above it add up to {format_money(pounds(whole))}, {gap}"
        else:  # a total before it (a page's, a supplier's) closed some of them
            sums = (
                f"the payments above it add up to {format_money(pounds(since))} since the last "
                f"total, {format_money(pounds(whole))} in all"
            )
        return (
            f'This row reads "{label}" and {format_money(pounds(pence))}, a total rather than '
            f"a payment, and is not counted; but {sums}: a payment may be missing from the "
            "export or in it twice, or the total typed. Check the export against the finance "
            "system's own report, then remove the row from the export to clear this note."
        )

    def _adds_up(self, pence: int | ValueProblem) -> bool:
        return isinstance(pence, int) and pence != 0 and pence in (self._on_page, self._in_all)

    def _turn(self, number: int) -> None:
        page = bisect.bisect_left(self._breaks, number)
        if page != self._page:
            self._page, self._on_page = page, 0

    def _repeats_header(self, values: Sequence[object]) -> bool:
        """The header again, as a report printed to CSV repeats it on every page. A date
        cell that is not text, or starts with a digit (a payment's), is not looked at
        further: a ledger of 100,000 rows is not folded cell by cell."""
        cell = values[self._date] if self._date < len(values) else None
        if not isinstance(cell, str) or cell.lstrip()[:1].isdigit():
            return False
        if self._key(cell) != self._folded[self._date]:
            return False
        return [self._key(v) for v in values] == self._folded

    def _beside_furniture(self, number: int) -> bool:
        """Whether the nearest line above or below ``number`` (blank lines passed) is the
        header, repeated or not, a title or page line, or a total passed over: a date alone
        there is the day the report ran, printed with them."""
        if not self._index:
            self._index = {n: i for i, (n, _) in enumerate(self._rows)}
        at = self._index[number]
        for step in (-1, 1):
            i = at + step
            while 0 <= i < len(self._rows) and row_blank(self._rows[i][1]):
                i += step
            if not 0 <= i < len(self._rows):
                continue
            near, values = self._rows[i]
            if (
                i == self._start
                or near in self._passed
                or page_furniture(values)
                or self._repeats_header(values)
            ):
                return True
        return False


# "Total", "Grand total", "Page total", Excel's Data > Subtotal row ("Victim Support Total"),
# and a balance carried to the next page or brought from the last.
# A colon after it, as Oracle's reports print them: "Supplier Total:", "Report Total:".
TOTAL_LABEL = re.compile(
    r"^(grand |sub-?)?totals?\b|\S\s+total:?$|^(balance )?(brought|carried) forward:?$"
    r"|^[bc]/f:?$",
    re.IGNORECASE,
)


def _labelled_total(filled: Sequence[object]) -> bool:
    """A total's label and figures alone: a text that reads as a total, and nothing else but
    figures (a report's total row may add up its net, VAT and gross columns)."""
    texts = [clean_text(v) for v in filled if isinstance(v, str)]
    labels = [t for t in texts if TOTAL_LABEL.search(t)]
    return len(labels) == 1 and all(t in labels or _reads_as_amount(t) for t in texts)


def _alone(values: Sequence[object]) -> object | None:
    """The one filled cell of a line, or None when it has none or several."""
    filled = [v for v in values if not is_blank(v)]
    return filled[0] if len(filled) == 1 else None


def _reads_as_date(value: object) -> bool:
    try:
        payment_date(value)
    except ValueProblem:
        return False
    return True


def _reads_as_amount(value: object) -> bool:
    try:
        amount_pence(value, None)
    except ValueProblem:
        return False
    return True


def hidden_rows_note(
    label: str,
    sheet: str,
    rows: Sequence[object],
    amounts: Sequence[object],
    hidden: frozenset[int],
) -> Finding | None:
    """I-SPEND-HIDDEN-ROWS when payments read from ``sheet`` (their ``rows`` and ``amounts``
    in pence) are on rows hidden in Excel: they are counted, and the officer, who sees only
    the rows a filter leaves (one supplier, one month), is told which and how much they hold."""
    if not hidden:
        return None
    found = [
        (row, pence)
        for row, pence in zip(rows, amounts, strict=True)
        if row in hidden and isinstance(row, int) and isinstance(pence, int)
    ]
    if not found:
        return None
    numbers = [row for row, _ in found]
    shown = ", ".join(str(n) for n in numbers[:20]) + (" …" if len(numbers) > 20 else "")
    many = len(found) != 1
    return Finding(
        "I-SPEND-HIDDEN-ROWS",
        label,
        f"{len(found):,} payment{'s' if many else ''} on hidden or filtered-out rows ({shown}) "
        f"{'are' if many else 'is'} counted, "
        f"{format_money(pounds(sum(pence for _, pence in found)))} in all, though Excel does "
        "not show them (a filter left on, or Data > Subtotal's outline collapsed to its "
        "totals). Show them (clear the filter, or expand the outline) and check they belong "
        "to the position; delete the rows of payments that do not, or export the ledger "
        "again without them.",
        sheet,
        f"rows {numbers[0]}:{numbers[-1]}" if many else f"row {numbers[0]}",
    )
