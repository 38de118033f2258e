"""A CSV ledger's lines wider than their header: a comma not in double quotes split a value.

An amount written with its thousands comma and not in quotes (``6,250.00``) is split at the
comma into ``6`` and ``250.00``, and read alone would count as £6: the figure is joined again
to say it, and the line is not counted. A comma typed in a text (a narrative, a supplier's
name) moves every value after it one column right: the finding about the line says why its
amount column holds a word. :mod:`pipeline.ledger_columns` reads the lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.ledger_pages import Rows, is_blank
from pipeline.values import ValueProblem, clean_text


def width(values: Sequence[object]) -> int:
    """How many values a row holds, up to its last one filled."""
    return next((i + 1 for i in range(len(values) - 1, -1, -1) if not is_blank(values[i])), 0)


def split_figures(
    body: Rows,
    header: Sequence[object],
    figures: Sequence[int],
    amounts: list[int | ValueProblem],
) -> set[int]:
    """The indexes in ``body`` of the CSV lines whose figure, in one of the ``figures``
    columns, was split at its thousands comma; each one's amount becomes a problem that
    says so (in ``amounts``, in place)."""
    headings = width(header)
    split: set[int] = set()
    for index, (_, values) in enumerate(body):
        if len(values) <= headings:  # only a line wider than the header can be
            continue
        joined = next((j for c in figures if (j := _split_figure(values, c, headings))), "")
        if joined:
            split.add(index)
            first, _, rest = joined.partition(",")
            amounts[index] = ValueProblem(
                f'amount reads "{first}" and the next column "{rest}": the figure '
                f"{joined}, written with its thousands comma and not in double quotes, "
                f"is split at the comma (read alone, it would count as {first}); put "
                f'the amounts in quotes ("{joined}") or export them without the comma'
            )
    return split


_GROUP_HEAD = re.compile(r"[-(]?\s*£?\s*-?\d{1,3}")  # "6", "£6", "-6", "(6" of 6,250.00
_GROUP_TAIL = re.compile(r"\d{3}(\.\d{1,2})?\)?")  # "250.00", "250", "250.00)"


def _split_figure(values: Sequence[object], column: int, headings: int) -> str:
    """The figure a CSV line wider than its header holds in ``column`` and the next
    columns, joined again, when it was split at its thousands commas: ``6`` then ``250.00``
    is 6,250.00 written without quotes (read alone, £6). Empty when the values are no such
    figure: no more groups are joined than the line has values beyond its header."""
    extra = width(values) - headings
    head = clean_text(values[column]).strip() if column < len(values) else ""
    if extra <= 0 or not _GROUP_HEAD.fullmatch(head):
        return ""
    parts = [head]
    for value in values[column + 1 : column + 1 + extra]:
        text = clean_text(value).strip()
        if not _GROUP_TAIL.fullmatch(text):
            break
        parts.append(text)
        if not text.isdigit():  # its pence or its closing bracket: the figure's end
            break
    return ",".join(parts) if len(parts) > 1 else ""


def shifted(values: Sequence[object], header: Sequence[object], number: int) -> str:
    """Why a CSV line's values are in the wrong columns, when it has more of them than its
    header has headings: a comma typed in a text (a narrative, a supplier's name) that was not
    put in quotes splits it in two, and every value after it moves one column right, so its
    amount column holds a word. Empty when the line is no wider than its header."""
    wide, headings = width(values), width(header)
    if wide <= headings:
        return ""
    return (
        f" Line {number} has {wide} values where the header has {headings} headings: a "
        "comma in a text that is not in double quotes splits it, and moves the values after "
        'it into the next columns; put that text in quotes ("Q1 grant, part 1") or take '
        "the comma out."
    )
