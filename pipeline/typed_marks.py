"""What people type around an amount or a date that is not the amount or the date: a plus
sign, a footnote's mark, another currency's sign, "End of" a month, an apostrophe before a
two-digit year.

Each is read where it says nothing more than the figure ("+6250.00", "End of March 2022",
"1st Apr '21"), and named where it may change the figure (a footnote's note, dollars), so that
:mod:`pipeline.values` can refuse it saying what to type instead.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

# A plus sign before a figure, with or without the pound sign either side of it.
_PLUS = re.compile(r"^(£?)\s*\+\s*(?=[£\d])")
# A footnote's mark after a figure: asterisks, daggers, superscript digits, "[1]", "(note 2)",
# and a note's number or letter in brackets, "(1)", "(a)", "(iii)" (after the figure; the
# whole figure in brackets is an accountant's negative).
_FOOTNOTE = re.compile(
    r"(?<=\d)\s*(\*+|[\u2020\u2021]+|[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+|\[\d{1,2}\]|"
    r"\((?:(?:see )?notes?\s*)?(?:\d{1,2}|[a-z]|[ivx]{1,4})\))$",
    re.IGNORECASE,
)
# Another currency, by its sign or its code, before or after the figure.
_CURRENCY = re.compile(
    r"^([$€¥]|US\$|(?:EUR|USD|CHF|JPY|CAD|AUD)\b)\s*(?=[\d.])|(?<=\d)\s*(EUR|USD|CHF|JPY|CAD|AUD|[$€])$",
    re.IGNORECASE,
)


def unsigned(text: str) -> str:
    """``text`` without the plus sign typed before its figure: "+£6,250" -> "£6,250"."""
    return _PLUS.sub(r"\1", text, count=1)


def footnote_mark(text: str) -> tuple[str, str] | None:
    """The footnote's mark after a figure and the figure without it, or None."""
    match = _FOOTNOTE.search(text)
    return (match[1], text[: match.start()]) if match else None


def other_currency(text: str) -> str | None:
    """The sign or code of a currency other than the pound ("$", "EUR"), or None."""
    match = _CURRENCY.search(text)
    return (match[1] or match[2]) if match else None


# A time of day after a date, as a system export or a pasted date-and-time writes it:
# "01/04/2021 00:00:00", "2021-04-01T00:00:00Z", "01/04/2021 12:00:00 AM", "1/4/2021 0:00",
# "01/04/2021 09:30", "28/05/2021 2:15 pm". The day is what a plan's date means (a cell
# holding the same date and time as an Excel date is read as its day); only a real time is
# dropped, so "01/04/2021 25:00" is still refused.
TIME_OF_DAY = re.compile(
    r"(?:\s+|(?<=\d)T)(?:"
    r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?"
    r"|(?:0?[1-9]|1[0-2])(?:[:.][0-5]\d(?::[0-5]\d)?)?\s?[AP]\.?M\.?"
    r")$",
    re.IGNORECASE,
)


# "'21" for 2021, with a straight or a curly apostrophe, at the end of a date.
_APOSTROPHE_YEAR = re.compile(r"(?<![\w'\u2019\u2018])['\u2019\u2018](\d{2})$")


def without_apostrophe_year(text: str) -> str:
    """``text`` with "'21" at its end as "21", which the two-digit year formats read."""
    return _APOSTROPHE_YEAR.sub(r"\1", text)


# The first or last day of a named month, or a part of it that is no day.
_MONTH_PART = re.compile(
    r"(?P<part>end|start|beginning|mid(?:dle)?|early|late)(?:\s*-\s*|\s+)(?:of\s+)?(?P<month>.+)",
    re.IGNORECASE,
)
_PART_DAY = {"end": "end", "start": "start", "beginning": "start"}


def month_part(text: str) -> tuple[str | None, str] | None:
    """``("end", "March 2022")`` for "End of March 2022", ``("start", ...)`` for "Start of" or
    "Beginning of" a month; ``(None, "April 2021")`` for a part that is no day ("Mid April
    2021", "Late March"); None where ``text`` does not begin so."""
    match = _MONTH_PART.fullmatch(text)
    if match is None:
        return None
    return _PART_DAY.get(match["part"].lower()), match["month"]


_EXCEL_EPOCH = date(1899, 12, 30)
_LAST_SERIAL = 2_958_465  # 31/12/9999, the last day Excel shows


def date_number_problem(number: int | float) -> str:
    """Why a bare number typed where a date goes is not a date, naming what it is."""
    whole = isinstance(number, int) or number.is_integer()
    shown = str(int(number)) if whole else str(number)
    fix = "format the cell as a date or type it as dd/mm/yyyy, e.g. 01/04/2021"
    if number <= 0:
        return f"reads the number {shown}, which is zero or negative, not a date; {fix}"
    if number > _LAST_SERIAL:
        return (
            f"reads the number {shown}, beyond any date Excel shows (its last is 31/12/9999); {fix}"
        )
    as_date = _EXCEL_EPOCH + timedelta(days=int(number))
    return (
        f"reads the number {shown}, not a date (as an Excel date serial it would be "
        f"{as_date.strftime('%d/%m/%Y')}); {fix}"
    )
