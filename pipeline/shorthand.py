"""What offices type in their own shorthand where the contract asks for Yes/No, a date or a year's
money: "RF" for ring-fenced, "Ongoing" for an end date, "£10,000 pa" for a line's budget.

Each is read where its meaning is plain, and refused otherwise with the exact fix: a guess here
would move money between years or between ring-fenced and local funding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from pipeline.choices import parse_yes_no
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
    parse_money,
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
_EMPTY_BOX, _CROSSED_BOX = "\u2610", "\u2612"  # Word's check box: ☐ not ticked, ☒ ticked


def ring_fenced_reader(column: Iterable[object]) -> Callable[[object], bool]:
    """:func:`parse_ring_fenced`, or, where the Ring-fenced ``column`` is a checklist (a tick
    on some rows, as the MoJ grants are marked), one that reads a blank cell as not ticked: No.
    In a column of Word's check boxes (☐ beside ☒, copied from a form) ☒ is the ticked one;
    beside ticks it is a cross; alone it says neither, and is refused."""
    marks = {normalise(mark) for mark in column if isinstance(mark, str)}
    boxes = _EMPTY_BOX in marks
    if not boxes and not marks & _TICK_MARKS:
        return parse_ring_fenced

    def read(raw: object) -> bool:
        if normalise(raw) == _CROSSED_BOX:  # beside ticks (✓), it is the cross
            return boxes
        return False if is_blank(raw) else parse_ring_fenced(raw)

    return read


# Amounts typed with words a finance officer must resolve, and what to type instead.
_AMOUNT_WORDS = (
    (
        re.compile(r"\bvat\b", re.IGNORECASE),
        "carries VAT words; type the amount paid as a number, with any VAT the office "
        "cannot reclaim",
    ),
    (
        re.compile(r"\b(?:c\.|circa|approx\w*|about|up to|max\w*|tbc|estimated?|est\.)", re.I),
        "is an estimate or a ceiling; type the amount the decision approves as a number (for "
        "a ceiling, the most it may cost)",
    ),
    (
        re.compile(r"\b\d+\s*(?:years?|yrs?)\b|\s[x\u00d7]\s*\d", re.IGNORECASE),
        "covers more than this financial year; type this financial year's amount as a number",
    ),
)


# A nothing as finance tables write it: the dash of Excel's Accounting and Comma formats
# ("£ -", "-"), copied as text, or a word. Not read as £0: a line may be marked so while its
# budget is still to be agreed, and a blank budget is refused for the same reason.
_NOTHING = re.compile(r"£?\s*[-\u2010-\u2015\u2212]+\s*|£?\s*(?:nil|none|zero)\.?", re.I)


def parse_amount(raw: object) -> Decimal:
    """An amount as :func:`parse_money` reads it ("GBP 750" among them); an amount
    typed with VAT, estimate or multi-year words, or a nothing ("£ -", "Nil"), is refused
    saying what to type instead."""
    try:
        return parse_money(raw)
    except ValueProblem:
        text = clean_text(raw)
        if isinstance(raw, str) and _NOTHING.fullmatch(text):
            raise ValueProblem(
                f'reads "{text}", a mark for nothing that Excel does not add up as a number; '
                "type 0 if there is no money here this year, or the amount in pounds"
            ) from None
        # Only a figure with words: "TBC" alone is no estimate, and keeps its message.
        typed = isinstance(raw, str) and any(ch.isdigit() for ch in text)
        for words, problem in _AMOUNT_WORDS if typed else ():
            if words.search(text):
                raise ValueProblem(f'reads "{text}", which {problem}') from None
        raise


# An end date that is no date: the line has no fixed end, or it is not known yet.
_OPEN_ENDED = re.compile(
    r"(?:on-?going|rolling(?: annually| contract| grant)?|open[\s-]?ended|continuous|"
    r"continuing|permanent|indefinite|no end(?: date)?|until further notice|annual(?:ly)?|"
    r"recurring|ongoing annual)\.?"
)
_UNKNOWN = re.compile(r"tb[ca]\.?|to be (?:confirmed|agreed|decided)|unknown|n/?a|-+|\?+")
# What marks a date as still to be confirmed, in brackets after it.
_TENTATIVE = re.compile(
    r"tb[cad]\.?|to be (?:confirmed|agreed|decided)|provisional|estimated?|expected|"
    r"approx(?:imate(?:ly)?)?\.?|subject to (?:confirmation|funding|approval)"
)
# What an extension option says, in brackets after an end date: a term ("1 x 12 months"), a
# date, or the words of an option; "(end)", "(contract end)" or "(subject to review)" say
# none and only mark the date.
_TERM_WORDS = r"option|exten[ds]|renew|roll|break|further|years?\b|months?\b"
_OPTION_WORDS = re.compile(rf"\d|{_TERM_WORDS}")
# What says the date is already the extended one, in brackets after it: "(extended)",
# "(renewed)", "(now extended)". An option still to be taken up names a term, a date or the
# words of an option; these name none (each was read as one, 'extension option: extended').
_DONE = re.compile(r"(?:(?:already|now|been|has been|was)\s+)?(?:extended|renewed|rolled over)")
# A start date that is no date: the line was running before this plan.
_ALREADY_RUNNING = re.compile(r"(?:on-?going|existing|continuing|current|in place|live)\.?")


_SPACED_SLASH = re.compile(r"(?<=\d)\s*/\s*(?=\d)")


def _tidy_date(raw: object) -> object:
    """A typed date without a sentence's full stop after it or spaces around its slashes
    ("31/03/2022.", "31 / 03 / 2022")."""
    if not isinstance(raw, str):
        return raw
    return _SPACED_SLASH.sub("/", raw.strip().removesuffix("."))


# The year's ends in words: "Year end", "End of financial year"; "Start of year".
_YEAR_END = re.compile(r"(?:financial )?year[\s-]?end|end of (?:the )?(?:financial )?year|fye")
_YEAR_START = re.compile(r"(?:financial )?year[\s-]?start|start of (?:the )?(?:financial )?year")


def _year_typed(raw: object) -> Year:
    """The first and last days of a financial year typed where a date goes ("2021/22",
    "FY 2021-22"): a line's start reads as its first day and its end as its last, as a month
    does ("April 2021" starts on the 1st); None for anything else."""
    typed = isinstance(raw, str) and re.search(r"\d\s*[/-]\s*\d", raw)
    return financial_year(clean_text(raw)) if typed else None


_DAY_FIRST_HINT = "or as a month, e.g. April 2021"  # parse_date's when it has nothing better
# A date inside words, as a line's date is typed with a word or two beside it: "from 1 April
# 2021", "31/03/2022 - extended to 31/03/2023".
_DATE_AMONG_WORDS = re.compile(
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+[^\W\d_]{3,9}\.?,?\s+\d{2,4}|"
    r"[^\W\d_]{3,9}\s+\d{4}"
)


def words_beside(raw: object, problem: ValueProblem, *, end: bool) -> None:
    """Refuse a date typed with words beside it, saying which date to type alone (the date
    was there, and the day-first hint did not say what stopped it); a more exact message
    ("names part of April 2021") is left as it is."""
    text = clean_text(raw)
    if not str(problem).endswith(_DAY_FIRST_HINT):
        return
    found = [m for m in _DATE_AMONG_WORDS.finditer(text) if _a_date(m[0], end)]
    if not found:
        return
    words = f"{text[: found[0].start()]} {text[found[0].end() :]}".strip(" -–,;:")
    extension = end and re.search(_TERM_WORDS, normalise(words))
    if not words or (len(found) > 1 and not extension):
        return  # two dates and no word of an extension: which was meant is not known
    date_text = found[0][0]
    raise ValueProblem(
        f'reads "{text}", a date with words beside it ("{words}"); type the date alone, '
        f"{date_text}"
        + (", and the extension in the Extension options column" if extension else "")
    )


def _a_date(text: str, end: bool) -> bool:
    try:
        parse_date(text, end=end)
    except ValueProblem:
        return False
    return True


def parse_line_end(raw: object) -> tuple[date, bool, str]:
    """A line's End date as :func:`parse_end_date` reads it, or a financial year's last day;
    "Ongoing", "Rolling", "TBC", "Year end" and the like are refused saying which date the
    plan needs instead."""
    raw = _tidy_date(raw)
    if isinstance(raw, str):
        text = normalise(raw)
        if _YEAR_END.fullmatch(text.rstrip(".")):
            raise ValueProblem(
                f'reads "{clean_text(raw)}", not a date: type the financial year\'s last day '
                "as dd/mm/yyyy, e.g. 31/03/2022"
            )
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
    try:
        end, month_only, options = parse_end_date(raw)
    except ValueProblem as problem:
        year = _year_typed(raw)
        if year is None:
            words_beside(raw, problem, end=True)
            raise
        return year[1], False, ""
    # "31/03/2022 (TBC)": the date the line is expected to end, as a TBC alone is told to
    # type; "31/03/2022 (end)" the date it ends: the bracket marks the date, it offers no
    # extension (each was read as one, and the review note said 'extension option: end').
    said = normalise(options)
    offered = (
        _OPTION_WORDS.search(said) and not _TENTATIVE.fullmatch(said) and not _DONE.fullmatch(said)
    )
    return end, month_only, options if offered else ""


def parse_line_start(raw: object) -> tuple[date, bool]:
    """A line's Start date as :func:`parse_date` reads it; "Ongoing" or "Existing" (a line
    running before this plan) is refused saying which date the plan needs instead."""
    raw = _tidy_date(raw)
    if isinstance(raw, str) and _YEAR_START.fullmatch(normalise(raw).rstrip(".")):
        raise ValueProblem(
            f'reads "{clean_text(raw)}", not a date: type the financial year\'s first day as '
            "dd/mm/yyyy, e.g. 01/04/2021"
        )
    if isinstance(raw, str) and _ALREADY_RUNNING.fullmatch(normalise(raw)):
        raise ValueProblem(
            f'reads "{clean_text(raw)}", not a date: type the date the line\'s current '
            "agreement started as dd/mm/yyyy (e.g. 01/10/2018), or the financial year's "
            "first day (e.g. 01/04/2021) if that is not known"
        )
    try:
        return parse_date(raw)
    except ValueProblem as problem:
        year = _year_typed(raw)
        if year is None:
            words_beside(raw, problem, end=False)
            raise
        return year[0], False


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
