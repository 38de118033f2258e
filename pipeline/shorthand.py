"""What offices type in their own shorthand where the contract asks for Yes/No, a date or a year's
money: "RF" for ring-fenced, "Ongoing" for an end date, "£10,000 pa" for a line's budget.

Each is read where its meaning is plain, and refused otherwise with the exact fix: a guess here
would move money between years or between ring-fenced and local funding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from pipeline.contract import financial_year_bounds
from pipeline.values import (
    PER_YEAR,
    ValueProblem,
    clean_text,
    format_date,
    is_blank,
    normalise,
    parse_date,
    parse_end_date,
    parse_yes_no,
)

# "RF" as a Funding sources sheet marks a ring-fenced grant, and the ways to say it is not.
_RING_FENCED = re.compile(r"r/?f|ring[\s-]?fenced")
_NOT_RING_FENCED = re.compile(r"(?:not|non|un)[\s-]?(?:r/?f|ring[\s-]?fenced)|nrf")


def parse_ring_fenced(raw: object) -> bool:
    """Ring-fenced: Yes or No as :func:`parse_yes_no` reads it, or "RF", "Ring-fenced",
    "Not RF", "Non-ring-fenced"."""
    text = normalise(raw).rstrip(".")
    if _NOT_RING_FENCED.fullmatch(text):
        return False
    if _RING_FENCED.fullmatch(text):
        return True
    return parse_yes_no(raw)


_TICK_MARKS = frozenset("\u2713\u2714\u2611\u2705")


def ring_fenced_reader(column: Iterable[object]) -> Callable[[object], bool]:
    """:func:`parse_ring_fenced`, or, where the Ring-fenced ``column`` is a checklist (a tick
    on some rows, as the MoJ grants are marked), one that reads a blank cell as not ticked: No.
    """
    if not any(isinstance(mark, str) and mark.strip() in _TICK_MARKS for mark in column):
        return parse_ring_fenced

    def read(raw: object) -> bool:
        return False if is_blank(raw) else parse_ring_fenced(raw)

    return read


# An end date that is no date: the line has no fixed end, or it is not known yet.
_OPEN_ENDED = re.compile(
    r"(?:on-?going|rolling(?: annually| contract| grant)?|open[\s-]?ended|continuous|"
    r"continuing|permanent|indefinite|no end(?: date)?|until further notice|annual(?:ly)?|"
    r"recurring|ongoing annual)\.?"
)
_UNKNOWN = re.compile(r"tb[ca]\.?|to be (?:confirmed|agreed|decided)|unknown|n/?a|-+|\?+")
# A start date that is no date: the line was running before this plan.
_ALREADY_RUNNING = re.compile(r"(?:on-?going|existing|continuing|current|in place|live)\.?")


def parse_line_end(raw: object) -> tuple[date, bool, str]:
    """A line's End date as :func:`parse_end_date` reads it; "Ongoing", "Rolling", "TBC" and
    the like are refused saying which date the plan needs instead."""
    if isinstance(raw, str):
        text = normalise(raw)
        if _OPEN_ENDED.fullmatch(text):
            raise ValueProblem(
                f'reads "{clean_text(raw)}", not a date: a line needs the date its current '
                "agreement or funding ends. Type that date (the financial year's last day, "
                "e.g. 31/03/2022, for a line funded a year at a time) and put how it rolls on "
                '(e.g. "Renewed annually") in Extension options'
            )
        if _UNKNOWN.fullmatch(text):
            raise ValueProblem(
                f'reads "{clean_text(raw)}", not a date: a line needs the date it is planned '
                "to end. Type the date it is expected to end as dd/mm/yyyy, e.g. 31/03/2022, "
                "and correct it when it is confirmed"
            )
    return parse_end_date(raw)


def parse_line_start(raw: object) -> tuple[date, bool]:
    """A line's Start date as :func:`parse_date` reads it; "Ongoing" or "Existing" (a line
    running before this plan) is refused saying which date the plan needs instead."""
    if isinstance(raw, str) and _ALREADY_RUNNING.fullmatch(normalise(raw)):
        raise ValueProblem(
            f'reads "{clean_text(raw)}", not a date: type the date the line\'s current '
            "agreement started as dd/mm/yyyy (e.g. 01/10/2018), or the financial year's "
            "first day (e.g. 01/04/2021) if that is not known"
        )
    return parse_date(raw)


Year = tuple[date, date] | None  # a financial year's first and last days; None: unreadable


def financial_year(year: str) -> Year:
    """The first and last days of the financial year ``year`` ("2021/22"), or None."""
    bounds = financial_year_bounds(year)
    return None if bounds is None else (date(bounds[0], 4, 1), date(bounds[1], 3, 31))


def per_year_problem(raw: object, start: date, end: date, year: Year) -> str:
    """Why a budget typed as a year's rate ("£10,000 pa") cannot be this year's budget of a
    line running ``start``–``end``, or "" when it can (the line runs the whole ``year``, or
    the budget is not typed as a rate)."""
    if year is None or not isinstance(raw, str) or not PER_YEAR.search(clean_text(raw)):
        return ""  # an unreadable Financial year is an error of its own
    first, last = year
    if start <= first and end >= last:
        return ""
    return (
        f'reads "{clean_text(raw)}", an amount a year, but the line runs '
        f"{format_date(start)} to {format_date(end)}, not the whole financial year "
        f"{format_date(first)} to {format_date(last)}; type the amount it is budgeted in "
        "this financial year, as a number"
    )
