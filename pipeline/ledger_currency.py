"""A ledger's Currency column: the rows whose amounts are not in pounds, said once per table.

The plan is in pounds, and €1,000 is not £1,000: a row whose currency is another (EUR, USD)
is never counted. An export of a year's payments in euros, or an Agresso export with its
``Cur. amount`` column left out, has hundreds of them; they are one finding that counts them
by currency and names their rows, not one each that would crowd out the rows with a date or
an amount to correct.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.findings import row_ranges
from pipeline.ledger_values import cut
from pipeline.values import clean_text, normalise

_POUNDS = frozenset(("", "gbp", "£", "stg", "sterling", "pound sterling", "pounds sterling"))
_RUNS_SAID = 8  # runs of rows named per currency (the count says how many in all)


def in_pounds(currency: object) -> bool:
    """Whether a row's currency is pounds: blank, GBP, £ or sterling."""
    return normalise(currency) in _POUNDS


def not_in_pounds(sheet: str, unit: str, foreign: Sequence[tuple[int, object]]) -> str:
    """The one message about the rows ``foreign`` (row number, currency as read) of
    ``sheet``, whose amounts are in another currency and are not counted."""
    by_currency: dict[str, list[int]] = {}
    for number, currency in foreign:
        by_currency.setdefault(cut(clean_text(currency)), []).append(number)
    said = "; ".join(
        f'{len(numbers)} whose currency reads "{currency}" ({_rows(unit, numbers)})'
        for currency, numbers in by_currency.items()
    )
    count = (
        f"{len(foreign)} payments of {sheet} are not in pounds and are not counted"
        if len(foreign) > 1
        else f"1 payment of {sheet} is not in pounds and is not counted"
    )
    return (
        f"{count}: {said}. "
        "The plan is in pounds, and €1,000 is not £1,000. Export the amounts in pounds (the "
        "ledger's own currency), or with the amount in the invoice's currency beside them in "
        'a "Cur. amount" column as Agresso exports it, and run again.'
    )


def _rows(unit: str, numbers: Sequence[int]) -> str:
    """``lines 2–26, 28``: the runs of rows, the first few of them when there are many."""
    runs = row_ranges(numbers).split(", ")
    plural = "s" if len(numbers) > 1 else ""
    more = ", …" if len(runs) > _RUNS_SAID else ""
    return f"{unit}{plural} {', '.join(runs[:_RUNS_SAID])}{more}"
